"""The month grid's body cells, written in Python rather than Jinja.

A county's grid is ~100 stations x 31 days with ~2,300 duty links. Through Jinja each cell cost a dozen
attribute look-ups, filter calls and escapes; the grid took most of the page's time. Here each row is one
`Markup` string, built with the same escaping (markupsafe) and the same markup the template wrote, so the
template loops over a hundred rows instead of three thousand cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from markupsafe import Markup, escape


class RowWriter:
    """Writes a station's row of cells: each day's duties as links to their page, open slots red with the
    reason in the cell's title (hover) and spelled out for screen readers."""

    def __init__(
        self,
        days: Sequence[date],
        day_kind: Callable[[date], str],
        lawyer_names: Mapping[str, str],
        duty_link: Callable[[Mapping[str, Any]], str],
        unfilled_word: str,
    ) -> None:
        self.days = [(d, day_kind(d)) for d in days]
        self.names = {key: str(escape(name)) for key, name in lawyer_names.items()}
        self.duty_link = duty_link
        self.unfilled_word = str(escape(unfilled_word))

    def _name(self, lawyer_id: str | None) -> str:
        key = str(lawyer_id)
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = str(escape(key))
        return name

    def _duty(self, duty: Mapping[str, Any]) -> str:
        name = self._name(duty["lawyer_id"])
        return (
            f'<a class="duty {escape(duty["role"])}" href="{escape(self.duty_link(duty))}" '
            f'title="{escape(duty["start_time"])}–{escape(duty["end_time"])} {name}">{name}</a>'
        )

    def _cell(
        self, kind: str, duties: Sequence[Mapping[str, Any]], open_: Sequence[Mapping[str, Any]]
    ) -> str:
        links = "".join(self._duty(a) for a in duties)
        if not open_:
            return f'<td class="{kind}">{links}</td>'
        title = "; ".join(f"{escape(u['start_time'])} {escape(u['reason'])}" for u in open_)
        spoken = "".join(f"{escape(u['reason'])} " for u in open_)
        gap = f'<span class="gap">{self.unfilled_word}<span class="sr-only">: {spoken}</span></span>'
        return f'<td class="{kind} unfilled" title="{title}">{links}{gap}</td>'

    def row(
        self,
        station_id: str,
        cells: Mapping[tuple[str, date], Sequence[Mapping[str, Any]]],
        unfilled: Mapping[tuple[str, date], Sequence[Mapping[str, Any]]],
    ) -> Markup:
        return Markup(
            "".join(
                self._cell(kind, cells.get((station_id, d), ()), unfilled.get((station_id, d), ()))
                for d, kind in self.days
            )
        )
