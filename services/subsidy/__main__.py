import sys
from pathlib import Path

from services.common.cli import ServiceCommands, main


def _metadata():
    from services.subsidy.adapters.orm import metadata

    return metadata


def _handlers(settings):
    from services.subsidy.consumers import HANDLERS

    return HANDLERS


def _seed(settings):
    from services.subsidy.demo import load_demo

    load_demo(settings)


def _audit_verify(settings, args):
    from services.subsidy.cli import audit_verify

    return audit_verify(settings, args)


sys.exit(
    main(
        ServiceCommands(
            "subsidy",
            _metadata,
            Path(__file__).parent / "migrations",
            handlers=_handlers,
            seed=_seed,
            extra={"audit-verify": _audit_verify},
        )
    )
)
