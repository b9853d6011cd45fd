"""Demo data for an empty roster database (filled by the roster issue)."""

from __future__ import annotations

from services.common.settings import Settings


def load_demo(settings: Settings) -> None:
    """Load the demo prefecture into an empty database unless LEGALDUTY_DEMO=0."""
    if not settings.demo:
        return
