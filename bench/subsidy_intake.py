"""Subsidy intake through the HTTP endpoint: a 20,000-row spreadsheet of a month's cases uploaded through the
gateway (`POST /api/subsidy/claims/imports`, multipart, as finance), beside a raw insert of the same rows into
the same table measured in the same run; then approving claims one by one through the API
(`POST /api/subsidy/claims/{id}/approve`) beside the bulk approval (`POST /api/subsidy/claims/approvals`).

Starts the whole system as `make run` does (services.launch on free ports, a temporary data directory, no demo
data), once on SQLite and once with the subsidy service on a scratch PostgreSQL database (dropped afterwards).
The import's time is the request's, end to end: upload through the gateway, parsing the workbook, validation,
pricing every row with the domain, the inserts, one hash-chained audit record and one outbox event per claim,
and the answer. The raw reference is a SQLAlchemy Core executemany of the very rows the import stored (read
back, not timed) into a second database migrated the same way, in chunks of 5,000.

    python -m bench.subsidy_intake [--rows 20000] [--approvals 10000] [--formats xlsx,csv]
                                   [--databases sqlite,postgresql]

Prints one JSON line per database and format; also writes them to bench/results/subsidy_intake.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gateway_bench import ADMIN_PASSWORD, System, token  # noqa: E402
from bench.subsidy_bench import LAWYERS, MIGRATIONS, PG_ADMIN, REGIONS, inputs, machine  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.common.migrate import upgrade  # noqa: E402
from services.subsidy.adapters.orm import LawyerEntry, SchemeRow, claims_table  # noqa: E402
from services.subsidy.domain.demo import demo_schemes  # noqa: E402

CHUNK = 5000
GOAL = 0.3
HEADER = [
    "案件类型",
    "律师编号",
    "行政区划代码",
    "案号",
    "服务日期",
    "材料",
    "难易程度",
    "是否达成协议",
    "案件类别",
    "诉讼阶段",
    "偏远地区",
    "语言",
    "管辖",
]
KIND_NAMES = {"mediation_case": "人民调解", "legal_aid_case": "法律援助"}


def spreadsheet_rows(n: int, *, prefix: str) -> list[list[Any]]:
    """n cases as a committee's spreadsheet writes them (Chinese kind names and booleans, two documents each)."""
    rows = []
    for claim in inputs(n):
        a = claim["attributes"]
        yes_no = {True: "是", False: "否", None: None}
        rows.append(
            [
                KIND_NAMES[claim["kind"]],
                claim["lawyer_id"],
                claim["region_code"],
                f"{prefix}{claim['case_no']}",
                claim["service_date"].isoformat(),
                "申请表;结案报告",
                a.get("difficulty"),
                yes_no[a.get("agreement")],
                a.get("case_type"),
                a.get("stage"),
                yes_no[a.get("remote_area")],
                a.get("language"),
                a.get("jurisdiction"),
            ]
        )
    return rows


def as_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode("gbk")  # as older software writes it


class Api:
    def __init__(self, system: System, bearer: str) -> None:
        self.base = system.url("gateway") + "/api"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {bearer}"

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.base + path, timeout=600, **kwargs)


def finance_user(system: System, admin: Api, name: str) -> Api:
    password = "bench-finance-password"
    created = admin.post("/users", json={"username": name, "password": password, "role": "finance"})
    assert created.status_code == 201, created.text
    return Api(system, token(system, name, password))


def prepare(system: System, url: str, finance: Api) -> None:
    """The demo standards and budgets big enough, through the API; the lawyer directory written directly (the
    roster's events would fill it; the bench does not wait for 2,000 of them)."""
    deadline = (
        time.monotonic() + 60
    )  # the gateway learns the subsidy service's routes from its OpenAPI document
    while finance.session.get(finance.base + "/subsidy/schemes", timeout=10).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the gateway does not route to the subsidy service")
        time.sleep(0.5)
    for body in demo_schemes():
        if body["kind"] != "station_duty":
            response = finance.post("/subsidy/schemes", json=body)
            assert response.status_code == 201, response.text
    for kind in ("legal_aid_case", "mediation_case"):
        response = finance.post(
            "/subsidy/budgets",
            json={"region_code": "654000", "kind": kind, "year": 2026, "amount": "900000000.00"},
        )
        assert response.status_code == 201, response.text
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
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
    engine.dispose()


def raw_insert(url: str, raw_url: str, ids: list[str]) -> float:
    """Seconds to insert the stored rows of these claims, as they are, into the raw database's claims table."""
    engine, raw = make_engine(url), make_engine(raw_url)
    try:
        wanted = set(ids)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(claims_table)) if r.id in wanted]
        with raw.begin() as target, engine.connect() as source:  # the same standards, so the keys hold
            known = set(target.execute(select(SchemeRow.id)).scalars())
            schemes = [
                dict(r._mapping) for r in source.execute(select(SchemeRow.__table__)) if r.id not in known
            ]
            if schemes:
                target.execute(insert(SchemeRow.__table__), schemes)
        began = time.perf_counter()
        with raw.begin() as conn:
            for first in range(0, len(rows), CHUNK):
                conn.execute(insert(claims_table), rows[first : first + CHUNK])
        return time.perf_counter() - began
    finally:
        engine.dispose()
        raw.dispose()


def run(
    database: str,
    url: str | None,
    raw_url: str,
    data_dir: Path,
    *,
    rows: int,
    approvals: int,
    formats: list[str],
) -> list[dict[str, Any]]:
    system = System(data_dir, demo=False)
    if url is not None:
        system.env["SUBSIDY_DATABASE_URL"] = url
    url = url or f"sqlite:///{(data_dir / 'subsidy.sqlite3').resolve()}"
    upgrade(raw_url, MIGRATIONS)
    system.start()
    results = []
    try:
        admin = Api(system, token(system, "admin", ADMIN_PASSWORD))
        importer, approver = finance_user(system, admin, "importer"), finance_user(system, admin, "approver")
        prepare(system, url, importer)
        imported: list[str] = []
        for fmt in formats:
            content = (as_xlsx if fmt == "xlsx" else as_csv)(spreadsheet_rows(rows, prefix=f"{fmt}-"))
            mime = (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if fmt == "xlsx"
                else "text/csv; charset=gbk"
            )
            began = time.perf_counter()
            response = importer.post(
                "/subsidy/claims/imports", files={"file": (f"cases.{fmt}", content, mime)}
            )
            seconds = time.perf_counter() - began
            assert response.status_code == 201, response.text[:2000]
            body = response.json()
            assert body["created"] == rows
            ids = [c["id"] for c in body["claims"]]
            imported += ids
            raw_seconds = raw_insert(url, raw_url, ids)
            rate, raw_rate = rows / seconds, rows / raw_seconds
            results.append(
                {
                    "bench": "subsidy_intake",
                    "database": database,
                    "format": fmt,
                    "rows": rows,
                    "file_bytes": len(content),
                    "import_seconds": round(seconds, 3),
                    "import_rows_per_s": round(rate, 1),
                    "raw_seconds": round(raw_seconds, 3),
                    "raw_rows_per_s": round(raw_rate, 1),
                    "ratio": round(rate / raw_rate, 3),
                    "goal": GOAL,
                    "meets_goal": rate / raw_rate >= GOAL,
                    "import_includes": "upload through the gateway, parsing, validation, pricing per row, claims insert, "
                    "one audit record and one outbox event per claim, the answer",
                    "raw_is": "SQLAlchemy Core executemany of the same stored rows, chunks of 5,000, same table",
                }
            )
        n = min(approvals, len(imported) // 2)
        one_by_one, at_once = imported[:n], imported[n : 2 * n]
        began = time.perf_counter()
        for claim_id in one_by_one:
            response = approver.post(f"/subsidy/claims/{claim_id}/approve")
            assert response.status_code == 200, response.text
        single_seconds = time.perf_counter() - began
        began = time.perf_counter()
        for first in range(0, len(at_once), 10_000):
            response = approver.post(
                "/subsidy/claims/approvals", json={"claim_ids": at_once[first : first + 10_000]}
            )
            assert response.status_code == 200, response.text
        bulk_seconds = time.perf_counter() - began
        results.append(
            {
                "bench": "subsidy_approvals",
                "database": database,
                "claims": n,
                "one_by_one_seconds": round(single_seconds, 3),
                "one_by_one_per_s": round(n / single_seconds, 1),
                "bulk_seconds": round(bulk_seconds, 3),
                "bulk_per_s": round(n / bulk_seconds, 1),
                "speedup": round(single_seconds / bulk_seconds, 1),
                "note": "both through the gateway as one finance user; one by one is one request per claim on one "
                "keep-alive connection; bulk is POST /claims/approvals with up to 10,000 ids",
            }
        )
        return results
    finally:
        system.stop()


def sqlite(**kwargs: Any) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="subsidy-intake-"))
    try:
        return run("sqlite", None, f"sqlite:///{folder / 'raw.sqlite3'}", folder / "var", **kwargs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgresql(**kwargs: Any) -> list[dict[str, Any]]:
    import psycopg

    names = [f"subsidy_intake_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            for name in names:
                conn.execute(f'CREATE DATABASE "{name}"')
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    except psycopg.OperationalError as exc:
        return [
            {"bench": "subsidy_intake", "database": "postgresql", "status": "not available", "why": str(exc)}
        ]
    base = PG_ADMIN.rsplit("/", 1)[0]
    folder = Path(tempfile.mkdtemp(prefix="subsidy-intake-"))
    try:
        results = run("postgresql", f"{base}/{names[0]}", f"{base}/{names[1]}", folder / "var", **kwargs)
        for result in results:
            result["postgresql"] = version
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--approvals", type=int, default=10_000, help="claims approved each way")
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    everything = []
    for database in args.databases.split(","):
        results = {"sqlite": sqlite, "postgresql": postgresql}[database](
            rows=args.rows, approvals=args.approvals, formats=args.formats.split(",")
        )
        for result in results:
            result["machine"] = machine()
            print(json.dumps(result, ensure_ascii=False), flush=True)
        everything += results
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "subsidy_intake.json").write_text(json.dumps(everything, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("LEGALDUTY_LOG_LEVEL", "WARNING")
    main()
