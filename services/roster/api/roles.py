"""Who may call the roster's operations, by role (the gateway's identity headers carry the role)."""

from __future__ import annotations

STAFF = ("scheduler", "admin")
