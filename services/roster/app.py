"""create_app for the roster service."""

from __future__ import annotations

from flask import Flask

from services.common.settings import Settings, load_settings
from services.common.web import create_service_app
from services.roster.adapters.orm import metadata


def create_app(settings: Settings | None = None) -> Flask:
    from services.roster.api.common import register_roster_errors
    from services.roster.api.masterdata import blp as masterdata
    from services.roster.api.rosters import blp as rosters
    from services.roster.api.spreadsheets import blp as spreadsheets

    settings = settings or load_settings("roster")
    app, _api = create_service_app(settings, metadata=metadata, title="legalduty roster", blueprints=[masterdata, rosters, spreadsheets])
    register_roster_errors(app)
    return app
