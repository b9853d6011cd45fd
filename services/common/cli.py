"""`python -m services.<service> <command>`: the same commands for every service."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData

from services.common.settings import load_settings


@dataclass
class ServiceCommands:
    service: str
    metadata: Callable[[], MetaData]
    migrations: Path
    handlers: Callable[[Any], dict[str, Any]] = lambda settings: {}
    background: Callable[[Any], list[Any]] = lambda settings: []
    seed: Callable[[Any], None] | None = None
    extra: dict[str, Callable[[Any, list[str]], int]] = field(default_factory=dict)


def main(spec: ServiceCommands, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m services.{spec.service}")
    parser.add_argument(
        "command",
        choices=["migrate", "makemigration", "relay", "worker", "seed", "deadletters", *spec.extra],
    )
    parser.add_argument("args", nargs="*")
    ns = parser.parse_args(argv)
    settings = load_settings(spec.service)
    if ns.command == "migrate":
        from services.common.migrate import upgrade

        upgrade(settings.database_url, spec.migrations)
    elif ns.command == "makemigration":
        from services.common.migrate import make_revision

        make_revision(settings.database_url, spec.migrations, " ".join(ns.args) or "change")
    elif ns.command == "relay":
        from services.common.runner import run_relay

        run_relay(settings, spec.metadata())
    elif ns.command == "worker":
        from services.common.runner import run_worker

        run_worker(settings, spec.metadata(), spec.handlers(settings), spec.background(settings))
    elif ns.command == "seed":
        if spec.seed:
            spec.seed(settings)
    elif ns.command == "deadletters":
        from services.common.deadletters import cli

        return cli(settings, ns.args)
    else:
        return spec.extra[ns.command](settings, ns.args)
    return 0
