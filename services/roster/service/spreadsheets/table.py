"""The table of an upload: its header row found among the first rows, and every row below it as
{field: cell}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from services.roster.domain.errors import Invalid
from services.roster.service.spreadsheets.columns import IGNORED_QUIETLY, Kind, header_key
from services.roster.service.spreadsheets.upload import (
    HEADER_SCAN,
    MAX_ROWS,
    blank,
    clean,
    read_table,
    too_many_rows,
)


@dataclass
class Table:
    rows: list[tuple[int, dict[str, Any]]]  # row number -> {field: cell}, empty cells left out
    present: frozenset[str]  # the fields the file has a column for
    ignored: list[str]  # header cells the import does not use


def read_header_and_rows(content: bytes, charset: str | None, kind: Kind, mode: str) -> Table:
    rows = read_table(content, charset=charset)
    aliases = kind.aliases()
    header_at = next(
        (
            i
            for i, (_, cells) in enumerate(rows[:HEADER_SCAN])
            if sum(1 for c in cells if isinstance(c, str) and header_key(c) in aliases) >= 2
        ),
        None,
    )
    if header_at is None:
        expected = ", ".join(kind.label(name) for name in kind.required)
        raise Invalid(
            f"no header row found; the first row names the columns, e.g. {expected}",
            errors={"header": [f"no header row naming the columns, e.g. {expected}"]},
        )
    number, cells = rows[header_at]
    columns: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, cell in enumerate(cells):
        if blank(cell):
            continue
        text = clean(str(cell))
        name = aliases.get(header_key(text))
        if name is None:
            if header_key(text) not in IGNORED_QUIETLY:
                ignored.append(text)
            continue
        if name in columns.values():
            other = next(i for i, n in columns.items() if n == name)
            problems.append(
                f"columns {get_column_letter(other + 1)} and {get_column_letter(index + 1)} "
                f"both mean {kind.label(name)}"
            )
        columns[index] = name
    needed = kind.identity if mode == "upsert" else kind.required
    problems += [f"missing column {kind.label(name)}" for name in needed if name not in columns.values()]
    if problems:
        raise Invalid(
            f"the header (row {number}) is not usable: {'; '.join(problems)}", errors={"header": problems}
        )
    data = [
        (n, {name: cells[i] for i, name in columns.items() if i < len(cells) and not blank(cells[i])})
        for n, cells in rows[header_at + 1 :]
    ]
    data = [(n, values) for n, values in data if values]
    if not data:
        raise Invalid(
            "the file has a header but no rows below it", errors={"file": ["no rows below the header"]}
        )
    if len(data) > MAX_ROWS:
        raise too_many_rows()
    return Table(data, frozenset(columns.values()), ignored)
