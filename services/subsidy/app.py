"""create_app for the subsidy service."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine

from services.common.settings import Settings, load_settings
from services.common.web import create_service_app
from services.subsidy.adapters.orm import metadata
from services.subsidy.api import audit, bank_accounts, batches, budgets, claims, estimates, imports, schemes
from services.subsidy.api.problems import register_problems


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    settings = settings or load_settings("subsidy")
    app, api = create_service_app(settings, metadata=metadata, title="legalduty subsidy", engine=engine)
    register_problems(app, api)
    for blueprint in (
        schemes.blp,
        imports.blp,
        claims.blp,
        budgets.blp,
        batches.blp,
        batches.profiles_blp,
        bank_accounts.blp,
        estimates.blp,
        audit.blp,
    ):
        api.register_blueprint(blueprint)
    return app
