"""`make bench`: run every benchmark; each prints JSON lines with what it measured, on what, and its
reference measured in the same run. `python -m bench NAME ...` runs only those."""

from __future__ import annotations

import importlib
import subprocess
import sys

BENCHES = {
    "event_pipeline": ("bench.event_pipeline", []),
    "roster": ("bench.roster_bench", ["--scale", "prefecture"]),
    "roster_province": ("bench.roster_bench", ["--scale", "province"]),
    "roster_service": ("bench.roster_service_bench", []),
    "roster_fairness": ("bench.roster_fairness", []),
    "roster_quality": ("bench.roster_quality", []),
    "subsidy": ("bench.subsidy_bench", []),
    "subsidy_intake": ("bench.subsidy_intake", []),
    "gateway": ("bench.gateway_bench", []),
    "read_path_cpu": ("bench.read_path_cpu", []),
    "drill": ("bench.drill", []),
    "console_render": ("bench.console_render", []),
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    failed = []
    for name in names:
        module, args = BENCHES[name]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            print(f'{{"bench": "{name}", "status": "not available", "why": "{exc}"}}', flush=True)
            continue
        print(f"# {name}", file=sys.stderr, flush=True)
        if subprocess.run([sys.executable, "-m", module, *args]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
