"""Login throttling arithmetic: at most so many attempts per username and per client address in a window.

An attempt is counted *before* its password is checked (so a burst of parallel guesses cannot all slip
through before the first failure is written); a successful login takes its own attempt back and clears the
username's count. Throttled attempts are not counted, so waiting `Retry-After` seconds always helps. Where
the attempts are kept (the database, so every worker sees them) is `adapters/login_attempts.py`.

Public operations of the services (a phone fetching its calendar feed by its secret address, with no token)
are counted the same way, per client address, under their own limit: a flood of guessed addresses is
throttled like a flood of guessed passwords.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    per_username: int = 5  # attempts per window for one username
    per_client: int = 20  # attempts per window from one address
    window: timedelta = timedelta(minutes=15)
    per_client_public: int = 120  # calls of public operations (calendar feeds) per window from one address

    def limits(self, *, username_key: str, client_key: str) -> dict[str, int]:
        return {username_key: self.per_username, client_key: self.per_client}


def user_key(username: str) -> str:
    return f"user:{username.lower()[:180]}"


def client_key(client: str) -> str:
    return f"client:{client[:180]}"


def public_client_key(client: str) -> str:
    return f"public:{client[:180]}"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def seconds_to_wait(recent: Sequence[datetime], *, limit: int, window: timedelta, now: datetime) -> int:
    """Given one key's attempts inside the window, newest first (at most `limit` of them): seconds until
    another attempt is allowed (0: allowed now). The limit-th most recent attempt must leave the window."""
    if len(recent) < limit:
        return 0
    wait = (_utc(recent[limit - 1]) + window - now).total_seconds()
    return max(1, int(wait) + 1) if wait > 0 else 0
