"""create_app for the console: sessions, language, CSRF, security headers, and the pages of each role."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request, url_for
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from services.common.logs import configure_logging
from services.common.settings import CONSOLE, Settings, load_settings
from services.console import apiwords, formats, labels
from services.console.gatewayapi import Api, ApiError, GatewayApi
from services.console.i18n import HTML_LANG, LANG_COOKIE, LANGUAGES, chosen_language, compile_catalogues
from services.console.pages import EXTENSION, Console, current_user, to_login
from services.console.sessions import EncryptedCookieSessions, session_key
from services.console.views import finance, lawyer, people, scheduler

log = logging.getLogger(__name__)

IDLE = timedelta(minutes=30)
READY_TIMEOUT = 2.0  # seconds /readyz waits for the gateway: an answer within a probe's timeout (4 s)
# pages that take a file larger than a form's 1 MB, with room for the form around it: the claim import reads
# up to 8 MB, the master data imports 5 MB
UPLOAD_LIMITS = {
    "finance.import_claims": 9 * 1024 * 1024,
    "scheduler.import_lawyers": 5 * 1024 * 1024 + 128 * 1024,
    "scheduler.import_stations": 5 * 1024 * 1024 + 128 * 1024,
}


def _upload_limit() -> None:
    """Lift the body limit for the pages that take a file (before the CSRF check reads the form)."""
    limit = UPLOAD_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _page_url(offset: int) -> str:
    """This page again at another offset, its filters kept."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(), "offset": str(offset)}
    return url_for(request.endpoint or "people.home", **args)


PROBE = "legalduty_console_probe"  # the gateway client readiness asks, with its short timeout


def create_app(settings: Settings | None = None, *, api: Api | None = None, idle: timedelta = IDLE) -> Flask:
    """The console's app; `api` replaces the HTTP client of the gateway (tests pass a fake)."""
    settings = settings or load_settings(CONSOLE)
    configure_logging(CONSOLE, "web", settings.log_level)
    # /static is the gateway's own (Flask's default), so the console's files are under /assets
    app = Flask("legalduty.console", root_path=str(Path(__file__).parent), static_url_path="/assets")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.secret_key = session_key(settings.jwt_secret + "|csrf").decode()
    app.session_interface = EncryptedCookieSessions(
        session_key(settings.jwt_secret), int(idle.total_seconds())
    )
    translations = compile_catalogues(settings.data_dir.resolve() / "console" / "translations")
    app.config.update(
        SESSION_COOKIE_NAME="legalduty_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=idle,
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; the session expires when idle
        WTF_CSRF_SSL_STRICT=False,  # behind the gateway; SameSite and the token do the work
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_TRANSLATION_DIRECTORIES=str(translations),
        MAX_CONTENT_LENGTH=1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions[EXTENSION] = Console(
        settings=settings,
        api=api or GatewayApi(settings.service_url("gateway")),
    )
    # readiness asks with a short timeout of its own: a gateway that hangs makes the console unready within
    # the probe's time, instead of holding a thread for a page's minute
    probe = api or GatewayApi(settings.service_url("gateway"), timeout=READY_TIMEOUT)
    Babel(app, locale_selector=chosen_language)
    app.before_request(_upload_limit)  # registered first: it must run before CSRFProtect parses the form
    CSRFProtect(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(money=formats.money, share=formats.share)
    for blueprint in (people.bp, scheduler.bp, finance.bp, lawyer.bp):
        app.register_blueprint(blueprint)

    app.extensions[PROBE] = probe
    _install(app)
    return app


def _start() -> None:
    g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    g.lang = chosen_language()


def _page_context() -> dict[str, Any]:
    lang = g.get("lang", "zh")
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "user": current_user(),
        "long_date": lambda v: formats.long_date(v, lang),
        "timestamp": lambda v: formats.timestamp(v, lang),
        "other_lang": "en" if lang == "zh" else "zh",
        "label": labels.label,
        "field_name": apiwords.field_name,  # an API field or an import's `row N.column`, in words
        "api_words": apiwords.message,  # one of the API's messages, in words
        "role_name": labels.role_name,
        "error_title": labels.error_title,
        "page_url": _page_url,
        "warning": labels.warning,
        "value": labels.value,
        "calendar_source": labels.calendar_source,
        "problem_words": apiwords.problem_text,
    }


def _finish(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Request-ID"] = g.get("request_id", "")
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            asked,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def _csrf(error: CSRFError) -> tuple[str, int]:
    return render_template("error.html", status=403, reason="csrf"), 403


def _api_error(error: ApiError) -> Any:
    if error.status == 401:
        return to_login(expired=True)
    if error.status >= 500:
        log.warning(
            "the API answered %s",
            error.status,
            extra={"request_id": g.get("request_id"), "detail": error.detail},
        )
    headers = {"Retry-After": error.retry_after} if error.retry_after else {}
    status = error.status if error.status in (403, 404, 503, 504) else 502
    return render_template("error.html", status=status, reason="api", error=error), status, headers


def _http(error: HTTPException) -> Any:
    return render_template("error.html", status=error.code, reason="http", error=error), error.code or 500


def favicon() -> Response:
    return Response(status=204)


def healthz() -> Response:
    return jsonify({"status": "ok", "service": CONSOLE})


def readyz() -> Any:
    """Ready when the gateway answers: every page of the console asks it."""
    probe = current_app.extensions[PROBE]
    try:
        probe.call("GET", "/healthz", token=None)
    except ApiError as exc:
        return jsonify({"status": "unavailable", "service": CONSOLE, "checks": {"gateway": str(exc)}}), 503
    return jsonify({"status": "ok", "service": CONSOLE, "checks": {"gateway": "ok"}})


def _install(app: Flask) -> None:
    """The request hooks, error pages and the health and favicon routes."""
    app.before_request(_start)
    app.context_processor(_page_context)
    app.after_request(_finish)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http)
    app.add_url_rule("/favicon.ico", view_func=favicon, methods=["GET"])
    app.add_url_rule("/healthz", view_func=healthz, methods=["GET"])
    app.add_url_rule("/readyz", view_func=readyz, methods=["GET"])
