"""JSON logs carrying the request or correlation id; never passwords or tokens."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_SECRET = re.compile(r"(?i)(password|token|secret|authorization)")


def _context_ids() -> dict[str, Any]:
    try:
        from flask import g, has_request_context

        if has_request_context():
            return {"request_id": getattr(g, "request_id", None)}
    except Exception:  # noqa: BLE001 - logging must never fail
        pass
    return {}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str, process: str):
        super().__init__()
        self.service = service
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "process": self.process,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        doc.update({k: v for k, v in _context_ids().items() if v})
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            doc[key] = "[redacted]" if _SECRET.search(key) else value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure_logging(service: str, process: str, level: str = "INFO") -> None:
    """Send JSON lines to stderr (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_legalduty", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service, process))
    handler._legalduty = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("kombu").setLevel("WARNING")
    logging.getLogger("amqp").setLevel("WARNING")
