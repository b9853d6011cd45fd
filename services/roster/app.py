"""create_app for the roster service: one blueprint per resource, refusals mapped to problem+json once."""

from __future__ import annotations

from flask import Flask

from services.common.settings import Settings, load_settings
from services.common.web import create_service_app
from services.roster.adapters.orm import metadata


def create_app(settings: Settings | None = None) -> Flask:
    from services.roster.api import (
        assignments,
        calendar,
        duty_patterns,
        fairness,
        imports,
        languages,
        lawyers,
        leaves,
        me,
        problems,
        rosters,
        stations,
        swaps,
    )

    settings = settings or load_settings("roster")
    blueprints = [
        lawyers.blp,
        stations.blp,
        duty_patterns.blp,
        leaves.blp,
        calendar.blp,
        rosters.blp,
        assignments.blp,
        me.blp,
        swaps.blp,
        imports.blp,
        fairness.blp,
        languages.blp,
    ]
    app, api = create_service_app(settings, metadata=metadata, title="legalduty roster")
    problems.register(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return app
