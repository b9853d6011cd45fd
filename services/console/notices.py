"""A lawyer's notifications in the user's words: each told by its kind and data (the gateway's English
`message` stays the words of a kind the console does not know, or of data it cannot read).

The kinds and their data are the gateway's (services/gateway/domain/notifications.py): a published roster
(its period, and since it was kept, the lawyer's number of duties), a duty given, taken or cancelled, a swap
asked, accepted, declined or withdrawn, a claim created, approved, rejected or paid. Dates and money are
written as the page writes them; a swap's colleague is "a colleague" (the data names them by id only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import g
from flask_babel import gettext as _

from services.console import formats
from services.console.labels import label

Data = Mapping[str, Any]


def _lang() -> str:
    return str(g.get("lang", "zh"))


def _day(value: Any) -> str:
    return formats.long_date(value, _lang())


def _hours(value: Any) -> str:
    return str(value)[:5]  # 09:30 (the event may carry 09:30:00)


def _when(data: Data) -> str:
    """The duty: 2026年12月3日 周四 09:00–17:00."""
    return f"{_day(data['date'])} {_hours(data['start_time'])}–{_hours(data['end_time'])}"


def roster_published(data: Data) -> str:
    start, end = _day(data["period_start"]), _day(data["period_end"])
    if data.get("duties") is None:  # a notice kept before the gateway counted the duties
        return _("The roster for %(start)s – %(end)s is published.", start=start, end=end)
    return _(
        "The roster for %(start)s – %(end)s is published: you have %(n)s duties.",
        start=start,
        end=end,
        n=data["duties"],
    )


def _claim(words: Callable[..., str]) -> Callable[[Data], str]:
    def say(data: Data) -> str:
        return words(
            kind=label("kind", data["kind"]),
            date=_day(data["service_date"]),
            amount=formats.money(data["amount"]),
        )

    return say


WORDS: dict[str, Callable[[Data], str]] = {
    "roster_published": roster_published,
    "duty_assigned": lambda d: _("You now have the duty of %(when)s.", when=_when(d)),
    "duty_released": lambda d: _("Your duty of %(when)s was given to another lawyer.", when=_when(d)),
    "duty_cancelled": lambda d: _(
        "Your duty of %(when)s is off the roster: nobody else could take it.", when=_when(d)
    ),
    "swap_requested": lambda d: _("A colleague asks you to take their duty of %(when)s.", when=_when(d)),
    "swap_accepted": lambda d: _(
        "Your colleague will take your duty of %(when)s; it waits for the scheduler.", when=_when(d)
    ),
    "swap_declined": lambda d: _(
        "Your request to hand over the duty of %(when)s was declined.", when=_when(d)
    ),
    "swap_cancelled": lambda d: _(
        "Your colleague withdrew the request for the duty of %(when)s.", when=_when(d)
    ),
    "claim_created": _claim(
        lambda **w: _("Your %(kind)s claim of %(date)s (%(amount)s) is made and waits for review.", **w)
    ),
    "claim_approved": _claim(lambda **w: _("Your %(kind)s claim of %(date)s (%(amount)s) is approved.", **w)),
    "claim_rejected": _claim(lambda **w: _("Your %(kind)s claim of %(date)s (%(amount)s) is rejected.", **w)),
    "claim_paid": _claim(lambda **w: _("Your %(kind)s claim of %(date)s (%(amount)s) is paid.", **w)),
}


def notice_text(notice: Mapping[str, Any]) -> str:
    """The notice in the user's words by its kind; the API's message for a kind or data not known here."""
    words = WORDS.get(str(notice.get("kind")))
    if words is None:
        return str(notice.get("message") or "")
    try:
        return words(notice.get("data") or {})
    except (KeyError, TypeError, ValueError):
        return str(notice.get("message") or "")
