import sys
from pathlib import Path

from services.common.cli import ServiceCommands, main


def _metadata():
    from services.subsidy.adapters.orm import metadata

    return metadata


def _seed(settings):
    from services.subsidy.demo import load_demo

    load_demo(settings)


sys.exit(main(ServiceCommands("subsidy", _metadata, Path(__file__).parent / "migrations", seed=_seed)))
