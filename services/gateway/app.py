"""create_app for the gateway."""

from __future__ import annotations

from flask import Flask

from services.common.settings import Settings, load_settings
from services.common.web import create_service_app
from services.gateway.adapters.orm import metadata


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("gateway")
    app, _api = create_service_app(
        settings, metadata=metadata, title="legalduty gateway", authenticate=lambda app: None
    )
    return app
