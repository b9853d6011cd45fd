"""The words for the API's codes (roles, statuses, kinds, levels, day kinds), in the user's language."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask_babel import gettext as _


@functools.cache  # built once: a grid asks for a label per station and per day; the words are looked up per call
def _table() -> dict[str, dict[str, Callable[[], str]]]:
    return {
        "role": {
            "admin": lambda: _("administrator"),
            "scheduler": lambda: _("scheduler"),
            "finance": lambda: _("finance"),
            "lawyer": lambda: _("lawyer"),
        },
        "roster_status": {
            "draft": lambda: _("draft"),
            "queued": lambda: _("queued"),
            "generating": lambda: _("generating"),
            "generated": lambda: _("generated"),
            "published": lambda: _("published"),
            "failed": lambda: _("failed"),
        },
        "claim_status": {
            "pending": lambda: _("pending"),
            "approved": lambda: _("approved"),
            "rejected": lambda: _("rejected"),
            "paid": lambda: _("paid"),
        },
        "kind": {
            "mediation_case": lambda: _("mediation case"),
            "legal_aid_case": lambda: _("legal aid case"),
            "station_duty": lambda: _("station duty"),
        },
        "level": {
            "prefecture": lambda: _("prefecture"),
            "county": lambda: _("county"),
            "township": lambda: _("township"),
            "village": lambda: _("village"),
            "hotline": lambda: _("hotline"),
        },
        "day": {
            "work": lambda: _("working day"),
            "rest": lambda: _("rest day"),
            "holiday": lambda: _("holiday"),
            "adjusted": lambda: _("adjusted working day"),
        },
        "lawyer_status": {
            "practising": lambda: _("practising"),
            "intern": lambda: _("intern"),
            "suspended": lambda: _("suspended"),
        },
        "swap_status": {
            "requested": lambda: _("requested"),
            "accepted": lambda: _("accepted"),
            "approved": lambda: _("approved"),
            "declined": lambda: _("declined"),
            "cancelled": lambda: _("cancelled"),
        },
        "duty_status": {
            "scheduled": lambda: _("scheduled"),
            "checked_in": lambda: _("checked in"),
            "completed": lambda: _("completed"),
            "cancelled": lambda: _("cancelled"),
        },
        "batch_status": {"open": lambda: _("open"), "paid": lambda: _("paid")},
        "role_in_duty": {"lawyer": lambda: _("lawyer"), "intern": lambda: _("intern")},
        "difficulty": {
            "simple": lambda: _("simple"),
            "ordinary": lambda: _("ordinary"),
            "difficult": lambda: _("difficult"),
            "major": lambda: _("major"),
        },
        "case_type": {
            "criminal": lambda: _("criminal"),
            "civil": lambda: _("civil"),
            "administrative": lambda: _("administrative"),
        },
        "stage": {
            "investigation": lambda: _("investigation"),
            "prosecution": lambda: _("review for prosecution"),
            "first_instance": lambda: _("first instance"),
            "second_instance": lambda: _("second instance"),
            "appeal": lambda: _("appeal"),
            "arbitration": lambda: _("arbitration"),
            "non_litigation": lambda: _("non-litigation"),
        },
        "grade": {
            "excellent": lambda: _("excellent"),
            "good": lambda: _("good"),
            "pass": lambda: _("pass"),
            "fail": lambda: _("fail"),
        },
        "band": {
            "under_500": lambda: _("under ¥500"),
            "500_2000": lambda: _("¥500 to ¥2,000"),
            "2000_10000": lambda: _("¥2,000 to ¥10,000"),
            "over_10000": lambda: _("¥10,000 and over"),
        },
        "audit": {
            "claim.created": lambda: _("submitted"),
            "claim.graded": lambda: _("graded"),
            "claim.priced": lambda: _("priced"),
            "claim.documents_changed": lambda: _("documents changed"),
            "claim.approved": lambda: _("approved"),
            "claim.rejected": lambda: _("rejected"),
            "claim.paid": lambda: _("paid"),
        },
        "attribute": {
            "difficulty": lambda: _("difficulty"),
            "agreement": lambda: _("agreement reached"),
            "case_type": lambda: _("case type"),
            "stage": lambda: _("stage"),
            "remote_area": lambda: _("remote area"),
            "language": lambda: _("language"),
            "station_level": lambda: _("station level"),
            "length": lambda: _("length"),
            "holiday": lambda: _("on a non-working day"),
            "grade": lambda: _("grade"),
        },
    }


def value(item: object) -> str:
    """An attribute's value for people: yes / no for booleans, the value itself otherwise."""
    if item is True:
        return _("yes")
    if item is False:
        return _("no")
    return "" if item is None else str(item)


def label(group: str, code: str | None) -> str:
    """The word for `code` in `group`; the code itself when the console does not know it yet."""
    if code is None:
        return ""
    word = _table().get(group, {}).get(code)
    return word() if word else code


def warning(code: str) -> str:
    """A roster's warning (`calendar_unofficial:2027`) in words; an unknown one as it came."""
    kind, _sep, detail = code.partition(":")
    if kind == "calendar_unofficial":
        return _(
            "No official holiday arrangement for %(year)s yet: Monday to Friday count as working days. "
            "Enter the year's arrangement in the calendar when it is published.",
            year=detail,
        )
    return code


def calendar_source(source: str | None) -> str:
    words = {
        "override": lambda: _("entered by a scheduler"),
        "official": lambda: _("the State Council's published arrangement"),
        "fallback": lambda: _("no official data: Monday to Friday"),
    }
    word = words.get(source or "")
    return word() if word else (source or "")


def role_name(role: str) -> str:
    return label("role", role)


def error_title(status: int) -> str:
    titles = {
        403: lambda: _("Not allowed"),
        404: lambda: _("Not found"),
        405: lambda: _("Not allowed here"),
        503: lambda: _("The system is busy or down; try again shortly"),
        504: lambda: _("The system did not answer in time"),
    }
    title = titles.get(status)
    return title() if title else _("Something went wrong")
