"""Identifiers the demo data of different services agree on (no business rules: just names for the demo).

The roster service gives demo lawyers ids derived from their licence numbers, so the gateway can create
demo users linked to them without reading the roster's database.
"""

from __future__ import annotations

import uuid

DEMO_NAMESPACE = uuid.UUID("6f1c2a55-2f4e-4d59-9c1e-0c1f6a6d5e10")

# demo users of the README tour: (username, role, licence number of the linked lawyer or None)
DEMO_USERS = (
    ("scheduler", "scheduler", None),
    ("finance", "finance", None),
    ("finance2", "finance", None),
    ("aygul", "lawyer", "16540212018100001"),
    ("nurlan", "lawyer", "16540212018100002"),
)
DEMO_PASSWORD = "legalduty-demo"


def demo_lawyer_id(license_no: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, license_no))
