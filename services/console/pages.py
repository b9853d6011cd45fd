"""What every page shares: who is logged in, the API called with their token, role checks, messages."""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.common.settings import Settings
from services.console import apiwords
from services.console.gatewayapi import Api, ApiError, Download, Upload, all_items

EXTENSION = "legalduty_console"
F = TypeVar("F", bound=Callable[..., Any])

HOME = {
    "scheduler": "scheduler.rosters",
    "admin": "scheduler.rosters",
    "finance": "finance.claims",
    "lawyer": "lawyer.my_page",
}


@dataclass(frozen=True)
class Console:
    settings: Settings
    api: Api


@dataclass(frozen=True)
class User:
    id: str
    username: str
    role: str
    lawyer_id: str | None


def console() -> Console:
    return cast(Console, current_app.extensions[EXTENSION])


def current_user() -> User | None:
    data = session.get("user")
    if not data or not session.get("token"):
        return None
    if float(session.get("token_expires", 0)) <= time.time():
        return None
    return User(data["id"], data["username"], data["role"], data.get("lawyer_id"))


def to_login(*, expired: bool = False) -> Response:
    session.pop("token", None)
    session.pop("user", None)
    if expired:
        flash(_("Your session has ended; please log in again."), "info")
    return redirect(url_for("people.login", next=request.full_path if request.method == "GET" else None))


def login_required(*roles: str) -> Callable[[F], F]:
    """The page needs a logged-in user; with roles, one of them (else 403: the API would refuse it too)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return to_login(expired="token" in session)
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def _headers() -> dict[str, str]:
    return {
        "X-Request-ID": g.get("request_id", ""),
        "Accept-Language": request.headers.get("Accept-Language", ""),
    }


def call(method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None) -> Any:
    """The API's answer to the logged-in user's request (ApiError otherwise)."""
    return console().api.call(
        method, path, token=session.get("token"), params=params, body=body, headers=_headers()
    )


def download(path: str, params: Mapping[str, Any] | None = None) -> Download:
    return console().api.download(path, token=session.get("token", ""), params=params)


def upload(path: str, file: Upload, params: Mapping[str, Any] | None = None) -> Any:
    """Send the user's file to the API (multipart field `file`) with their token; its answer (ApiError otherwise)."""
    return console().api.upload(
        path, token=session.get("token"), file=file, params=params, headers=_headers()
    )


def every(path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every item of a list of the API, page by page."""
    return all_items(console().api, path, token=session.get("token", ""), params=params)


def chosen_file() -> Upload | None:
    """The file the form's `file` field sent, as the API client sends it on; None when none was chosen."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return None
    return Upload(sent.filename, sent.read(), sent.mimetype or "application/octet-stream")


def raise_unless_shown(exc: ApiError) -> None:
    """Raise `exc` again when it is the whole page's business (log in again, the API unreachable or too slow:
    the app's handlers answer those); any other refusal the page shows itself."""
    if exc.status in (401, 503, 504):
        raise exc


def act(method: str, path: str, *, body: Any = None, done: str, back: str) -> Response:
    """Do a state change through the API; flash `done` or the API's refusal, and go back to `back`."""
    try:
        call(method, path, body=body)
    except ApiError as exc:
        raise_unless_shown(exc)
        flash(problem_text(exc), "error")
    else:
        flash(done, "ok")
    return redirect(back)


def problem_text(exc: ApiError) -> str:
    """The API's refusal in the user's words (`apiwords`): its detail, or its title, and the bad fields."""
    return apiwords.problem_text(exc)


def back_to(default: str) -> str:
    """A same-site path to return to (from the form's `next`), else `default`."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def index_by(items: Iterable[Mapping[str, Any]], key: str = "id") -> dict[str, Mapping[str, Any]]:
    return {str(item[key]): item for item in items}


def together(*reads: Callable[[], Any]) -> list[Any]:
    """Run independent reads of the API at once, each in a copy of this request's context (its user's
    token, request id and language), and give their answers in order; the first failure is raised.

    A page that needs the roster's duties, the stations, the lawyers and the calendar waits for the slowest
    of them rather than for their sum."""
    if len(reads) < 2:
        return [read() for read in reads]
    with ThreadPoolExecutor(max_workers=len(reads)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, read) for read in reads]
        return [future.result() for future in futures]
