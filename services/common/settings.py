"""Settings read from the environment once, into a frozen object (docs/api.md, "Running it")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("gateway", "roster", "subsidy")
CONSOLE = "console"  # the web console for people: a web process only (no database, no events)
DEFAULT_PORTS = {"gateway": 8000, "roster": 8001, "subsidy": 8002, CONSOLE: 8003}

# Every environment variable the system reads, with its meaning; deploy/ and the compose file are checked
# against this table by tests/contract/test_compose.py.
ENVIRONMENT = {
    "LEGALDUTY_DATA_DIR": "embedded mode's SQLite files and broker folders (default ./var)",
    "LEGALDUTY_BIND": "address the HTTP servers bind (default 127.0.0.1)",
    "LEGALDUTY_GATEWAY_PORT": "gateway port (8000)",
    "LEGALDUTY_ROSTER_PORT": "roster port (8001)",
    "LEGALDUTY_SUBSIDY_PORT": "subsidy port (8002)",
    "LEGALDUTY_ROSTER_URL": "where the gateway reaches the roster when not on this host (http://roster:8001)",
    "LEGALDUTY_SUBSIDY_URL": "where the gateway reaches the subsidy service when not on this host",
    "LEGALDUTY_CONSOLE_URL": "where the gateway reaches the web console when not on this host (http://console:8003)",
    "LEGALDUTY_GATEWAY_URL": "where the console reaches the gateway's API when not on this host (http://gateway:8000)",
    "LEGALDUTY_CONSOLE_PORT": "web console port (8003); the gateway serves it at / on its own port",
    "GATEWAY_DATABASE_URL": "gateway database (SQLAlchemy URL)",
    "ROSTER_DATABASE_URL": "roster database (SQLAlchemy URL)",
    "SUBSIDY_DATABASE_URL": "subsidy database (SQLAlchemy URL)",
    "LEGALDUTY_BROKER_URL": "unset = embedded kombu filesystem transport; amqp://... = RabbitMQ",
    "LEGALDUTY_ADMIN_PASSWORD": "first admin's password (random and printed once when unset)",
    "LEGALDUTY_DEMO": "0 = do not load the demo prefecture into empty databases",
    "LEGALDUTY_ENV": "development (default) or production (strict secrets)",
    "LEGALDUTY_JWT_SECRET": "signing secret of user tokens (>= 32 bytes in production)",
    "LEGALDUTY_INTERNAL_SECRET": "signing secret of the identity the gateway passes to the services",
    "LEGALDUTY_MAX_DELIVERIES": "deliveries of an event to a handler before it is dead-lettered (5)",
    "LEGALDUTY_RETRY_BACKOFF": "first retry delay in seconds, doubled per try (0.5)",
    "LEGALDUTY_WEB_WORKERS": "gunicorn workers per service (2)",
    "LEGALDUTY_REPLICAS": "outbox relays and event workers `make run` starts per service (1)",
    "LEGALDUTY_LOG_LEVEL": "INFO by default",
}


class SettingsError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything one process of one service needs to know about its surroundings."""

    service: str
    data_dir: Path
    bind: str
    port: int
    ports: Mapping[str, int]
    database_url: str
    broker_url: str | None
    admin_password: str | None
    demo: bool
    production: bool
    jwt_secret: str
    internal_secret: str
    max_deliveries: int = 5
    retry_backoff: float = 0.5
    web_workers: int = 2
    replicas: int = 1
    log_level: str = "INFO"
    extra: Mapping[str, str] = field(default_factory=dict)
    service_urls: Mapping[str, str] = field(default_factory=dict)

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url

    def service_url(self, service: str) -> str:
        """Base URL of another service: LEGALDUTY_<SERVICE>_URL when set, else its port on this host."""
        if service in self.service_urls:
            return self.service_urls[service]
        host = "127.0.0.1" if self.bind in ("0.0.0.0", "::", "") else self.bind
        return f"http://{host}:{self.ports[service]}"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
    return value


def default_database_url(service: str, data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / f'{service}.sqlite3').resolve()}"


DEV_JWT_SECRET = "legalduty-development-secret-not-for-production-use"
DEV_INTERNAL_SECRET = "legalduty-development-internal-secret-not-for-production"
MIN_SECRET_BYTES = 32


def _require_strong(secrets: Mapping[str, str]) -> None:
    for name, value in secrets.items():
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"{name} must be set to at least {MIN_SECRET_BYTES} bytes in production")


def check_production_secrets(settings: Settings) -> None:
    """In production both signing secrets are at least MIN_SECRET_BYTES long, and different; SettingsError
    otherwise. `load_settings` checks their length already; this also holds settings made any other way."""
    if not settings.production:
        return
    _require_strong(
        {"LEGALDUTY_JWT_SECRET": settings.jwt_secret, "LEGALDUTY_INTERNAL_SECRET": settings.internal_secret}
    )
    if settings.jwt_secret == settings.internal_secret:
        raise SettingsError("LEGALDUTY_JWT_SECRET and LEGALDUTY_INTERNAL_SECRET must differ in production")


def load_settings(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings of `service` from the environment (os.environ by default)."""
    if service not in (*SERVICES, CONSOLE):
        raise SettingsError(f"unknown service {service!r}")
    env = os.environ if env is None else env
    data_dir = Path(env.get("LEGALDUTY_DATA_DIR") or "./var")
    ports = {
        name: _int(env, f"LEGALDUTY_{name.upper()}_PORT", default) for name, default in DEFAULT_PORTS.items()
    }
    production = env.get("LEGALDUTY_ENV", "development") == "production"
    jwt_secret = env.get("LEGALDUTY_JWT_SECRET") or ""
    internal_secret = env.get("LEGALDUTY_INTERNAL_SECRET") or ""
    if production:
        _require_strong({"LEGALDUTY_JWT_SECRET": jwt_secret, "LEGALDUTY_INTERNAL_SECRET": internal_secret})
    jwt_secret = jwt_secret or DEV_JWT_SECRET
    internal_secret = internal_secret or DEV_INTERNAL_SECRET
    try:
        backoff = float(env.get("LEGALDUTY_RETRY_BACKOFF") or 0.5)
    except ValueError as exc:
        raise SettingsError("LEGALDUTY_RETRY_BACKOFF must be a number of seconds") from exc
    return Settings(
        service=service,
        data_dir=data_dir,
        bind=env.get("LEGALDUTY_BIND") or "127.0.0.1",
        port=ports[service],
        ports=ports,
        database_url=env.get(f"{service.upper()}_DATABASE_URL") or default_database_url(service, data_dir),
        broker_url=env.get("LEGALDUTY_BROKER_URL") or None,
        admin_password=env.get("LEGALDUTY_ADMIN_PASSWORD") or None,
        demo=env.get("LEGALDUTY_DEMO", "1") not in ("0", "false", "no"),
        production=production,
        jwt_secret=jwt_secret,
        internal_secret=internal_secret,
        max_deliveries=_int(env, "LEGALDUTY_MAX_DELIVERIES", 5),
        retry_backoff=backoff,
        web_workers=_int(env, "LEGALDUTY_WEB_WORKERS", 2),
        replicas=_int(env, "LEGALDUTY_REPLICAS", 1),
        log_level=env.get("LEGALDUTY_LOG_LEVEL") or "INFO",
        service_urls={
            name: url.rstrip("/")
            for name in (*SERVICES, CONSOLE)
            if (url := env.get(f"LEGALDUTY_{name.upper()}_URL"))
        },
    )
