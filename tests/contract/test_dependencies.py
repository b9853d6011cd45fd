"""The dependency files say what the services need to run apart from what tests and lint need, and the image
installs only the first and runs unprivileged."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, by canonical name (comments and `-r` lines aside)."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        assert match, f"{path.name}: {line!r} is not pinned exactly (name==version)"
        assert canonical(match[1]) not in found, f"{path.name}: {match[1]} is pinned twice"
        found[canonical(match[1])] = match[2]
    return found


RUNTIME = pins(ROOT / "requirements.txt")
DEV = pins(ROOT / "requirements-dev.txt")


def test_the_development_file_adds_tools_to_the_runtime_without_pinning_anything_twice() -> None:
    first = next(
        line
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert first == "-r requirements.txt"
    assert set(RUNTIME) & set(DEV) == set()
    assert {"pytest", "pytest-timeout", "hypothesis", "schemathesis", "ruff", "mypy", "import-linter"} <= set(
        DEV
    )
    assert not {"pytest", "ruff", "mypy", "hypothesis", "schemathesis", "requests", "pika"} & set(RUNTIME)


def imported_libraries(folder: Path) -> set[str]:
    """Top-level names of the third-party modules the code under `folder` imports."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"services", "__future__"}


def test_every_library_the_services_import_is_a_runtime_requirement() -> None:
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module in imported_libraries(ROOT / "services"):
        owners = {canonical(d) for d in distributions.get(module, [module])}
        if not owners & set(RUNTIME):
            missing[module] = sorted(owners)
    assert missing == {}, f"imported by services/ but not in requirements.txt: {missing}"


def test_the_image_installs_the_runtime_only_and_runs_as_an_unprivileged_user() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
        if not line.startswith("#")
    ]
    installs = [line for line in lines if "pip install" in line]
    assert installs
    assert all("-r requirements.txt" in line and "dev" not in line for line in installs)
    assert not any("requirements-dev" in line for line in lines)
    users = [i for i, line in enumerate(lines) if line.startswith("USER ")]
    assert users, "the image must name the user it runs as"
    user = lines[users[-1]].split()[1].split(":")[0]
    assert user not in ("root", "0")
    assert users[-1] > max(i for i, line in enumerate(lines) if line.startswith("RUN ")), (
        "nothing runs as root after USER"
    )
