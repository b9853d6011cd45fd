"""`python -m services.subsidy audit-verify`: check the audit chain; exit 1 and name the first bad record."""

from __future__ import annotations

import json
import sys

from services.common.db import UnitOfWork, make_engine, make_session_factory
from services.common.settings import Settings
from services.subsidy.adapters.orm import metadata
from services.subsidy.service import audit
from services.subsidy.service.unit_of_work import PRODUCER


def audit_verify(settings: Settings, args: list[str]) -> int:
    engine = make_engine(settings.database_url)
    try:
        with UnitOfWork(make_session_factory(engine, metadata), producer=PRODUCER) as uow:
            result = audit.verify(uow)
    finally:
        engine.dispose()
    print(json.dumps(audit.jsonable(result), ensure_ascii=False))
    if not result["ok"]:
        print(result["detail"], file=sys.stderr)
        return 1
    return 0
