"""The project's documentation stands alone and stays true to the code it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.common.events import EVENT_SCHEMAS
from services.common.settings import ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("services/*/README.md")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# files that live beside the repository in the team's workspace, never inside it
OUTSIDE = ("CONTRACT" + ".md", "STYLE" + ".md", "DOMAIN" + ".md", "../" + "shared/")


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    return {
        re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", markdown, re.MULTILINE)
    }


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_in_the_docs_leads_to_a_file_and_heading_in_the_repository(page: Path) -> None:
    text = page.read_text()
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.is_relative_to(ROOT), f"{page.name} links to {target}, outside the repository"
        assert file.exists(), f"{page.name} links to {target}, which is not here"
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file.read_text()), f"{page.name} links to {target}: no such heading"


def test_nothing_in_the_repository_points_at_files_outside_it() -> None:
    folders = ("services", "tests", "bench", "deploy", "docs", ".ci")
    files = [
        p
        for f in folders
        for p in (ROOT / f).rglob("*")
        if p.is_file()
        and p.suffix
        in (".py", ".md", ".sh", ".yml", ".yaml", ".toml", ".txt", ".json", ".env", ".example", "")
    ]
    files += [ROOT / name for name in ("README.md", "Makefile", "pyproject.toml", "docker-compose.yml")]
    offenders = sorted(
        f"{p.relative_to(ROOT)}: {name}"
        for p in files
        if "__pycache__" not in p.parts
        for name in OUTSIDE
        if name in p.read_text(errors="replace")
    )
    assert offenders == []


def test_the_tour_downloads_into_the_ignored_var_folder_never_the_repository_root() -> None:
    targets = [t for page in DOCS for t in re.findall(r"curl [^\n]* -o (\S+)", page.read_text())]
    assert targets, "the tours download files: this test must see them"
    assert [t for t in targets if not t.startswith("var/")] == []
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_api_page_names_every_event_type_the_code_knows() -> None:
    api = (ROOT / "docs" / "api.md").read_text()
    # `subsidy.claim.created` / `.approved` names two types
    assert [t for t in EVENT_SCHEMAS if f"`{t}`" not in api and f"`.{t.rsplit('.', 1)[1]}`" not in api] == []


def test_the_runbook_explains_every_variable_the_settings_read() -> None:
    runbook = (ROOT / "docs" / "operations.md").read_text()
    assert [name for name in ENVIRONMENT if f"`{name}`" not in runbook] == []
