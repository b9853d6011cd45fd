"""Log-in, log-out and the home page that sends each role to its work."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.common.clientaddr import HEADER, vouch
from services.console.gatewayapi import ApiError
from services.console.pages import HOME, back_to, console, current_user

bp = Blueprint("people", __name__)


@bp.get("/")
def home() -> Response:
    user = current_user()
    if user is None:
        return redirect(url_for("people.login"))
    return redirect(url_for(HOME.get(user.role, "people.login")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    api = console().api
    client = vouch(request.remote_addr or "unknown", secret=console().settings.internal_secret)
    try:
        token = api.call(
            "POST",
            "/api/auth/token",
            token=None,
            body={"username": username, "password": password},
            headers={HEADER: client},
        )
        me = api.call("GET", "/api/me", token=token["access_token"])
    except ApiError as exc:
        if exc.status == 429:
            message = _(
                "Too many attempts; try again in %(seconds)s seconds.", seconds=exc.retry_after or "60"
            )
        elif exc.status in (400, 401, 422):
            message = _("Wrong username or password.")
        else:
            message = _("The system cannot be reached just now; try again shortly.")
        headers = {"Retry-After": exc.retry_after} if exc.retry_after else {}
        status = exc.status if exc.status in (401, 429, 503) else 401
        return (
            render_template("login.html", error=message, username=username, next=back_to("")),
            status,
            headers,
        )
    user = me["user"]
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    session["token"] = token["access_token"]
    session["token_expires"] = time.time() + int(token.get("expires_in", 3600)) - 30
    session["user"] = {
        "id": user["id"],
        "username": user["username"],
        "role": user["role"],
        "lawyer_id": user.get("lawyer_id"),
    }
    target = back_to("")
    return redirect(target or url_for(HOME.get(user["role"], "people.home")))


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Any:
    if request.method == "GET":
        if current_user() is None:
            return redirect(url_for("people.login"))
        return render_template("logout.html")
    session.clear()
    flash(_("You have logged out."), "ok")
    return redirect(url_for("people.login"))
