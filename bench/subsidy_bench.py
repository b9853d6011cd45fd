"""Subsidy claims in bulk: price and record N case claims through the service's bulk path (domain calculation,
batched inserts, an audit record and an outbox event per claim), beside a raw bulk insert of the same rows
into the same table in the same run; then approve them all and make the month's payment batch over them.

On SQLite and on PostgreSQL (a scratch database, dropped afterwards). Prints one JSON line per database.

python -m bench.subsidy_bench [--claims 100000] [--databases sqlite,postgresql] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from services.common.db import UnitOfWork, make_engine, make_session_factory
from services.common.migrate import upgrade
from services.subsidy.adapters.orm import BankAccountRow, LawyerEntry, SchemeRow, claims_table, metadata
from services.subsidy.domain.demo import demo_schemes
from services.subsidy.service import batches, budgets, schemes
from services.subsidy.service.bulk import submit_claims_in_bulk
from services.subsidy.service.bulk_approval import approve_claims_in_bulk
from services.subsidy.service.unit_of_work import PRODUCER

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "services" / "subsidy" / "migrations"
PG_ADMIN = os.environ.get("LEGALDUTY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REGIONS = ("654002", "654004", "654021", "654022", "654023", "654024", "654025", "654026")
LAWYERS = 2000
CHUNK = 5000


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), None
            )
        info["cpu"] = model
    except OSError:
        pass
    return info


def inputs(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n case claims served in May 2026 across Ili's counties: 60% legal aid, 40% mediation."""
    rng = random.Random(seed)
    legal_aid = [
        ("criminal", "investigation"),
        ("criminal", "prosecution"),
        ("criminal", "first_instance"),
        ("criminal", "second_instance"),
        ("civil", "first_instance"),
        ("civil", "arbitration"),
        ("civil", "non_litigation"),
        ("administrative", "first_instance"),
    ]
    claims = []
    for i in range(n):
        day = date(2026, 5, rng.randint(1, 31))
        if rng.random() < 0.6:
            case_type, stage = rng.choice(legal_aid)
            attributes: dict[str, Any] = {
                "case_type": case_type,
                "stage": stage,
                "remote_area": rng.random() < 0.2,
            }
            if rng.random() < 0.3:
                attributes["language"] = rng.choice(["ug", "kk", "mn"])
            if rng.random() < 0.25:
                attributes["jurisdiction"] = rng.choice(["cross_county", "cross_city"])
            kind = "legal_aid_case"
        else:
            attributes = {
                "difficulty": rng.choice(["simple", "ordinary", "difficult", "major"]),
                "agreement": rng.random() < 0.6,
            }
            kind = "mediation_case"
        claims.append(
            {
                "kind": kind,
                "lawyer_id": f"lawyer-{rng.randrange(LAWYERS):04d}",
                "region_code": rng.choice(REGIONS),
                "case_no": f"(2026)伊{kind[:2]}字第{i:06d}号",
                "service_date": day,
                "attributes": attributes,
            }
        )
    return claims


def prepare(url: str) -> Any:
    """Migrate, then the demo standards, budgets big enough, and the lawyer directory."""
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    factory = make_session_factory(engine, metadata)
    with UnitOfWork(factory, producer=PRODUCER) as uow:
        for body in demo_schemes():
            schemes.create_scheme(uow, body=body, actor="bench")
        for kind in ("legal_aid_case", "mediation_case"):
            budgets.create_budget(
                uow,
                region_code="654000",
                kind=kind,
                year=2026,
                amount=Decimal("900000000000.00"),
                actor="bench",
            )
        now = datetime.now(UTC)
        uow.session.execute(
            insert(LawyerEntry),
            [
                {
                    "id": f"lawyer-{i:04d}",
                    "name": f"律师{i:04d}",
                    "license_no": f"1654020201{i:07d}",
                    "status": "practising",
                    "region_code": REGIONS[i % len(REGIONS)],
                    "languages": ["zh"],
                    "source_at": now,
                    "updated_at": now,
                }
                for i in range(LAWYERS)
            ],
        )
        uow.session.execute(
            insert(BankAccountRow),
            [  # a batch pays only lawyers with an account
                {
                    "lawyer_id": f"lawyer-{i:04d}",
                    "account_name": f"律师{i:04d}",
                    "account_no": f"622202020011{i:07d}",
                    "bank_name": "中国工商银行",
                    "branch": None,
                    "updated_by": "bench",
                    "updated_at": now,
                }
                for i in range(LAWYERS)
            ],
        )
        uow.commit()
    return engine, factory


def _rows(engine: Any, ids: list[str]) -> list[dict[str, Any]]:
    """The stored claims rows with these ids, as they would be inserted."""
    wanted = set(ids)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(claims_table)) if r.id in wanted]


def run(database: str, url: str, raw_url: str, n: int, rounds: int) -> dict[str, Any]:
    claims = inputs(n)
    engine, factory = prepare(url)
    upgrade(raw_url, MIGRATIONS)
    raw_engine = make_engine(raw_url)
    with engine.connect() as source, raw_engine.begin() as target:  # the same standards, so the keys hold
        target.execute(
            insert(SchemeRow.__table__),
            [dict(r._mapping) for r in source.execute(select(SchemeRow.__table__))],
        )
    try:
        # In rounds, each the service's bulk path (validate, price with the domain, insert, audit, outbox) and
        # then the same rows inserted raw into the same table of a database set up the same way: on a shared
        # machine both sides then see the same background load.
        bulk_seconds = raw_seconds = 0.0
        ids: list[str] = []
        total = Decimal("0.00")
        size = -(-n // rounds)
        for start in range(0, n, size):
            began = time.perf_counter()
            with UnitOfWork(factory, producer=PRODUCER) as uow:
                result = submit_claims_in_bulk(
                    uow, claims=claims[start : start + size], submitted_by="bench-import", chunk=CHUNK
                )
                uow.commit()
            bulk_seconds += time.perf_counter() - began
            ids += result["ids"]
            total += result["total"]
            rows = _rows(engine, result["ids"])  # not timed
            began = time.perf_counter()
            with raw_engine.begin() as conn:
                for first in range(0, len(rows), CHUNK):
                    conn.execute(insert(claims_table), rows[first : first + CHUNK])
            raw_seconds += time.perf_counter() - began

        started = time.perf_counter()
        with UnitOfWork(factory, producer=PRODUCER) as uow:
            approved = approve_claims_in_bulk(uow, claim_ids=ids, by_user="finance-bench", chunk=CHUNK)
            uow.commit()
        approve_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with UnitOfWork(factory, producer=PRODUCER) as uow:
            batch = batches.create_batch(uow, month="2026-05", region_code=None, actor="finance-bench")
            uow.commit()
        batch_seconds = time.perf_counter() - started

        with engine.connect() as conn:
            audit_rows = conn.execute(text("SELECT count(*) FROM audit_records")).scalar_one()
            outbox_rows = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
            stored_total = conn.execute(
                select(func.count()).select_from(claims_table).where(claims_table.c.batch_id == batch["id"])
            ).scalar_one()
        assert batch["total"] == total == approved["total"]
        assert stored_total == n
        bulk_rate, raw_rate = n / bulk_seconds, n / raw_seconds
        return {
            "bench": "subsidy_claims_bulk",
            "database": database,
            "claims": n,
            "bulk_seconds": round(bulk_seconds, 3),
            "bulk_rows_per_s": round(bulk_rate, 1),
            "raw_seconds": round(raw_seconds, 3),
            "raw_rows_per_s": round(raw_rate, 1),
            "rounds": rounds,
            "ratio": round(bulk_rate / raw_rate, 3),
            "goal": 0.3,
            "meets_goal": bulk_rate / raw_rate >= 0.3,
            "approve_seconds": round(approve_seconds, 3),
            "approve_rows_per_s": round(n / approve_seconds, 1),
            "batch_seconds": round(batch_seconds, 3),
            "batch_claims_per_s": round(n / batch_seconds, 1),
            "batch_lines": len(batch["lines"]),
            "batch_total": str(batch["total"]),
            "audit_records": audit_rows,
            "outbox_events": outbox_rows,
            "bulk_includes": "validation, scheme selection and calculation per claim (domain), claims insert, "
            "one hash-chained audit record and one outbox event per claim",
            "raw_is": "SQLAlchemy Core executemany of the same claim rows, same chunk size, same table and indexes",
            "machine": machine(),
        }
    finally:
        engine.dispose()
        raw_engine.dispose()


def sqlite(n: int, rounds: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="subsidy-bench-"))
    try:
        return run(
            "sqlite", f"sqlite:///{folder / 'bulk.sqlite3'}", f"sqlite:///{folder / 'raw.sqlite3'}", n, rounds
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgresql(n: int, rounds: int) -> dict[str, Any]:
    import psycopg

    names = [f"subsidy_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            for name in names:
                conn.execute(f'CREATE DATABASE "{name}"')
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    except psycopg.OperationalError as exc:
        return {
            "bench": "subsidy_claims_bulk",
            "database": "postgresql",
            "status": "not available",
            "why": str(exc),
        }
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        result = run("postgresql", f"{base}/{names[0]}", f"{base}/{names[1]}", n, rounds)
        result["postgresql"] = version
        return result
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=4, help="imports the claims are split into")
    args = parser.parse_args()
    for database in args.databases.split(","):
        result = {"sqlite": sqlite, "postgresql": postgresql}[database](args.claims, args.rounds)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
