"""What a user account may be: usernames, roles and their lawyer link, the last administrator, and when a
token issued to a user still holds.

Anything that must end a user's sessions (disabling, a new password, a new role or lawyer) bumps the user's
`token_version`; tokens carry the version they were issued under, and older ones are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.common.auth import ROLES
from services.gateway.domain.errors import Conflict, Invalid

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")


@dataclass(frozen=True)
class UserState:
    """What decides whether a user's token still holds, and who they are."""

    user_id: str
    username: str
    role: str
    lawyer_id: str | None
    disabled: bool
    token_version: int


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: kept and compared in lower case, without surrounding blanks."""
    return username.strip().lower()


def check_username(username: str) -> None:
    """2 to 100 letters, digits or . _ @ -, starting with a letter or digit (after normalising)."""
    if not USERNAME.match(username):
        raise Invalid(
            "username: 2 to 100 letters, digits or . _ @ -",
            errors={"username": ["2 to 100 letters, digits or . _ @ -, starting with a letter or digit"]},
        )


def check_role_link(*, role: str, lawyer_id: str | None) -> None:
    """A lawyer user names their roster lawyer; a staff user names none. (Whether the roster knows that
    lawyer is the directory's question, asked after this one.)"""
    if role not in ROLES:
        raise Invalid(
            f"role: must be one of {', '.join(ROLES)}", errors={"role": [f"must be one of {ROLES}"]}
        )
    if role == "lawyer" and not lawyer_id:
        raise Invalid(
            "lawyer_id: a lawyer user must name their roster lawyer",
            errors={"lawyer_id": ["required for the lawyer role"]},
        )
    if role != "lawyer" and lawyer_id:
        raise Invalid(
            "lawyer_id: only a lawyer user is linked to a roster lawyer",
            errors={"lawyer_id": [f"must be empty for the {role} role"]},
        )


def unknown_lawyer(lawyer_id: str) -> Invalid:
    return Invalid(
        f"lawyer_id: no lawyer {lawyer_id} in the roster",
        errors={"lawyer_id": ["no such lawyer in the roster"]},
    )


def check_admin_remains(
    *, role: str, disabled: bool, new_role: str, new_disabled: bool, other_active_admins: int
) -> None:
    """The last active administrator can be neither disabled nor demoted."""
    stays_active_admin = new_role == "admin" and not new_disabled
    if role == "admin" and not disabled and not stays_active_admin and other_active_admins == 0:
        raise Conflict(
            "the last active administrator cannot be disabled"
            if new_disabled
            else "the last active administrator cannot lose the admin role"
        )


def next_token_version(current: int | None) -> int:
    """The version that revokes every token issued so far."""
    return (current or 0) + 1


def token_holds(user: UserState | None, *, version: int) -> bool:
    """A verified token still speaks for its user: the user exists, is enabled, and nothing that ends
    sessions has happened since it was issued."""
    return user is not None and not user.disabled and user.token_version == version
