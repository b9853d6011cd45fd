"""Importing lawyers and stations from a scheduler's spreadsheet, all or nothing.

An import first validates every row without writing (the API's schemas, the file's own duplicates and
references, the database's duplicates and references) and refuses the whole file with every bad row and
field named; only a clean file is written, each row through the same use case as the API (which checks again
and emits the upserted event), in the caller's one unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import select

from services.common.db import UnitOfWork
from services.roster.adapters.orm import LawyerRow, StationRow
from services.roster.domain.errors import DomainError, Invalid
from services.roster.service import lawyers as lawyer_cases
from services.roster.service import stations as station_cases
from services.roster.service.rows import in_chunks
from services.roster.service.spreadsheets.columns import (
    LAWYER_CELLS,
    LAWYERS,
    LICENCE,
    PENDING,
    STATION_CELLS,
    STATIONS,
    CellError,
    Kind,
)
from services.roster.service.spreadsheets.table import Table, read_header_and_rows

MODES = ("create", "upsert")


# ------------------------------------------------------------------------------------------------ rows


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # field -> converted cell
    errors: dict[str, list[str]] = field(default_factory=dict)
    data: dict[str, Any] | None = None  # as the API's schema loaded it
    existing: Any = None  # upsert: the stored lawyer or station the row updates
    ref_row: int | None = None  # the supervisor / parent: another row of the file ...
    ref_id: str | None = None  # ... or a stored one

    def fail(self, name: str, message: str) -> None:
        messages = self.errors.setdefault(name, [])
        if message not in messages:
            messages.append(message)


def _rows(table: Table, cells: dict[str, Callable[[Any], Any]]) -> list[_Row]:
    rows = []
    for number, raw in table.rows:
        row = _Row(number, {})
        for name, value in raw.items():
            try:
                row.values[name] = cells[name](value)
            except CellError as exc:
                row.fail(name, str(exc))
        rows.append(row)
    return rows


def _load(
    row: _Row,
    schema: Schema,
    values: dict[str, Any],
    kind: Kind,
    present: frozenset[str],
    renames: dict[str, str],
) -> None:
    """Validate a row with the API's own schema, filing its messages under the spreadsheet's column names. When
    some fields are bad, the others are validated again on their own, so that the rules across fields (an
    intern's dates and supervisor) are reported in the same answer."""
    try:
        row.data = schema.load(values)
        return
    except ValidationError as exc:
        _file(row, exc.messages, kind, present, renames)
    rest = {k: v for k, v in values.items() if renames.get(k, k) not in row.errors}
    try:
        schema.load(rest, partial=True)
    except ValidationError as exc:
        _file(row, exc.messages, kind, present, renames)


def _file(row: _Row, messages: Any, kind: Kind, present: frozenset[str], renames: dict[str, str]) -> None:
    for name, texts in _messages(messages):
        name = renames.get(name, name)
        if name in row.errors:
            continue  # the cell's own message says more
        for text in texts:
            if text == "Missing data for required field.":
                text = (
                    f"required: the file has no {kind.labels.get(name, name)} column"
                    if name not in present
                    else "required: the cell is empty"
                )
            row.fail(name, text)


def _messages(messages: Any) -> list[tuple[str, list[str]]]:
    """marshmallow's messages as (field, [messages]); a list's positions fold into their field."""
    if not isinstance(messages, dict):
        return [("_row", _leaves(messages))]
    return [("_row" if key == "_schema" else str(key), _leaves(value)) for key, value in messages.items()]


def _leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _leaves(v)]
    if isinstance(value, list):
        return [m for v in value for m in _leaves(v)]
    return [str(value)]


def _creation_order(rows: Sequence[_Row]) -> tuple[list[int], set[int]]:
    """Row positions so that every row comes after the row it refers to; and the rows in a loop."""
    order: list[int] = []
    placed: set[int] = set()
    looped: set[int] = set()
    for start in range(len(rows)):
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in placed and node not in chain:
            chain.append(node)
            node = rows[node].ref_row
        if node is not None and node in chain:
            looped.update(chain[chain.index(node) :])
        for position in reversed(chain):
            placed.add(position)
            order.append(position)
    return order, looped


def _refuse_if_bad(rows: Sequence[_Row], kind: Kind) -> None:
    bad = [row for row in rows if row.errors]
    if not bad:
        return
    place = {name: i for i, name in enumerate(["_row", *kind.columns])}
    errors = {
        f"row {row.number}" if name == "_row" else f"row {row.number}.{name}": row.errors[name]
        for row in bad
        for name in sorted(row.errors, key=lambda n: place.get(n, len(place)))
    }
    first = "; ".join(f"{key}: {messages[0]}" for key, messages in list(errors.items())[:3])
    raise Invalid(
        f"{len(bad)} of {len(rows)} rows have errors, so nothing was imported; "
        f"{first}{'; …' if len(errors) > 3 else ''}",
        errors=errors,
        bad_rows=[row.number for row in bad],
    )


def _write(
    rows: Sequence[_Row],
    order: list[int],
    *,
    reference: tuple[str, str],
    create: Callable[[dict[str, Any]], dict[str, Any]],
    update: Callable[[str, dict[str, Any]], dict[str, Any]],
) -> dict[str, list[str]]:
    """Save the rows through the use cases, referenced rows first; ids per action, in the file's row order."""
    id_field, column = reference
    saved: dict[int, tuple[str, str]] = {}
    for position in order:
        row = rows[position]
        if row.data is None:
            continue
        data = dict(row.data)
        if data.get(id_field) == PENDING:
            if row.ref_row is not None and row.ref_row not in saved:
                row.fail(column, f"row {rows[row.ref_row].number}, which it refers to, could not be saved")
                continue
            data[id_field] = saved[row.ref_row][1] if row.ref_row is not None else row.ref_id
        try:
            if row.existing is None:
                saved[position] = ("created", create(data)["id"])
            elif all(
                getattr(row.existing, k) == (sorted(set(v)) if k == "languages" else v)
                for k, v in data.items()
            ):
                saved[position] = ("unchanged", row.existing.id)
            else:
                saved[position] = ("updated", update(row.existing.id, data)["id"])
        except DomainError as exc:  # a rule of the use case that the checks above do not know (yet)
            for name, messages in (exc.errors or {"_row": [exc.detail]}).items():
                for message in messages:
                    row.fail(column if name == id_field else name, message)
    return {
        action: [saved[p][1] for p in sorted(saved) if saved[p][0] == action]
        for action in ("created", "updated", "unchanged")
    }


def _result(saved: dict[str, list[str]], table: Table) -> dict[str, Any]:
    return {
        "created": len(saved["created"]),
        "ids": saved["created"],
        "updated": len(saved["updated"]),
        "updated_ids": saved["updated"],
        "unchanged": len(saved["unchanged"]),
        "ignored_columns": table.ignored,
    }


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise Invalid(f"unknown mode {mode!r}", errors={"mode": ["must be create or upsert"]})
    return mode


# ------------------------------------------------------------------------------------------------ lawyers

LAWYER_INPUT = [
    "name",
    "license_no",
    "status",
    "region_code",
    "languages",
    "max_duties_per_month",
    "intern_start",
    "intern_end",
    "supervisor_id",
    "phone",
]


def import_lawyers(
    *, uow: UnitOfWork, content: bytes, row_schema: Schema, charset: str | None = None, mode: str = "create"
) -> dict[str, Any]:
    """Register every lawyer of a spreadsheet (upsert: update those whose licence number is known), or none.

    `row_schema` is the schema of `POST /lawyers` (the API passes it in), so a row is held to the same rules."""
    mode = _mode(mode)
    table = read_header_and_rows(content, charset, LAWYERS, mode)
    rows = _rows(table, LAWYER_CELLS)
    session = uow.session
    wanted = {
        r.values[k]
        for r in rows
        for k in ("license_no", "supervisor_license_no")
        if isinstance(r.values.get(k), str) and LICENCE.match(r.values[k])
    }
    stored: dict[str, LawyerRow] = {}
    for chunk in in_chunks(wanted):
        query = select(LawyerRow).where(LawyerRow.license_no.in_(chunk))
        stored.update((r.license_no, r) for r in session.scalars(query))

    row_of: dict[str, int] = {}
    for position, row in enumerate(rows):
        licence = row.values.get("license_no")
        if not (isinstance(licence, str) and LICENCE.match(licence)):
            continue
        if licence in row_of:
            row.fail("license_no", f"the same licence number as row {rows[row_of[licence]].number}")
            continue
        row_of[licence] = position
        if licence in stored:
            if mode == "create":
                row.fail(
                    "license_no",
                    f"already registered (lawyer {stored[licence].id}); "
                    "import with ?mode=upsert to update registered lawyers",
                )
            else:
                row.existing = stored[licence]

    for row in rows:
        values = {k: v for k, v in row.values.items() if k != "supervisor_license_no"}
        if row.existing is not None:  # the columns the file lacks keep their stored values
            kept = [
                k
                for k in LAWYER_INPUT
                if k not in table.present
                and not (k == "supervisor_id" and "supervisor_license_no" in table.present)
            ]
            values = {**{k: getattr(row.existing, k) for k in kept}, **values}
        if "supervisor_license_no" in row.values:
            values["supervisor_id"] = PENDING
        _load(row, row_schema, values, LAWYERS, table.present, {"supervisor_id": "supervisor_license_no"})

    for row in rows:
        _find_supervisor(row, rows, row_of, stored)
    order, looped = _creation_order(rows)
    for position in looped:
        rows[position].fail(
            "supervisor_license_no", "these lawyers' supervisors refer to each other in a loop"
        )
    _refuse_if_bad(rows, LAWYERS)

    saved = _write(
        rows,
        order,
        reference=("supervisor_id", "supervisor_license_no"),
        create=lambda data: lawyer_cases.create_lawyer(uow=uow, data=data),
        update=lambda id_, data: lawyer_cases.update_lawyer(
            uow=uow, lawyer_id=id_, changes=data, expected_version=None
        ),
    )
    _refuse_if_bad(rows, LAWYERS)
    return _result(saved, table)


def _find_supervisor(
    row: _Row, rows: Sequence[_Row], row_of: dict[str, int], stored: dict[str, LawyerRow]
) -> None:
    licence = row.values.get("supervisor_license_no")
    if licence is None:
        return
    if licence == row.values.get("license_no"):
        row.fail("supervisor_license_no", "a lawyer cannot supervise themself")
    elif licence in row_of:
        row.ref_row = row_of[licence]
        supervisor = rows[row.ref_row]
        status = (supervisor.data or supervisor.values).get("status")
        if status is not None and status != "practising":
            row.fail(
                "supervisor_license_no",
                f"a supervising lawyer must be practising (row {supervisor.number} is {status})",
            )
    elif licence in stored:
        row.ref_id = stored[licence].id
        if stored[licence].status != "practising":
            row.fail(
                "supervisor_license_no",
                f"a supervising lawyer must be practising ({stored[licence].name} "
                f"is {stored[licence].status})",
            )
    else:
        row.fail(
            "supervisor_license_no", f"no lawyer with licence number {licence} in this file or registered"
        )


# ------------------------------------------------------------------------------------------------ stations

STATION_INPUT = ["name", "level", "region_code", "parent_id", "address"]


def import_stations(
    *, uow: UnitOfWork, content: bytes, row_schema: Schema, charset: str | None = None, mode: str = "create"
) -> dict[str, Any]:
    """Register every station of a spreadsheet (upsert: update those known by name and region), or none.

    `row_schema` is the schema of `POST /stations` (the API passes it in), so a row is held to the same rules."""
    mode = _mode(mode)
    table = read_header_and_rows(content, charset, STATIONS, mode)
    rows = _rows(table, STATION_CELLS)
    stored_by_name = _stored_stations_by_name(uow, rows)
    row_of, rows_named = _match_stations(rows, stored_by_name, mode)
    for row in rows:
        _load_station(row, row_schema, table.present)
    for position, row in enumerate(rows):
        _find_parent(position, row, rows, rows_named, row_of, stored_by_name)
    order, looped = _creation_order(rows)
    for position in looped:
        rows[position].fail("parent_name", "these stations' parents refer to each other in a loop")
    _refuse_if_bad(rows, STATIONS)

    saved = _write(
        rows,
        order,
        reference=("parent_id", "parent_name"),
        create=lambda data: station_cases.create_station(uow=uow, data=data),
        update=lambda id_, data: station_cases.update_station(
            uow=uow, station_id=id_, changes=data, expected_version=None
        ),
    )
    _refuse_if_bad(rows, STATIONS)
    return _result(saved, table)


def _stored_stations_by_name(uow: UnitOfWork, rows: Sequence[_Row]) -> dict[str, list[StationRow]]:
    """The registered stations that bear a name the file gives a station or a parent."""
    names = {r.values[k] for r in rows for k in ("name", "parent_name") if r.values.get(k)}
    stored_by_name: dict[str, list[StationRow]] = defaultdict(list)
    for chunk in in_chunks(names):
        for station in uow.session.scalars(select(StationRow).where(StationRow.name.in_(chunk))):
            stored_by_name[station.name].append(station)
    return stored_by_name


def _match_stations(
    rows: Sequence[_Row], stored_by_name: dict[str, list[StationRow]], mode: str
) -> tuple[dict[tuple[str, str], int], dict[str, list[int]]]:
    """Each row's station among the file's other rows and the registered ones (by region and name): a row that
    repeats an earlier one fails; one already registered fails (create) or is the station it updates (upsert).
    Returns the rows by (region, name) and by name."""
    row_of: dict[tuple[str, str], int] = {}
    rows_named: dict[str, list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        name, region = row.values.get("name"), row.values.get("region_code")
        if name:
            rows_named[name].append(position)
        if not (name and region):
            continue
        if (region, name) in row_of:
            row.fail("name", f"the same name and region code as row {rows[row_of[region, name]].number}")
            continue
        row_of[region, name] = position
        _match_registered(
            row, region, [s for s in stored_by_name.get(name, []) if s.region_code == region], mode
        )
    return row_of, rows_named


def _match_registered(row: _Row, region: str, same: list[StationRow], mode: str) -> None:
    """`same`: the registered stations of the row's region and name."""
    if same and mode == "create":
        row.fail(
            "name",
            f"already registered in region {region} (station {same[0].id}); "
            "import with ?mode=upsert to update registered stations",
        )
    elif len(same) > 1:
        row.fail(
            "name",
            f"{len(same)} registered stations of region {region} have this name; "
            "change one of them through the API first",
        )
    elif same:
        row.existing = same[0]


def _load_station(row: _Row, row_schema: Schema, present: frozenset[str]) -> None:
    """Validate a row as the API would, the parent pending (found by name later), an updated station keeping
    the stored values of the columns the file lacks."""
    values = {k: v for k, v in row.values.items() if k != "parent_name"}
    if row.existing is not None:
        kept = [
            k
            for k in STATION_INPUT
            if k not in present and not (k == "parent_id" and "parent_name" in present)
        ]
        values = {**{k: getattr(row.existing, k) for k in kept}, **values}
    if "parent_name" in row.values:
        values["parent_id"] = PENDING
    _load(row, row_schema, values, STATIONS, present, {"parent_id": "parent_name"})


def _find_parent(
    position: int,
    row: _Row,
    rows: Sequence[_Row],
    rows_named: dict[str, list[int]],
    row_of: dict[tuple[str, str], int],
    stored_by_name: dict[str, list[StationRow]],
) -> None:
    parent = row.values.get("parent_name")
    if not parent:
        return
    region = row.values.get("region_code")
    # a file row and a stored station of the same name and region are one station: the file's row
    candidates: list[tuple[int | None, str | None, str | None]] = [
        (j, None, rows[j].values.get("region_code")) for j in rows_named.get(parent, [])
    ]
    candidates += [
        (None, s.id, s.region_code)
        for s in stored_by_name.get(parent, [])
        if (s.region_code, s.name) not in row_of
    ]
    if len(candidates) > 1:
        near = [c for c in candidates if c[2] == region]
        candidates = near if len(near) == 1 else candidates
    if not candidates:
        row.fail("parent_name", f"no station named {parent} in this file or registered")
    elif len(candidates) > 1:
        row.fail(
            "parent_name",
            f"{len(candidates)} stations are named {parent}; the parent must be one of a "
            "kind (give the stations distinct names)",
        )
    elif candidates[0][0] == position:
        row.fail("parent_name", "a station cannot be its own parent")
    else:
        row.ref_row, row.ref_id = candidates[0][0], candidates[0][1]
