"""Stable ids for demo data: a demo lawyer's id follows from their licence number, so every load of the
demo (and every test of it) names the same lawyers."""

from __future__ import annotations

import uuid

DEMO_NAMESPACE = uuid.UUID("6f1c2a55-2f4e-4d59-9c1e-0c1f6a6d5e10")


def demo_lawyer_id(license_no: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, license_no))
