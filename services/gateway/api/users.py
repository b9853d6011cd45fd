"""/api/users: the administrator's user management (and a user's own password)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from services.common.auth import ROLES, current_identity, require_roles
from services.common.db import UnitOfWork
from services.common.schemas import ProblemOut
from services.common.web import runtime
from services.gateway.api.collaborators import collaborators, read_session
from services.gateway.api.schemas import PasswordIn, UserIn, UserList, UserOut, UserPatch, UserQuery
from services.gateway.domain.errors import Forbidden
from services.gateway.service import accounts

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users and roles (administrator)")


def _uow() -> UnitOfWork:
    return UnitOfWork(runtime().session_factory, producer="gateway", correlation_id=g.get("request_id"))


@blp.route("", methods=["POST"])
@blp.arguments(UserIn)
@blp.response(201, UserOut)
@blp.alt_response(409, schema=ProblemOut, description="the username is taken, or the lawyer has a user")
@blp.alt_response(
    503, schema=ProblemOut, description="the roster, asked about a lawyer it has just created, is down"
)
@require_roles("admin")
def create_user(body: dict[str, Any]) -> Any:
    """Add a user (a lawyer user names their roster lawyer; one the roster has just created is accepted at once)."""
    with _uow() as uow:
        user = accounts.create_user(uow, lawyers=collaborators().lawyers, **body)
        uow.commit()
    return user


@blp.route("", methods=["GET"])
@blp.arguments(UserQuery, location="query")
@blp.response(200, UserList)
@require_roles("admin")
def list_users(query: dict[str, Any]) -> Any:
    """Users by username."""
    with read_session() as session:
        return accounts.list_users(session, **query)


@blp.route("/<user_id>", methods=["GET"])
@blp.response(200, UserOut)
@blp.alt_response(404, schema=ProblemOut, description="no such user")
@require_roles("admin")
def get_user(user_id: str) -> Any:
    """One user."""
    with read_session() as session:
        return accounts.get_user(session, user_id=user_id)


@blp.route("/<user_id>", methods=["PATCH"])
@blp.arguments(UserPatch)
@blp.response(200, UserOut)
@blp.alt_response(404, schema=ProblemOut, description="no such user")
@blp.alt_response(409, schema=ProblemOut, description="the last administrator, or the lawyer has a user")
@blp.alt_response(
    503, schema=ProblemOut, description="the roster, asked about a lawyer it has just created, is down"
)
@require_roles("admin")
def change_role(body: dict[str, Any], user_id: str) -> Any:
    """Change a user's role (and lawyer link); their current tokens stop working."""
    with _uow() as uow:
        user = accounts.change_role(
            uow,
            lawyers=collaborators().lawyers,
            user_id=user_id,
            role=body.get("role"),
            lawyer_id=body.get("lawyer_id"),
            lawyer_id_given="lawyer_id" in body,
        )
        uow.commit()
    return user


@blp.route("/<user_id>/disable", methods=["POST"])
@blp.response(200, UserOut)
@blp.alt_response(404, schema=ProblemOut, description="no such user")
@blp.alt_response(409, schema=ProblemOut, description="the last active administrator")
@require_roles("admin")
def disable_user(user_id: str) -> Any:
    """Disable a user; their tokens stop working at once."""
    with _uow() as uow:
        user = accounts.disable_user(uow, user_id=user_id)
        uow.commit()
    return user


@blp.route("/<user_id>/enable", methods=["POST"])
@blp.response(200, UserOut)
@blp.alt_response(404, schema=ProblemOut, description="no such user")
@require_roles("admin")
def enable_user(user_id: str) -> Any:
    """Let a disabled user log in again."""
    with _uow() as uow:
        user = accounts.enable_user(uow, user_id=user_id)
        uow.commit()
    return user


@blp.route("/<user_id>/password", methods=["PUT"])
@blp.arguments(PasswordIn)
@blp.response(200, UserOut)
@blp.alt_response(403, schema=ProblemOut, description="another user's password, or a wrong old password")
@blp.alt_response(404, schema=ProblemOut, description="no such user")
@require_roles(*ROLES)  # the administrator for anyone, a user for themself (checked below)
def change_password(body: dict[str, Any], user_id: str) -> Any:
    """Set a new password: the administrator for anyone, a user for themself with the old one.

    Every token of the user stops working: log in again with the new password."""
    identity = current_identity()
    own = identity.user_id == user_id
    if not own and identity.role != "admin":
        raise Forbidden("only an administrator changes another user's password")
    with _uow() as uow:
        user = accounts.change_password(
            uow,
            user_id=user_id,
            password=body["password"],
            old_password=body.get("old_password"),
            by_admin=not own,
        )
        uow.commit()
    return user
