"""Engines and units of work: one sessionmaker per process, one unit of work per request or message."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import Session, sessionmaker

from services.common.outbox import MessagingTables, add_event, messaging_tables_of

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# a server that is down or unreachable must cost a request seconds, not minutes (CONTRACT "outages")
CONNECT_TIMEOUT_S = 5  # establishing a connection
POOL_TIMEOUT_S = 5  # waiting for a free pooled connection
TCP_USER_TIMEOUT_MS = 10_000  # a silently vanished server: unacknowledged data fails the connection
READ_ONLY = "legalduty_read_only"
MESSAGING = "legalduty_messaging"


def normalise_url(url: str) -> str:
    """Let a plain postgresql:// URL work as given, with the driver the project installs (psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite: WAL, a busy timeout and immediate write transactions."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        parsed = make_url(url)
        database = parsed.database or ""
        uri = database.startswith("file:") or parsed.query.get("uri") == "true"
        path = None if database in ("", ":memory:") or uri else Path(database)  # a file on disk
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # unreachable now: requests answer 503 until it is there
                log.warning(
                    "cannot create the database's folder", extra={"path": str(path.parent), "error": str(exc)}
                )
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # let SQLAlchemy, not the driver, decide when transactions begin
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get(READ_ONLY):
                # a reader: in WAL mode it sees a consistent snapshot and never waits for a writer
                conn.exec_driver_sql("BEGIN")
                return
            # take the write lock up front: a deferred transaction that later writes fails with
            # "database is locked" instead of waiting for the busy timeout
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        if path is not None:
            _drop_connections_to_a_moved_file(engine, path)
        return engine
    # a pooled connection the server dropped (restart, failover) is noticed at checkout and replaced
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S}
    if make_url(url).get_backend_name() == "postgresql":
        connect_args.update(
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=3,
            keepalives_count=3,
            tcp_user_timeout=TCP_USER_TIMEOUT_MS,
        )
    kwargs["connect_args"] = {**connect_args, **kwargs.get("connect_args", {})}
    return create_engine(url, **kwargs)


def _drop_connections_to_a_moved_file(engine: Engine, path: Path) -> None:
    """An open SQLite connection keeps reading and writing the file it opened even after that file is moved,
    deleted or replaced (a restore): its writes would be acknowledged and lost. So a connection is handed out
    only while the path still names the file it opened; otherwise the pool is dropped and a new connection
    opens what is there now (or fails: 503 until the file is back). One stat per checkout."""

    def identity() -> tuple[int, int]:
        st = os.stat(path)
        return st.st_dev, st.st_ino

    @event.listens_for(engine, "connect")
    def _remember(_dbapi_connection: Any, record: Any) -> None:
        try:
            record.info["legalduty_file"] = identity()
        except OSError:
            record.info["legalduty_file"] = None

    @event.listens_for(engine, "checkout")
    def _still_there(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        try:
            now = identity()
        except OSError as exc:
            raise InvalidatePoolError(f"the database file {path} is gone: {exc}") from exc
        opened = record.info.get("legalduty_file")
        if opened is not None and opened != now:
            raise InvalidatePoolError(f"the database file {path} was replaced")


def make_session_factory(engine: Engine, metadata: MetaData) -> sessionmaker[Session]:
    """The process's one sessionmaker; it carries the service's messaging tables (see `messaging_of`)."""
    return sessionmaker(
        bind=engine, expire_on_commit=False, autoflush=True, info={MESSAGING: messaging_tables_of(metadata)}
    )


def messaging_of(session_factory: sessionmaker[Session]) -> MessagingTables:
    """The outbox and processed-events tables of the service a session factory was made for."""
    tables: MessagingTables = session_factory.kw["info"][MESSAGING]
    return tables


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for reads: no write lock on SQLite, READ ONLY transactions on PostgreSQL."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return engine.execution_options(**options)


def make_read_session_factory(engine: Engine, metadata: MetaData) -> sessionmaker[Session]:
    """Sessions for requests that only read (see `read_only`)."""
    return sessionmaker(
        bind=read_only(engine),
        expire_on_commit=False,
        autoflush=False,
        info={MESSAGING: messaging_tables_of(metadata)},
    )


class UnitOfWork:
    """A session whose changes, and the events they raise, are committed together or not at all."""

    def __init__(
        self, session_factory: sessionmaker[Session], *, producer: str, correlation_id: str | None = None
    ):
        self._factory = session_factory
        self.outbox = messaging_of(session_factory).outbox
        self.producer = producer
        self.correlation_id = correlation_id
        self.session: Session
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._committed = False
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        """Write an event to the outbox in this transaction; returns the event id."""
        return add_event(
            self.session,
            self.outbox,
            event_type,
            data,
            producer=self.producer,
            correlation_id=self.correlation_id,
        )

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        self.session.rollback()
