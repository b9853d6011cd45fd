"""Init container of every legalduty Deployment: wait until SERVICE's database carries the schema this image
needs, so no process of a new version runs before that version's migration Job has finished.

    python /opt/legalduty/wait_for_schema.py SERVICE [--timeout SECONDS] [--interval SECONDS]

Run from the image's /app (it imports `services`). Reads only <SERVICE>_DATABASE_URL and never migrates:
the Job legalduty-<service>-migrate does, once, so replicas never race each other on DDL.
Exit 0 when the database is at the image's Alembic head, or at a revision this image does not know (a newer
version has migrated already: migrations stay compatible with the version before, so an old pod restarted
during a roll may run); exit 1 when the timeout passes first (the kubelet then runs it again).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

sys.path.insert(0, os.getcwd())


def schema_state(service: str, database_url: str) -> tuple[set[str], set[str], set[str]]:
    """(revisions the database is at, this image's heads, every revision this image knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from services.common.db import normalise_url
    from services.common.migrate import alembic_config

    package = importlib.import_module(f"services.{service}")
    location = Path(package.__file__ or "").parent / "migrations"
    script = ScriptDirectory.from_config(alembic_config(database_url, location))
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    known = {revision.revision for revision in script.walk_revisions()}
    return current, set(script.get_heads()), known


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=["gateway", "roster", "subsidy"])
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args(argv)
    database_url = os.environ[f"{args.service.upper()}_DATABASE_URL"]
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            current, heads, known = schema_state(args.service, database_url)
            if current == heads:
                print(f"{args.service}: database at {sorted(heads)}", flush=True)
                return 0
            if current - known:
                print(
                    f"{args.service}: database at {sorted(current)}, newer than this image: going on",
                    flush=True,
                )
                return 0
            state = f"database at {sorted(current) or 'no revision'}, this image needs {sorted(heads)}"
        except (
            SQLAlchemyError,
            OSError,
        ) as exc:  # the database may not be up yet: wait for it like for the Job
            state = f"database not readable ({type(exc).__name__})"
        if time.monotonic() >= deadline:
            print(f"{args.service}: {state}; giving up", file=sys.stderr, flush=True)
            return 1
        print(f"{args.service}: {state}; waiting for the migration Job", flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
