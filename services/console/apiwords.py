"""The API's refusals in the user's words: a problem+json answer (`ApiError`) as a sentence for the page.

The API speaks English: its titles are HTTP's, field errors are marshmallow's or the services' own, and
its details are the services' refusals ("claim 7f… was submitted by li.ming; another finance officer must
review it"). Each known refusal is a pattern here: a regular expression over the API's text whose named
groups (names, dates, ids, amounts) are carried into a message of the catalogue; dates, money and status
codes are written as the page writes them. A text no pattern knows is kept as the API gave it, after the
translated title, so nothing the API said is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from flask import g, has_app_context
from flask_babel import gettext as _

from services.console import formats
from services.console.gatewayapi import ApiError
from services.console.labels import label

Words = Callable[..., str]
Turn = Callable[[str], str]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\S+")
FIELD = r"(?P<field>row \d+(?:\.[\w.]+)?|[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)"


@dataclass(frozen=True)
class Pattern:
    """One refusal: `regex` over the API's whole text, `words` its message (called with the named groups,
    each first passed through its `turns` entry, if it has one)."""

    regex: re.Pattern[str]
    words: Words
    turns: Mapping[str, Turn] = field(default_factory=dict)

    def say(self, text: str) -> str | None:
        found = self.regex.fullmatch(text)
        if found is None:
            return None
        groups = {
            name: self.turns[name](value) if name in self.turns and value else value or ""
            for name, value in found.groupdict().items()
        }
        return self.words(**groups)


def _lang() -> str:
    return str(g.get("lang", "zh"))


# ------------------------------------------------------------------------------------------ placeholders


def day(value: str) -> str:
    """An ISO date (or moment) as the page writes it; anything else as it came."""
    try:
        if ISO_DATE.fullmatch(value):
            return formats.long_date(value, _lang())
        if ISO_MOMENT.fullmatch(value):
            return formats.timestamp(value, _lang())
    except ValueError:
        pass
    return value


def money(value: str) -> str:
    try:
        return formats.money(value)
    except (ArithmeticError, ValueError):
        return value


def _status(group: str) -> Turn:
    return lambda value: label(group, value.replace(" ", "_"))


def _region(value: str) -> str:
    return _("every region") if value in ("all", "all regions") else value


def _duty(value: str) -> str:
    """`Station 3 on 2026-03-01 09:00` (a duty as the roster's rules name it)."""
    found = re.fullmatch(r"(?P<station>.+) on (?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2})", value)
    if found is None:
        return value
    return _(
        "%(station)s on %(date)s %(time)s",
        station=found["station"],
        date=day(found["date"]),
        time=found["time"],
    )


def _what(value: str) -> str:
    words = {
        "lawyer": lambda: _("lawyer"),
        "station": lambda: _("station"),
        "duty": lambda: _("duty"),
        "duty pattern": lambda: _("duty pattern"),
        "roster": lambda: _("roster"),
        "swap": lambda: _("swap"),
        "leave": lambda: _("leave"),
        "claim": lambda: _("claim"),
        "claims": lambda: _("claims"),
        "budget": lambda: _("budget"),
        "scheme": lambda: _("scheme"),
        "payment batch": lambda: _("payment batch"),
        "bank account": lambda: _("bank account"),
        "login attempts": lambda: _("login attempts"),
        "cases": lambda: _("cases"),
    }
    word = words.get(value)
    return word() if word else value


def _kind(value: str) -> str:
    return label("kind", value)


def _can(action: str) -> str:
    """What a claim in the right state can be (`approved`, `marked paid`), as `can be approved`."""
    words = {
        "approved": lambda: _("can be approved"),
        "rejected": lambda: _("can be rejected"),
        "graded": lambda: _("can be graded"),
        "given documents": lambda: _("can be given documents"),
        "put in a payment batch": lambda: _("can be put in a payment batch"),
        "batched again": lambda: _("can be put in a payment batch"),
        "marked paid": lambda: _("can be marked paid"),
    }
    word = words.get(action)
    return word() if word else f"can be {action}"


def _backend(value: str) -> str:
    words = {
        "roster": lambda: _("scheduling"),
        "subsidy": lambda: _("subsidy"),
        "gateway": lambda: _("access"),
    }
    word = words.get(value)
    return word() if word else value


def _role(value: str) -> str:
    return label("role", value)


def _op(value: str) -> str:
    words = {
        "greater than or equal to": lambda: _("greater than or equal to"),
        "greater than": lambda: _("greater than"),
        "less than or equal to": lambda: _("less than or equal to"),
        "less than": lambda: _("less than"),
    }
    word = words.get(value)
    return word() if word else value


def _type(value: str) -> str:
    words = {
        "string": lambda: _("text"),
        "integer": lambda: _("whole number"),
        "number": lambda: _("number"),
        "boolean": lambda: _("yes or no"),
        "date": lambda: _("date"),
        "datetime": lambda: _("date and time"),
        "time": lambda: _("time"),
        "list": lambda: _("list"),
        "mapping type": lambda: _("set of named values"),
        "tuple": lambda: _("list"),
        "UUID": lambda: _("identifier"),
        "email address": lambda: _("email address"),
        "URL": lambda: _("web address"),
        "period of time": lambda: _("period of time"),
    }
    word = words.get(value)
    return word() if word else value


def _rule(value: str) -> str:
    """A roster rule's number as what it says (the rules of docs/roster.md)."""
    words = {
        "1": lambda: _(
            "each slot has its headcount of practising lawyers; interns sit only in intern seats, never "
            "alone, only at township or village stations"
        ),
        "2": lambda: _(
            "no lawyer has two duties on one day, a duty on a leave day, or more than the monthly maximum; "
            "suspended lawyers have none"
        ),
        "3": lambda: _("a lawyer serves only at stations of their own region code, except the hotline"),
        "4": lambda: _("every language a duty names is spoken by a practising lawyer on it"),
        "5": lambda: _(
            "an intern serves at one station a month, a different one from the month before, and gets the "
            "minimum number of duties"
        ),
        "6": lambda: _(
            "duty counts, and weekend-or-holiday duty counts, differ by at most one among lawyers of a region "
            "with the same availability"
        ),
    }
    word = words.get(value)
    return word() if word else value


def _listed(value: str) -> str:
    """`a; b; …` with each part in words (or the whole, when a pattern knows it with its semicolons)."""
    whole = known(value)
    if whole is not None:
        return whole
    return together(message(part) if part != "…" else part for part in value.split("; "))


def _nested(value: str) -> str:
    return message(value)


def _field(value: str) -> str:
    return field_name(value)


DATE = {"date": day}
ST_DUTY = _status("duty_status")
ST_ROSTER = _status("roster_status")
ST_SWAP = _status("swap_status")
ST_CLAIM = _status("claim_status")


def _p(regex: str, words: Words, **turns: Turn) -> Pattern:
    return Pattern(re.compile(regex, re.S), words, turns)


# ------------------------------------------------------------------------------------------------ patterns


def _access() -> list[Pattern]:
    """Log-in, identities, roles, addresses (the gateway and every service)."""
    return [
        _p(r"wrong username or password", lambda **k: _("Wrong username or password.")),
        _p(
            r"too many (?P<what>.+?); try again in (?P<seconds>\d+) seconds",
            lambda **k: _("Too many attempts; try again in %(seconds)s seconds.", **k),
        ),
        _p(r"authentication required.*", lambda **k: _("Please log in first.")),
        _p(
            r"the token has (?:expired|been revoked); log in again",
            lambda **k: _("Your session has ended; please log in again."),
        ),
        _p(
            r"the (?P<backend>\w+) service is unavailable; try again shortly",
            lambda **k: _("The %(backend)s service is unavailable; try again shortly.", **k),
            backend=_backend,
        ),
        _p(
            r"the (?P<backend>\w+) service did not answer in time",
            lambda **k: _("The %(backend)s service did not answer in time; try again shortly.", **k),
            backend=_backend,
        ),
        _p(
            r"the (?P<backend>\w+) service (?:broke off the answer|sent a body that is not JSON"
            r"|sent an unexpected answer)",
            lambda **k: _(
                "The %(backend)s service gave an answer that cannot be used; try again shortly.", **k
            ),
            backend=_backend,
        ),
        _p(
            r"the (?P<role>\w+) role may not (?P<what>.+)",
            lambda **k: _("The %(role)s role may not do this (%(what)s).", **k),
            role=_role,
        ),
        _p(r"no such endpoint: (?P<path>.+)", lambda **k: _("No such address in the API: %(path)s", **k)),
        _p(
            r"(?P<method>[A-Z]+) is not allowed here; allowed: (?P<allowed>.+)",
            lambda **k: _("%(method)s is not allowed here; allowed: %(allowed)s", **k),
        ),
        _p(
            r"the API could not be reached \((?P<why>\w+)\)",
            lambda **k: _("The system cannot be reached just now; try again shortly."),
        ),
        _p(
            r"the service's (?P<what>database|broker) is unreachable right now; try again in a few seconds",
            lambda **k: _("The system is busy or down; try again shortly"),
        ),
        _p(
            r"cannot check the lawyer with the roster: (?P<why>.+)",
            lambda **k: _(
                "The roster could not be asked about the lawyer (%(why)s); try again shortly.", **k
            ),
        ),
        _p(
            r"an unexpected error occurred; the request id identifies it in the logs",
            lambda **k: _("An unexpected error occurred; the request id identifies it in the logs."),
        ),
        _p(r"the request body is not valid JSON", lambda **k: _("The request could not be read.")),
        _p(r"this user is not linked to a lawyer", lambda **k: _("This user is not linked to a lawyer.")),
        _p(
            r"this lawyer user is linked to no roster lawyer",
            lambda **k: _("This user is not linked to a lawyer."),
        ),
    ]


def _users() -> list[Pattern]:
    """Users and passwords (the gateway)."""
    return [
        _p(
            r"only an administrator changes another user's password",
            lambda **k: _("Only an administrator changes another user's password."),
        ),
        _p(r"no such user", lambda **k: _("No such user.")),
        _p(r"the old password is wrong", lambda **k: _("The old password is wrong.")),
        _p(r"does not match", lambda **k: _("does not match")),
        _p(
            r"the username (?P<username>.+) is taken",
            lambda **k: _("The username %(username)s is taken.", **k),
        ),
        _p(r"already taken", lambda **k: _("already taken")),
        _p(r"lawyer (?P<id>\S+) already has a user", lambda **k: _("Lawyer %(id)s already has a user.", **k)),
        _p(r"already linked to another user", lambda **k: _("already linked to another user")),
        _p(r"no such notification", lambda **k: _("No such notification.")),
        _p(r"no lawyer (?P<id>\S+) in the roster", lambda **k: _("No lawyer %(id)s in the roster.", **k)),
        _p(r"no such lawyer in the roster", lambda **k: _("no such lawyer in the roster")),
        _p(
            r"2 to 100 letters, digits or \. _ @ -(?P<more>, starting with a letter or digit)?",
            lambda **k: _("2 to 100 letters, digits or . _ @ -, starting with a letter or digit"),
        ),
        _p(
            r"a lawyer user must name their roster lawyer",
            lambda **k: _("a lawyer user must name their roster lawyer"),
        ),
        _p(r"required for the lawyer role", lambda **k: _("required for the lawyer role")),
        _p(
            r"only a lawyer user is linked to a roster lawyer",
            lambda **k: _("only a lawyer user is linked to a roster lawyer"),
        ),
        _p(
            r"must be empty for the (?P<role>\w+) role",
            lambda **k: _("must be empty for the %(role)s role", **k),
            role=_role,
        ),
        _p(
            r"must be (?P<min>\d+) to (?P<max>\d+) characters",
            lambda **k: _("must be %(min)s to %(max)s characters", **k),
        ),
    ]


def _duties() -> list[Pattern]:
    """Checking in and out, reassigning, rules (the roster)."""
    return [
        _p(r"only the lawyer on duty checks in", lambda **k: _("Only the lawyer on duty checks in.")),
        _p(r"only the lawyer on duty checks out", lambda **k: _("Only the lawyer on duty checks out.")),
        _p(r"the roster is not published yet", lambda **k: _("The roster is not published yet.")),
        _p(
            r"this duty is on (?P<date>\S+); check in on that day \(today is (?P<today>\S+)\)",
            lambda **k: _("This duty is on %(date)s; check in on that day (today is %(today)s).", **k),
            date=day,
            today=day,
        ),
        _p(
            r"already (?P<status>checked in|completed|cancelled|scheduled)",
            lambda **k: _("The duty is already %(status)s.", **k),
            status=ST_DUTY,
        ),
        _p(r"this duty is already checked out", lambda **k: _("This duty is already checked out.")),
        _p(r"check in before checking out", lambda **k: _("Check in before checking out.")),
        _p(
            r"the duty is already (?P<status>[\w ]+); it cannot change hands",
            lambda **k: _("The duty is already %(status)s; it cannot change hands.", **k),
            status=ST_DUTY,
        ),
        _p(r"that lawyer already has this duty", lambda **k: _("That lawyer already has this duty.")),
        _p(
            r"the duty on (?P<date>\S+) is past; nobody can take it now",
            lambda **k: _("The duty on %(date)s is past; nobody can take it now.", **k),
            **DATE,
        ),
        _p(
            r"rule (?P<rule>\d) \((?P<about>[^)]*)\): (?P<message>.+)",
            lambda **k: _(
                "Roster rule %(rule)s (%(about)s): %(message)s", **{**k, "about": _rule(k["rule"])}
            ),
            message=_nested,
        ),
        *_violations(),
    ]


def _violations() -> list[Pattern]:
    """What the roster's rules say about one duty (inside `rule N (…): …`)."""
    return [
        _p(
            r"(?P<name>.+) has (?P<n>\d+) duties on (?P<date>\S+); one a day at most",
            lambda **k: _("%(name)s has %(n)s duties on %(date)s; one a day at most", **k),
            **DATE,
        ),
        _p(
            r"(?P<name>.+) has (?P<n>\d+) duties in (?P<month>\S+), over their monthly maximum of (?P<max>\d+)",
            lambda **k: _(
                "%(name)s has %(n)s duties in %(month)s, over their monthly maximum of %(max)s", **k
            ),
        ),
        _p(
            r"(?P<name>.+) is on leave on (?P<date>\S+) but on duty at (?P<duty>.+)",
            lambda **k: _("%(name)s is on leave on %(date)s but on duty at %(duty)s", **k),
            date=day,
            duty=_duty,
        ),
        _p(
            r"(?P<name>.+) is suspended \(停止执业\) and cannot be on duty at (?P<duty>.+)",
            lambda **k: _("%(name)s is suspended and cannot be on duty at %(duty)s", **k),
            duty=_duty,
        ),
        _p(
            r"(?P<name>.+) \((?P<region>\d+)\) is not a lawyer of (?P<roster_region>\d+) and cannot take the "
            r"hotline duty at (?P<duty>.+)",
            lambda **k: _(
                "%(name)s (%(region)s) is not a lawyer of %(roster_region)s and cannot take the hotline duty "
                "at %(duty)s",
                **k,
            ),
            duty=_duty,
        ),
        _p(
            r"(?P<name>.+) is a lawyer of (?P<region>\d+) and cannot serve at (?P<duty>.+) in (?P<station_region>\d+)",
            lambda **k: _(
                "%(name)s is a lawyer of %(region)s and cannot serve at %(duty)s in %(station_region)s", **k
            ),
            duty=_duty,
        ),
        _p(
            r"no (?P<languages>.+)-speaking practising lawyer on the duty at (?P<duty>.+)",
            lambda **k: _("No practising lawyer on the duty at %(duty)s speaks %(languages)s", **k),
            duty=_duty,
        ),
        _p(
            r"(?P<name>.+) is an intern and cannot take a practising lawyer's seat at (?P<where>.+)",
            lambda **k: _(
                "%(name)s is an intern and cannot take a practising lawyer's seat at %(where)s", **k
            ),
        ),
        _p(
            r"(?P<name>.+) is a practising lawyer, not an intern, but sits in an intern seat at (?P<where>.+)",
            lambda **k: _(
                "%(name)s is a practising lawyer, not an intern, but sits in an intern seat at %(where)s", **k
            ),
        ),
        _p(
            r"(?P<name>.+)'s internship does not cover (?P<date>\S+) \((?P<where>.+)\)",
            lambda **k: _("%(name)s's internship does not cover %(date)s (%(where)s)", **k),
            **DATE,
        ),
        _p(
            r"(?P<name>.+) is an intern at (?P<where>.+), a (?P<level>\w+) station; interns serve only at "
            r"township or village stations",
            lambda **k: _(
                "%(name)s is an intern at %(where)s, a %(level)s station; interns serve only at township or "
                "village stations",
                **k,
            ),
            level=_status("level"),
        ),
        _p(
            r"(?P<names>.+) would staff (?P<where>.+) without a practising lawyer; an intern never sits alone",
            lambda **k: _(
                "%(names)s would staff %(where)s without a practising lawyer; an intern never sits alone", **k
            ),
        ),
    ]


def _rosters() -> list[Pattern]:
    """Rosters: periods, generating, publishing (the roster)."""
    return [
        _p(r"the period ends before it starts", lambda **k: _("The period ends before it starts.")),
        _p(
            r"must not be before (?P<field>\w+)",
            lambda **k: _("must not be before %(field)s", **k),
            field=_field,
        ),
        _p(r"must be after (?P<field>\w+)", lambda **k: _("must be after %(field)s", **k), field=_field),
        _p(r"a roster covers at most three months", lambda **k: _("A roster covers at most three months.")),
        _p(r"at most (?P<n>\d+) days after start", lambda **k: _("at most %(n)s days after the start", **k)),
        _p(
            r"a published roster is not generated again; change duties by swap or reassignment",
            lambda **k: _(
                "A published roster is not generated again; change duties by swap or reassignment."
            ),
        ),
        _p(
            r"this roster is already being generated; follow its progress",
            lambda **k: _("This roster is already being generated; follow its progress."),
        ),
        _p(
            r"only a generated roster can be published; this one is (?P<status>\w+)",
            lambda **k: _("Only a generated roster can be published; this one is %(status)s.", **k),
            status=ST_ROSTER,
        ),
        _p(
            r"the roster is (?P<status>\w+); generate it before exporting it",
            lambda **k: _("The roster is %(status)s; generate it before exporting it.", **k),
            status=ST_ROSTER,
        ),
        _p(
            r"only a published roster is replanned; this one is (?P<status>\w+) \(generate it again\)",
            lambda **k: _(
                "Only a published roster is replanned; this one is %(status)s (generate it again).", **k
            ),
            status=ST_ROSTER,
        ),
        _p(
            r"from_date (?P<date>\S+) is outside the roster",
            lambda **k: _("%(date)s is outside the roster.", **k),
            **DATE,
        ),
        _p(
            r"must be within the roster's period (?P<start>\S+) to (?P<end>\S+)",
            lambda **k: _("must be within the roster's period %(start)s to %(end)s", **k),
            start=day,
            end=day,
        ),
        _p(r"year (?P<year>-?\d+) is out of range", lambda **k: _("Year %(year)s is out of range.", **k)),
        _p(r"must be (?P<min>\d{4})-(?P<max>\d{4})", lambda **k: _("must be %(min)s to %(max)s", **k)),
        _p(
            r"the (?P<what>[\w ]+) was changed by someone else \(version (?P<version>\d+), you had "
            r"(?P<had>\d+)\); reload it and try again",
            lambda **k: _(
                "The %(what)s was changed by someone else meanwhile; reload it and try again.", **k
            ),
            what=_what,
        ),
    ]


def _swaps_and_leave() -> list[Pattern]:
    """Swaps and leave (the roster)."""
    return [
        _p(
            r"duties of a draft roster cannot be swapped",
            lambda **k: _("Duties of a draft roster cannot be swapped."),
        ),
        _p(
            r"the duty is already (?P<status>[\w ]+)",
            lambda **k: _("The duty is already %(status)s.", **k),
            status=ST_DUTY,
        ),
        _p(r"a lawyer cannot swap with themself", lambda **k: _("A lawyer cannot swap with themself.")),
        _p(r"must be another lawyer", lambda **k: _("must be another lawyer")),
        _p(
            r"only the lawyer asked to take the duty accepts the swap",
            lambda **k: _("Only the lawyer asked to take the duty accepts the swap."),
        ),
        _p(
            r"the swap is (?P<status>\w+), not awaiting your answer",
            lambda **k: _("The swap is %(status)s, not awaiting your answer.", **k),
            status=ST_SWAP,
        ),
        _p(
            r"the swap is already (?P<status>\w+)",
            lambda **k: _("The swap is already %(status)s.", **k),
            status=ST_SWAP,
        ),
        _p(
            r"only an accepted swap can be approved; this one is (?P<status>\w+)",
            lambda **k: _("Only an accepted swap can be approved; this one is %(status)s.", **k),
            status=ST_SWAP,
        ),
        _p(
            r"the duty changed since the swap was asked for",
            lambda **k: _("The duty changed since the swap was asked for."),
        ),
        _p(
            r"this duty already has an open swap request \((?P<id>[^)]+)\)",
            lambda **k: _("This duty already has an open swap request (%(id)s).", **k),
        ),
        _p(
            r"(?P<name>.+) already has leave overlapping these dates \(leave (?P<id>[^)]+)\)",
            lambda **k: _("%(name)s already has leave overlapping these dates (leave %(id)s).", **k),
        ),
        _p(r"a leave lasts at most a year", lambda **k: _("a leave lasts at most a year")),
    ]


def _master_data() -> list[Pattern]:
    """Lawyers, stations, patterns, languages (the roster's fields)."""
    return [
        _p(
            r"licence number (?P<licence>\S+) is already registered \(lawyer (?P<id>[^)]+)\)",
            lambda **k: _("Licence number %(licence)s is already registered (lawyer %(id)s).", **k),
        ),
        _p(r"already registered", lambda **k: _("already registered")),
        _p(r"required for an intern lawyer", lambda **k: _("required for an intern lawyer")),
        _p(
            r"must be a six-digit administrative division code, e\.g\. 654021",
            lambda **k: _("must be a six-digit administrative division code, e.g. 654021"),
        ),
        _p(
            r"must be the 17-digit licence number \(执业证号\)",
            lambda **k: _("must be the 17-digit licence number"),
        ),
        _p(r"must be a time HH:MM", lambda **k: _("must be a time HH:MM")),
        _p(
            r"(?P<code>.+) is not an ISO 639-1 or ISO 639-3 language code \(e\.g\. en, ug, sjo\)",
            lambda **k: _("%(code)s is not a language code (e.g. en, ug, sjo)", **k),
        ),
        _p(
            r'must be "workdays", "daily", "non_workdays" or a list of ISO weekdays 1-7',
            lambda **k: _("must be working days, every day, non-working days or weekdays 1-7"),
        ),
        _p(
            r"a supervising lawyer must be practising",
            lambda **k: _("a supervising lawyer must be practising"),
        ),
        _p(r"a lawyer cannot supervise themself", lambda **k: _("a lawyer cannot supervise themself")),
        _p(r"name at least one language", lambda **k: _("name at least one language")),
        _p(
            r"interns serve only at township or village stations, not at a (?P<level>\w+)",
            lambda **k: _(
                "interns serve only at township or village stations, not at a %(level)s station", **k
            ),
            level=_status("level"),
        ),
        _p(
            r"must be a month YYYY-MM, e\.g\. 2026-03",
            lambda **k: _("must be a month such as 2026-03"),
        ),
        _p(
            r"must not be before from \((?P<month>[^)]+)\)",
            lambda **k: _("must not be before the first month (%(month)s)", **k),
        ),
        _p(
            r"the range covers (?P<n>\d+) months, at most (?P<max>\d+)",
            lambda **k: _("the range covers %(n)s months, at most %(max)s", **k),
        ),
        _p(
            r"dates outside (?P<year>\d{4}): (?P<dates>.+)",
            lambda **k: _("dates outside %(year)s: %(dates)s", **k),
        ),
        _p(
            r"also listed as holidays: (?P<dates>.+)",
            lambda **k: _("also listed as holidays: %(dates)s", **k),
        ),
        _p(
            r"the same licence number as row (?P<row>\d+)",
            lambda **k: _("the same licence number as row %(row)s", **k),
        ),
        _p(
            r"the same name and region code as row (?P<row>\d+)",
            lambda **k: _("the same name and region code as row %(row)s", **k),
        ),
        _p(
            r"these stations' parents refer to each other in a loop",
            lambda **k: _("these stations' parents refer to each other in a loop"),
        ),
        _p(
            r"no station named (?P<name>.+) in this file or registered",
            lambda **k: _("no station named %(name)s in this file or registered", **k),
        ),
        _p(r"a station cannot be its own parent", lambda **k: _("a station cannot be its own parent")),
        _p(
            r"case (?P<case>.+) is in this import twice",
            lambda **k: _("case %(case)s is in this import twice", **k),
        ),
        _p(
            r"no lawyer (?P<id>\S+) in the lawyer directory",
            lambda **k: _("No lawyer %(id)s in the roster.", **k),
        ),
        _p(
            r"the grade is given by finance when grading each file, not imported",
            lambda **k: _("the grade is given by finance when grading each file, not imported"),
        ),
        _p(r"missing", lambda **k: _("is required")),
        _p(r"unknown field", lambda **k: _("is not a field of this request")),
        _p(r"must be true or false", lambda **k: _("must be yes or no")),
        _p(r"makes a cycle", lambda **k: _("makes a cycle")),
        _p(r"a station cannot be its own ancestor", lambda **k: _("A station cannot be its own ancestor.")),
        _p(r"no such (?P<what>lawyer|station|calendar)", lambda **k: _("no such %(what)s", **k), what=_what),
        _p(
            r"no (?P<what>duty pattern|lawyer|station|duty|roster|swap|leave|claim|budget|scheme|payment batch) "
            r"(?P<id>\S+)",
            lambda **k: _("No %(what)s %(id)s.", **k),
            what=_what,
        ),
    ]


def _imports() -> list[Pattern]:
    """Spreadsheets: uploads, headers, rows and cells (the roster's and the subsidy's imports)."""
    return [
        _p(
            r"(?P<bad>\d+) of (?P<rows>\d+) rows have errors, so nothing was imported; (?P<first>.+)",
            lambda **k: _("%(bad)s of %(rows)s rows have errors, so nothing was imported.", **k),
        ),
        _p(
            r"(?P<n>\d+) row\(s\) cannot be imported; nothing was",
            lambda **k: _("%(n)s row(s) cannot be imported; nothing was.", **k),
        ),
        _p(
            r"(?P<n>\d+) of the (?P<what>.+) cannot be recorded; nothing was",
            lambda **k: _("%(n)s of the %(what)s cannot be recorded; nothing was.", **k),
            what=_what,
        ),
        _p(
            r"(?P<row>row \d+), which it refers to, could not be saved",
            lambda **k: _("%(row)s, which it refers to, could not be saved", **k),
            row=_field,
        ),
        _p(
            r"the file is larger than (?P<size>.+?); split it into several files",
            lambda **k: _("The file is larger than %(size)s; split it into several files.", **k),
        ),
        _p(
            r"the file has more than (?P<n>\d+) rows; split it into several files",
            lambda **k: _("The file has more than %(n)s rows; split it into several files.", **k),
        ),
        _p(r"at most (?P<n>\d+) rows per file", lambda **k: _("at most %(n)s rows per file", **k)),
        _p(r"at most (?P<size>[\d.]+ [KMG]B)", lambda **k: _("at most %(size)s", **k)),
        _p(
            r"send the spreadsheet in the multipart field 'file'|required: the multipart field 'file'",
            lambda **k: _("Choose a file to import."),
        ),
        _p(
            r"send the spreadsheet as multipart/form-data .+|multipart/form-data \(field 'file'\), text/csv or an "
            r"XLSX workbook",
            lambda **k: _("Send a CSV file or an Excel workbook (.xlsx)."),
        ),
        _p(r"the file is empty", lambda **k: _("The file is empty.")),
        _p(
            r"the file is neither UTF-8 nor GBK text, nor an XLSX workbook",
            lambda **k: _("The file is neither UTF-8 nor GBK text, nor an XLSX workbook."),
        ),
        _p(
            r"save it as CSV \(UTF-8 or GBK\) or as an Excel workbook \(\.xlsx\)",
            lambda **k: _("save it as CSV (UTF-8 or GBK) or as an Excel workbook (.xlsx)"),
        ),
        _p(
            r"this is an old Excel 97-2003 \(\.xls\) workbook",
            lambda **k: _("This is an old Excel 97-2003 (.xls) workbook."),
        ),
        _p(
            r"save it as an Excel workbook \(\.xlsx\) or as CSV, then import that",
            lambda **k: _("save it as an Excel workbook (.xlsx) or as CSV, then import that"),
        ),
        _p(
            r"the file is not a readable XLSX workbook",
            lambda **k: _("The file is not a readable XLSX workbook."),
        ),
        _p(r"the workbook has no sheet", lambda **k: _("The workbook has no sheet.")),
        _p(
            r"the workbook unpacks to more than 100 MB",
            lambda **k: _("The workbook unpacks to more than 100 MB."),
        ),
        _p(r"the workbook is too large; split it", lambda **k: _("The workbook is too large; split it.")),
        _p(
            r"(?:the file )?declared (?P<name>\S+) but is not: byte \d+ \(line (?P<line>\d+)\) cannot be read as "
            r"\S+?(?P<gbk> \(it looks like GBK.*\))?",
            lambda **k: (
                _(
                    "Line %(line)s of the file cannot be read as %(name)s: it looks like GBK; save it as UTF-8.",
                    **k,
                )
                if k["gbk"]
                else _("Line %(line)s of the file cannot be read as %(name)s.", **k)
            ),
        ),
        _p(
            r"the CSV file cannot be read: (?P<why>.+)",
            lambda **k: _("The CSV file cannot be read: %(why)s", **k),
        ),
        _p(r"not readable CSV: (?P<why>.+)", lambda **k: _("not readable CSV: %(why)s", **k)),
        _p(r"unknown mode (?P<mode>.+)", lambda **k: _("Unknown import mode %(mode)s.", **k)),
        _p(r"must be create or upsert", lambda **k: _("must be create or upsert")),
        _p(
            r"no header row (?:found; the first row names the columns|naming the columns), e\.g\. (?P<expected>.+)",
            lambda **k: _("No header row found; the first row names the columns, e.g. %(expected)s", **k),
        ),
        _p(
            r"the header \(row (?P<row>\d+)\) is not usable: (?P<problems>.+)",
            lambda **k: _("The header (row %(row)s) is not usable: %(problems)s", **k),
        ),
        _p(
            r"the file has a header but no (?:rows below it|cases)",
            lambda **k: _("The file has a header but no rows below it."),
        ),
        _p(r"no (?:rows|cases) below the header", lambda **k: _("no rows below the header")),
        _p(r"the file has no rows", lambda **k: _("The file has no rows.")),
        *_cells(),
    ]


def _cells() -> list[Pattern]:
    """A cell of an imported row that cannot be read."""
    return [
        _p(r"(?P<value>.+) is not a whole number", lambda **k: _("%(value)s is not a whole number", **k)),
        _p(
            r"(?P<value>.+) is not a date: write it like 2026-03-01, 2026/3/1 or 2026年3月1日"
            r"|(?P<other>.+) is not a date like 2026-05-12, 2026/5/12 or 2026年5月12日",
            lambda **k: _(
                "%(value)s is not a date: write it like 2026-03-01, 2026/3/1 or 2026年3月1日",
                value=k["value"] or k["other"],
            ),
        ),
        _p(
            r"(?P<value>.+) is not a level: write .+",
            lambda **k: _(
                "%(value)s is not a level: write 州/市中心, 县中心, 乡镇, 村/社区 or 12348热线", **k
            ),
        ),
        _p(
            r"the cell holds a number, and Excel keeps only 15 digits of it: .+"
            r"|(?P<value>.+) is a number Excel shortened: .+",
            lambda **k: _(
                "Excel stored the licence number as a number and shortened it: format the column as text "
                "(文本) and type the licence number again"
            ),
        ),
        _p(
            r"must be the supervising lawyer's 17-digit licence number \(执业证号\)",
            lambda **k: _("must be the supervising lawyer's 17-digit licence number"),
        ),
        _p(
            r"(?P<value>.+) is not a status: write .+",
            lambda **k: _("%(value)s is not a status: write 执业, 实习 or 停止执业", **k),
        ),
        _p(
            r"unknown language (?P<words>.+?): write .+",
            lambda **k: _(
                "unknown language %(words)s: write its Chinese name (汉语、维吾尔语、锡伯语、英语…) or its "
                "ISO 639 code (zh, ug, sjo, en…)",
                **k,
            ),
        ),
        _p(r"write true or false \(是 or 否\)", lambda **k: _("write 是 or 否 (true or false)")),
        _p(
            r"write mediation_case \(人民调解\) or legal_aid_case \(法律援助\)",
            lambda **k: _("write 人民调解 or 法律援助 (mediation_case or legal_aid_case)"),
        ),
        _p(
            r"(?P<value>.+) is not a day of the calendar",
            lambda **k: _("%(value)s is not a day of the calendar", **k),
        ),
    ]


def _claims() -> list[Pattern]:
    """Claims: submitting, reviewing, grading (the subsidy)."""
    return [
        _p(
            r"claim (?P<id>\S+) was submitted by (?P<user>.+); another finance officer must review it",
            lambda **k: _(
                "Claim %(id)s was submitted by %(user)s; another finance officer must review it.", **k
            ),
        ),
        _p(
            r"claim (?P<id>\S+) is (?P<status>\w+); only a (?P<needs>\w+) claim can be (?P<can>.+)",
            lambda **k: _("Claim %(id)s is %(status)s; only a %(needs)s claim %(can)s.", **k),
            status=ST_CLAIM,
            needs=ST_CLAIM,
            can=_can,
        ),
        _p(
            r"a rejection needs a reason the lawyer can read",
            lambda **k: _("Say why the claim is rejected: the lawyer reads it."),
        ),
        _p(
            r"claim (?P<id>\S+) cannot be approved: its file is incomplete \(一案一卷\), missing (?P<missing>.+); "
            r"add them while it is pending, then grade and approve it",
            lambda **k: _(
                "Claim %(id)s cannot be approved: its file is incomplete (一案一卷), missing %(missing)s; add "
                "them while it is pending, then grade and approve it.",
                **k,
            ),
        ),
        _p(
            r"claim (?P<id>\S+) cannot be approved: its scheme pays only graded files \(案件质量评估\) and it is "
            r"not graded yet; grade it, then approve it",
            lambda **k: _(
                "Claim %(id)s cannot be approved: its scheme pays only graded files and it is not graded yet; "
                "grade it, then approve it.",
                **k,
            ),
        ),
        _p(
            r"(?P<value>.+) is not a grade; use one of (?P<grades>.+)",
            lambda **k: _("%(value)s is not a grade; use one of %(grades)s.", **k),
        ),
        _p(
            r"claim (?P<id>\S+) has no amount yet \(no rate prices it\); add a scheme or reject it",
            lambda **k: _(
                "Claim %(id)s has no amount yet (no rate prices it); add a scheme or reject it.", **k
            ),
        ),
        _p(
            r"some claims have no amount yet \(no rate prices them\)",
            lambda **k: _("Some claims have no amount yet (no rate prices them)."),
        ),
        _p(
            r"a (?P<kind>\w+) claim for case (?P<case>.+) already exists",
            lambda **k: _("A %(kind)s claim for case %(case)s already exists.", **k),
            kind=_kind,
        ),
        _p(
            r"some of these cases already have a claim of their kind; nothing was recorded",
            lambda **k: _("Some of these cases already have a claim of their kind; nothing was recorded."),
        ),
        _p(
            r"a lawyer submits claims for themself only",
            lambda **k: _("A lawyer submits claims for themself only."),
        ),
    ]


def _budgets_and_schemes() -> list[Pattern]:
    """Budgets and schemes (the subsidy)."""
    return [
        _p(
            r"approving (?P<amount>[\d.]+) would overspend the (?P<year>\d{4}) (?P<kind>\w+) budget of "
            r"(?P<region>.+): (?P<remaining>-?[\d.]+) remaining of (?P<total>[\d.]+)",
            lambda **k: _(
                "Approving %(amount)s would overspend the %(year)s %(kind)s budget of %(region)s: "
                "%(remaining)s remaining of %(total)s.",
                **k,
            ),
            amount=money,
            remaining=money,
            total=money,
            kind=_kind,
            region=_region,
        ),
        _p(
            r"no (?P<year>\d{4}) (?P<kind>\w+) budget covers region (?P<region>\S+)",
            lambda **k: _("No %(year)s %(kind)s budget covers region %(region)s.", **k),
            kind=_kind,
        ),
        _p(
            r"the (?P<year>\d{4}) (?P<kind>\w+) budget of region (?P<region>\S+) already exists",
            lambda **k: _("The %(year)s %(kind)s budget of %(region)s already exists.", **k),
            kind=_kind,
            region=_region,
        ),
        _p(r"say why the budget changes", lambda **k: _("Say why the budget changes.")),
        _p(
            r"(?P<committed>[\d.]+) is already committed against this budget; the amount cannot go below that",
            lambda **k: _(
                "%(committed)s is already committed against this budget; the amount cannot go below that.",
                **k,
            ),
            committed=money,
        ),
        _p(
            r"scheme (?P<id>\S+) \((?P<name>.+), (?P<start>\S+) to (?P<until>\S+)\) is already in force for "
            r"(?P<kind>\w+) in region (?P<region>\S+) on some of these dates; close it first",
            lambda **k: _(
                "Scheme %(name)s (%(start)s to %(until)s) is already in force for %(kind)s in %(region)s on "
                "some of these dates; close it first.",
                **k,
            ),
            start=day,
            until=day,
            kind=_kind,
            region=_region,
        ),
        _p(
            r"(?:effective_to )?must not be before the scheme's effective_from (?P<date>\S+)",
            lambda **k: _("must not be before the day the scheme came into force (%(date)s)", **k),
            **DATE,
        ),
        _p(
            r"scheme (?P<id>\S+) already ends on (?P<date>\S+); a scheme's end only moves earlier",
            lambda **k: _("Scheme %(id)s already ends on %(date)s; a scheme's end only moves earlier.", **k),
            **DATE,
        ),
        _p(
            r"(?P<n>\d+) claim\(s\) served after (?P<date>\S+) were priced by scheme (?P<id>\S+); it cannot end "
            r"before them",
            lambda **k: _(
                "%(n)s claim(s) served after %(date)s were priced by scheme %(id)s; it cannot end before them.",
                **k,
            ),
            **DATE,
        ),
        _p(
            r"no (?P<kind>\w+) rate(?: in scheme (?P<id>\S+))? matches (?P<what>.+)",
            lambda **k: _("No %(kind)s rate matches %(what)s.", **k),
            kind=_kind,
        ),
    ]


def _payments() -> list[Pattern]:
    """Payment batches, bank files and bank accounts (the subsidy)."""
    return [
        _p(
            r"no approved claims served in (?P<month>\d{4}-\d{2})(?: in region (?P<region>\S+))? are waiting "
            r"for payment",
            lambda **k: (
                _("No approved claims served in %(month)s in %(region)s are waiting for payment.", **k)
                if k["region"]
                else _("No approved claims served in %(month)s are waiting for payment.", **k)
            ),
        ),
        _p(
            r"no bank account for lawyers (?P<named>.+?)(?:: record their accounts .+ before making the batch)?",
            lambda **k: _("No bank account for lawyers %(named)s: record their accounts first.", **k),
        ),
        _p(
            r"the claims changed while the batch was being made; try again",
            lambda **k: _("The claims changed while the batch was being made; try again."),
        ),
        _p(
            r"payment batch (?P<id>\S+) was already marked paid on (?P<date>\S+)",
            lambda **k: _("Payment batch %(id)s was already marked paid on %(date)s.", **k),
            **DATE,
        ),
        _p(
            r"the batch's claims changed while it was being marked paid; try again",
            lambda **k: _("The batch's claims changed while it was being marked paid; try again."),
        ),
        _p(
            r"no bank profile '(?P<name>[^']*)'; (?:the profiles are|profiles:) (?P<names>.+)",
            lambda **k: _("No bank file profile %(name)s; the profiles are %(names)s.", **k),
        ),
        _p(
            r"the bank's encoding \((?P<encoding>[^)]+)\) cannot write the account details of lawyers "
            r"(?P<ids>.+); correct their bank accounts or choose another profile",
            lambda **k: _(
                "The bank's encoding (%(encoding)s) cannot write the account details of lawyers %(ids)s; "
                "correct their bank accounts or choose another profile.",
                **k,
            ),
        ),
        _p(
            r"no bank account of lawyer (?P<id>\S+)|lawyer (?P<other>\S+) has no bank account yet",
            lambda **k: _("Lawyer %(id)s has no bank account yet.", id=k["id"] or k["other"]),
        ),
        _p(
            r"no lawyer (?P<id>\S+) in the subsidy service's lawyer directory \(copied from the roster\)",
            lambda **k: _("No lawyer %(id)s in the roster.", **k),
        ),
        _p(
            r"must be 10 to 30 digits, nothing else \(no letters, spaces or dashes\)",
            lambda **k: _("must be 10 to 30 digits, nothing else (no letters, spaces or dashes)"),
        ),
        _p(r"is required", lambda **k: _("is required")),
        _p(r"must be at most (?P<n>\d+) characters", lambda **k: _("must be at most %(n)s characters", **k)),
        _p(
            r"must not start with = \+ - or @ \(a spreadsheet would run it as a formula\)",
            lambda **k: _("must not start with = + - or @ (a spreadsheet would run it as a formula)"),
        ),
        _p(r"must be one line of text", lambda **k: _("must be one line of text")),
    ]


def _subsidy_fields() -> list[Pattern]:
    """The subsidy's own field types and checks (api/field_types.py, api/schemas.py)."""
    return [
        _p(
            r"must be text \(at most 100 characters\), a whole number or a boolean",
            lambda **k: _("must be text (at most 100 characters), a whole number or yes/no"),
        ),
        _p(r"at most (?P<n>\d+) attributes", lambda **k: _("at most %(n)s attributes", **k)),
        _p(
            r"must be a date such as 2026-05-12, in 2000-2199",
            lambda **k: _("must be a date such as 2026-05-12, in 2000-2199"),
        ),
        _p(
            r"must be yuan such as 1234\.50 \(a string, at most two decimals\)",
            lambda **k: _("must be yuan such as 1234.50 (at most two decimals)"),
        ),
        _p(r'must be a factor such as "1\.20"', lambda **k: _('must be a factor such as "1.20"')),
        _p(r"must not be blank", lambda **k: _("must not be blank")),
        _p(r"must not contain NUL", lambda **k: _("must not contain invisible control characters")),
        _p(
            r"must be a six-digit region code such as 654021",
            lambda **k: _("must be a six-digit administrative division code, e.g. 654021"),
        ),
        _p(r"must be a month such as 2026-05", lambda **k: _("must be a month such as 2026-05")),
        _p(
            r"must be a time such as (?P<time>\d{2}:\d{2})",
            lambda **k: _("must be a time such as %(time)s", **k),
        ),
        _p(r"a duty cannot end when it starts", lambda **k: _("A duty cannot end when it starts.")),
        _p(
            r"at most (?P<max>\d+) duties in one estimate, not (?P<n>\d+)",
            lambda **k: _("at most %(max)s duties in one estimate, not %(n)s", **k),
        ),
        _p(r"must be one of (?P<choices>[^:].*)", lambda **k: _("must be one of %(choices)s", **k)),
    ]


def _marshmallow() -> list[Pattern]:
    """marshmallow's (4.x) and webargs' own messages for fields."""
    return [
        _p(r"Missing data for required field\.", lambda **k: _("is required")),
        _p(r"Field may not be null\.", lambda **k: _("may not be empty")),
        _p(r"Unknown field\.", lambda **k: _("is not a field of this request")),
        _p(r"Invalid (?:value|input|input type|type)\.", lambda **k: _("is not a valid value")),
        _p(
            r"Not a valid (?P<type>string|integer|number|boolean|date|datetime|time|list|mapping type|tuple|UUID"
            r"|email address|URL|period of time)\.",
            lambda **k: _("is not a valid %(type)s", **k),
            type=_type,
        ),
        _p(
            r"Not a valid (?P<aware>naive|aware) (?P<type>datetime|time)\.",
            lambda **k: _("is not a valid %(type)s", **k),
            type=_type,
        ),
        _p(r"Not a valid utf-8 string\.", lambda **k: _("is not valid text")),
        _p(
            r"Special numeric values \(nan or infinity\) are not permitted\.|Number too large\.",
            lambda **k: _("is not a usable number"),
        ),
        _p(r"Must be one of: (?P<choices>.+)\.", lambda **k: _("must be one of: %(choices)s", **k)),
        _p(
            r"One or more of the choices you made was not in: (?P<choices>.+)\.",
            lambda **k: _("must be some of: %(choices)s", **k),
        ),
        _p(
            r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
            lambda **k: _("must be %(min)s to %(max)s characters long", **k),
        ),
        _p(r"Longer than maximum length (?P<max>\d+)\.", lambda **k: _("must be at most %(max)s long", **k)),
        _p(
            r"Shorter than minimum length (?P<min>\d+)\.", lambda **k: _("must be at least %(min)s long", **k)
        ),
        _p(r"Length must be (?P<n>\d+)\.", lambda **k: _("must be exactly %(n)s long", **k)),
        _p(
            r"Must be (?P<op>greater than or equal to|greater than|less than or equal to|less than) "
            r"(?P<limit>\S+)\.",
            lambda **k: _("must be %(op)s %(limit)s", **k),
            op=_op,
        ),
        _p(
            r"Must be (?P<op>greater than or equal to|greater than) (?P<min>\S+) and "
            r"(?P<op2>less than or equal to|less than) (?P<max>\S+)\.",
            lambda **k: _("must be %(op)s %(min)s and %(op2)s %(max)s", **k),
            op=_op,
            op2=_op,
        ),
        _p(r"Must be equal to (?P<other>.+)\.", lambda **k: _("must be %(other)s", **k)),
        _p(
            r"String does not match expected pattern\.",
            lambda **k: _("is not written the expected way"),
        ),
        _p(
            r'"?(?P<value>.*?)"? cannot be formatted as an? (?P<type>\w+)\.',
            lambda **k: _("%(value)s cannot be written as a %(type)s", **k),
            type=_type,
        ),
    ]


def _generic() -> list[Pattern]:
    """`field: message` (the gateway's details, an import row's messages): both in words. First, so that
    no pattern of a message takes the field for part of its value."""
    return [
        _p(
            FIELD + r": (?P<messages>.+)",
            lambda **k: _("%(field)s: %(messages)s", **k),
            field=_field,
            messages=_listed,
        ),
    ]


PATTERNS: tuple[Pattern, ...] = (
    *_generic(),
    *_access(),
    *_users(),
    *_duties(),
    *_rosters(),
    *_swaps_and_leave(),
    *_master_data(),
    *_imports(),
    *_claims(),
    *_budgets_and_schemes(),
    *_payments(),
    *_subsidy_fields(),
    *_marshmallow(),
)


# ------------------------------------------------------------------------------------------- field names


def _fields() -> dict[str, Callable[[], str]]:
    return {
        "region_code": lambda: _("Region code"),
        "region": lambda: _("Region"),
        "period_start": lambda: _("start of the period"),
        "period_end": lambda: _("end of the period"),
        "start_date": lambda: _("first day"),
        "end_date": lambda: _("last day"),
        "start_time": lambda: _("start time"),
        "end_time": lambda: _("end time"),
        "from_date": lambda: _("from date"),
        "date": lambda: _("Date"),
        "service_date": lambda: _("Service date"),
        "month": lambda: _("Month"),
        "from": lambda: _("From month"),
        "to": lambda: _("To month"),
        "year": lambda: _("Year"),
        "lawyer_id": lambda: _("Lawyer"),
        "to_lawyer_id": lambda: _("New lawyer"),
        "supervisor_id": lambda: _("supervising lawyer"),
        "station_id": lambda: _("Station"),
        "parent_id": lambda: _("parent station"),
        "name": lambda: _("Name"),
        "phone": lambda: _("phone"),
        "address": lambda: _("Address"),
        "license_no": lambda: _("Licence number"),
        "supervisor_license_no": lambda: _("Supervisor's licence number"),
        "parent_name": lambda: _("Parent station"),
        "": lambda: _("Whole row"),
        "languages": lambda: _("Languages"),
        "level": lambda: _("Level"),
        "status": lambda: _("Status"),
        "headcount": lambda: _("headcount"),
        "intern_seats": lambda: _("intern seats"),
        "intern_start": lambda: _("start of the internship"),
        "intern_end": lambda: _("end of the internship"),
        "max_duties_per_month": lambda: _("Most duties a month"),
        "days": lambda: _("days"),
        "rrule": lambda: _("repetition rule"),
        "reason": lambda: _("Reason"),
        "amount": lambda: _("Amount"),
        "kind": lambda: _("Kind"),
        "case_no": lambda: _("Case"),
        "grade": lambda: _("grade"),
        "documents": lambda: _("documents"),
        "document_no": lambda: _("document"),
        "attributes": lambda: _("Attributes"),
        "effective_from": lambda: _("in force from"),
        "effective_to": lambda: _("in force until"),
        "rates": lambda: _("rates"),
        "factor": lambda: _("factor"),
        "duties": lambda: _("Duties"),
        "claim_ids": lambda: _("Claims"),
        "profile": lambda: _("bank file profile"),
        "account_no": lambda: _("Account number"),
        "account_name": lambda: _("Account name"),
        "bank_name": lambda: _("Bank"),
        "branch": lambda: _("branch"),
        "username": lambda: _("Username"),
        "password": lambda: _("Password"),
        "old_password": lambda: _("old password"),
        "role": lambda: _("role"),
        "file": lambda: _("file"),
        "mode": lambda: _("import mode"),
        "holidays": lambda: _("Holidays"),
        "workdays": lambda: _("Adjusted working days"),
        "language": lambda: _("language"),
    }


FIELDS = _fields()
ROW = re.compile(r"row (?P<n>\d+)(?:\.(?P<rest>.+))?")


def field_name(name: str) -> str:
    """A field of the API (`region_code`, `rates.0.amount`, an import's `row 3.license_no`) in words."""
    row = ROW.fullmatch(name)
    if row:
        words = _("row %(n)s", n=row["n"])
        return f"{words} {field_name(row['rest'])}" if row["rest"] else words
    if name == "_schema":
        return ""
    return " ".join(_part(part) for part in name.split("."))


def _part(part: str) -> str:
    if part.isdigit():
        return _("item %(n)s", n=int(part) + 1)
    word = FIELDS.get(part)
    return word() if word else part


# ---------------------------------------------------------------------------------------------- messages


def known(text: str) -> str | None:
    """The API's `text` in the user's words, if a pattern knows it; None otherwise. Said once a request: an
    import refused row by row repeats the same few messages thousands of times."""
    text = text.strip()
    if not has_app_context():
        return _known(text)
    said: dict[str, str | None] = g.setdefault("apiwords_said", {})
    if text not in said:
        said[text] = _known(text)
    return said[text]


def _known(text: str) -> str | None:
    for pattern in PATTERNS:
        said = pattern.say(text)
        if said is not None:
            return said
    return None


def message(text: str) -> str:
    """The API's `text` in the user's words, or as it came when no pattern knows it."""
    said = known(text)
    return text if said is None else said


def together(parts: Iterable[str]) -> str:
    """Messages one after another (`a; b` in English, `a；b` in Chinese)."""
    joined = ""
    for part in parts:
        joined = _("%(first)s; %(then)s", first=joined.rstrip(".。"), then=part) if joined else part
    return joined


def title(status: int, text: str = "") -> str:
    """The problem's title (an HTTP reason) in words; by status, else the title as it came."""
    by_status = {
        400: lambda: _("Bad request"),
        401: lambda: _("Not logged in"),
        403: lambda: _("Not allowed"),
        404: lambda: _("Not found"),
        405: lambda: _("Not allowed here"),
        409: lambda: _("Conflict"),
        412: lambda: _("Changed by someone else"),
        413: lambda: _("Too large"),
        415: lambda: _("Unsupported file type"),
        422: lambda: _("Invalid fields"),
        428: lambda: _("Version required"),
        429: lambda: _("Too many requests"),
        500: lambda: _("Something went wrong"),
        502: lambda: _("Something went wrong"),
        503: lambda: _("The system is busy or down; try again shortly"),
        504: lambda: _("The system did not answer in time"),
    }
    word = by_status.get(status)
    if word is not None:
        return word()
    return text or str(status)


def field_errors(errors: Mapping[str, Iterable[str]]) -> list[str]:
    """Each bad field with its messages, in words (`Region code: must be …`)."""
    lines = []
    for name, messages in errors.items():
        said = together(message(m) for m in messages)
        where = field_name(name)
        lines.append(_("%(field)s: %(messages)s", field=where, messages=said) if where else said)
    return lines


def restates(detail: str, errors: Mapping[str, Iterable[str]]) -> bool:
    """Whether the detail only repeats the field errors (`a: x; b: y`, as a 422 of the API says them)."""
    rest = detail
    for name, messages in errors.items():
        rest = rest.replace(f"{name}:", "")
        for text in messages:
            rest = rest.replace(text, "")
    return bool(errors) and not rest.strip(" ;.…")


def problem_text(exc: ApiError, *, titled: bool = True) -> str:
    """The whole refusal for a flash message: the detail (or the title) in words, then the bad fields.

    `titled=False` leaves the title out where the page says it already (the error page's heading)."""
    errors = dict(exc.errors or {})
    head = _head(exc, errors, titled=titled)
    fields = field_errors(errors)
    if _repeats(head, errors, fields):
        head = title(exc.status, exc.title) if titled else ""
    if fields and head == title(exc.status, exc.title):
        return _("%(title)s: %(detail)s", title=head, detail=together(fields))
    return together(p for p in (head, *fields) if p) or title(exc.status, exc.title)


def _repeats(head: str, errors: Mapping[str, list[str]], fields: list[str]) -> bool:
    """Whether the detail, in words, says what a field's error says (the gateway's `username: …`)."""
    said = {message(text).rstrip(".。") for texts in errors.values() for text in texts}
    return head in fields or head.rstrip(".。") in said


def _head(exc: ApiError, errors: Mapping[str, list[str]], *, titled: bool) -> str:
    detail = (exc.detail or "").strip()
    if not detail or restates(detail, errors):
        return title(exc.status, exc.title) if titled else ""
    said = known(detail)
    if said is not None:
        return said
    if not titled:
        return detail
    return _("%(title)s: %(detail)s", title=title(exc.status, exc.title), detail=detail)
