"""Nothing below the roster's api/ package speaks HTTP: the domain and service layers raise refusals, and
api/problems.py alone gives them statuses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.roster.api.problems import STATUS, status_of
from services.roster.domain.errors import DomainError

ROSTER = Path(__file__).resolve().parents[3] / "services" / "roster"
BELOW_THE_API = ("domain", "service", "adapters")
HTTP_PACKAGES = ("flask", "flask_smorest", "werkzeug")


def http_imports(path: Path) -> list[str]:
    """The HTTP packages a module imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        found += [n for n in names if n.split(".")[0] in HTTP_PACKAGES]
    return found


def status_attributes(path: Path) -> list[str]:
    """Classes that carry an HTTP status (`status = 404`) as a class attribute."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.Assign)
                    and any(getattr(t, "id", "") == "status" for t in item.targets)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, int)
                ):
                    found.append(node.name)
    return found


MODULES = sorted(p for layer in BELOW_THE_API for p in (ROSTER / layer).rglob("*.py"))


def test_the_layers_below_the_api_are_there_to_check() -> None:
    assert len(MODULES) > 20
    assert any(p.name == "generation_worker.py" for p in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROSTER)))
def test_no_module_below_the_api_imports_flask_or_gives_an_http_status(path: Path) -> None:
    assert http_imports(path) == []
    assert status_attributes(path) == []


def test_the_checks_find_http_where_it_is(tmp_path: Path) -> None:
    module = tmp_path / "speaks_http.py"
    module.write_text(
        "from flask import abort\nimport werkzeug.exceptions\n\nclass Gone(Exception):\n    status = 410\n"
    )
    assert http_imports(module) == ["flask", "werkzeug.exceptions"]
    assert status_attributes(module) == ["Gone"]


def test_every_kind_of_refusal_has_its_own_status_and_an_unknown_one_is_a_bad_request() -> None:
    assert len({code for _, code in STATUS}) == len(STATUS)
    assert status_of(DomainError("?")) == 400
    for kind, code in STATUS:
        assert status_of(kind("refused")) == code
