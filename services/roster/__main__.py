import sys
from pathlib import Path

from services.common.cli import ServiceCommands, main


def _metadata():
    from services.roster.adapters.orm import metadata

    return metadata


def _background(settings):
    from services.common.db import make_engine, make_session_factory
    from services.roster.adapters.orm import metadata
    from services.roster.service.generation_worker import generation_loop

    return [generation_loop(make_session_factory(make_engine(settings.database_url), metadata))]


def _seed(settings):
    from services.roster.demo import load_demo

    load_demo(settings)


sys.exit(
    main(
        ServiceCommands(
            "roster", _metadata, Path(__file__).parent / "migrations", background=_background, seed=_seed
        )
    )
)
