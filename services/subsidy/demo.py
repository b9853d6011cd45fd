"""Demo data for an empty subsidy database: the demo prefecture's rate tables and yearly budgets."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import func, select

from services.common.db import UnitOfWork, make_engine, make_session_factory
from services.common.settings import Settings
from services.subsidy.adapters.orm import BudgetRow, SchemeRow, metadata
from services.subsidy.domain.demo import demo_budgets, demo_schemes
from services.subsidy.service import budgets, schemes
from services.subsidy.service.unit_of_work import PRODUCER, Unit

log = logging.getLogger(__name__)
DEMO_ACTOR = "system:demo"


def is_empty(unit: Unit) -> bool:
    """No scheme and no budget yet."""
    session = unit.session
    return not (
        session.execute(select(func.count()).select_from(SchemeRow)).scalar_one()
        or session.execute(select(func.count()).select_from(BudgetRow)).scalar_one()
    )


def load_into(unit: Unit) -> bool:
    """Add the demo schemes and budgets (through the use cases, audited) when the database is empty."""
    if not is_empty(unit):
        return False
    for body in demo_schemes():
        schemes.create_scheme(unit, body=body, actor=DEMO_ACTOR)
    for body in demo_budgets():
        budgets.create_budget(
            unit,
            region_code=body["region_code"],
            kind=body["kind"],
            year=body["year"],
            amount=Decimal(body["amount"]),
            actor=DEMO_ACTOR,
        )
    return True


def load_demo(settings: Settings) -> None:
    """Load the demo prefecture into an empty database unless LEGALDUTY_DEMO=0."""
    if not settings.demo:
        return
    engine = make_engine(settings.database_url)
    try:
        with UnitOfWork(make_session_factory(engine, metadata), producer=PRODUCER) as uow:
            if load_into(uow):
                uow.commit()
                log.info("subsidy demo data loaded")
    finally:
        engine.dispose()
