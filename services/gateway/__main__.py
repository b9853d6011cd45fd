import sys
from pathlib import Path

from services.common.cli import ServiceCommands, main


def _metadata():
    from services.gateway.adapters.orm import metadata

    return metadata


def _handlers(settings):
    from services.gateway.consumers import HANDLERS

    return HANDLERS


def _seed(settings):
    from services.gateway.service.bootstrap import ensure_first_admin

    ensure_first_admin(settings)


sys.exit(
    main(
        ServiceCommands(
            "gateway", _metadata, Path(__file__).parent / "migrations", handlers=_handlers, seed=_seed
        )
    )
)
