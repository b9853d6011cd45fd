"""Who may call what: the gateway's one table of the backend routes it forwards.

Every request under /api/roster/ or /api/subsidy/ is looked up here before anything else happens:
no row for its path -> 404, a row for the path but not the method -> 405, a row whose roles do not include
the caller's -> 403. Only then is the request forwarded, to the row's backend, path kept as it is.

How to add a route (one line, in the block of its backend):

    Route("POST", "/api/roster/things/{id}/frobnicate", SCHEDULER),

- the path is the public path exactly as the backend serves it; `{name}` stands for one path segment;
- the roles are those the backend lets through (the backend checks them again, and checks ownership:
  a lawyer's rows name routes where the backend filters to, or refuses, another lawyer's objects);
- the tests build the role x route matrix from this table, and fail when a path in a backend's
  OpenAPI spec has no row here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.common.auth import ROLES

ADMIN = frozenset({"admin"})
SCHEDULER = frozenset({"scheduler"})
FINANCE = frozenset({"finance"})
LAWYER = frozenset({"lawyer"})
EVERYONE = frozenset(ROLES)

# who keeps roster master data (lawyers, stations, patterns, calendar)
ROSTER_KEEPERS = SCHEDULER | ADMIN
# finance decides on money; the administrator may look
SUBSIDY_READERS = FINANCE | ADMIN

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: frozenset[str]
    backend: str = field(default="")
    note: str = ""

    def __post_init__(self) -> None:
        if not self.backend:
            object.__setattr__(self, "backend", self.path.split("/")[2])
        object.__setattr__(self, "_regex", _compile(self.path))

    @property
    def regex(self) -> re.Pattern[str]:
        return self._regex  # type: ignore[attr-defined, no-any-return]

    @property
    def is_template(self) -> bool:
        return "{" in self.path


def _compile(path: str) -> re.Pattern[str]:
    pattern, last = "", 0
    for m in _PARAM.finditer(path):
        pattern += re.escape(path[last:m.start()]) + r"[^/]+"
        last = m.end()
    return re.compile("^" + pattern + re.escape(path[last:]) + "$")


R = Route
ROUTES: tuple[Route, ...] = (
    # ---- roster: master data (scheduler and admin keep it; lawyers read their own record and stations) ----
    R("GET", "/api/roster/lawyers", ROSTER_KEEPERS),
    R("POST", "/api/roster/lawyers", ROSTER_KEEPERS),
    R("GET", "/api/roster/lawyers/{id}", LAWYER | ROSTER_KEEPERS, note="a lawyer sees only themself: 404"),
    R("PATCH", "/api/roster/lawyers/{id}", ROSTER_KEEPERS),
    R("POST", "/api/roster/imports/lawyers", ROSTER_KEEPERS),
    R("POST", "/api/roster/imports/stations", ROSTER_KEEPERS),
    R("GET", "/api/roster/stations", LAWYER | ROSTER_KEEPERS, note="lawyers look up where they serve"),
    R("POST", "/api/roster/stations", ROSTER_KEEPERS),
    R("GET", "/api/roster/stations/{id}", LAWYER | ROSTER_KEEPERS),
    R("PATCH", "/api/roster/stations/{id}", ROSTER_KEEPERS),
    R("GET", "/api/roster/duty-patterns", ROSTER_KEEPERS),
    R("POST", "/api/roster/duty-patterns", ROSTER_KEEPERS),
    R("GET", "/api/roster/duty-patterns/{id}", ROSTER_KEEPERS),
    R("PATCH", "/api/roster/duty-patterns/{id}", ROSTER_KEEPERS),
    R("GET", "/api/roster/calendar/{year}", LAWYER | ROSTER_KEEPERS),
    R("PUT", "/api/roster/calendar/{year}", ROSTER_KEEPERS),
    # ---- roster: leave (a lawyer for themself, the scheduler for anyone) ----
    R("GET", "/api/roster/leaves", LAWYER | ROSTER_KEEPERS, note="a lawyer sees their own"),
    R("POST", "/api/roster/leaves", LAWYER | ROSTER_KEEPERS, note="a lawyer for themself only"),
    R("GET", "/api/roster/leaves/{id}", LAWYER | ROSTER_KEEPERS, note="another lawyer's: 404"),
    # ---- roster: rosters (the scheduler makes them) ----
    R("GET", "/api/roster/rosters", ROSTER_KEEPERS),
    R("POST", "/api/roster/rosters", SCHEDULER),
    R("GET", "/api/roster/rosters/{id}", ROSTER_KEEPERS),
    R("POST", "/api/roster/rosters/{id}/generate", SCHEDULER),
    R("POST", "/api/roster/rosters/{id}/publish", SCHEDULER),
    R("GET", "/api/roster/rosters/{id}/assignments", ROSTER_KEEPERS),
    R("GET", "/api/roster/rosters/{id}/export.xlsx", ROSTER_KEEPERS),
    # ---- roster: duties ----
    R("GET", "/api/roster/me/duties", LAWYER),
    R("GET", "/api/roster/me/duties.ics", LAWYER),
    R("GET", "/api/roster/assignments/{id}", LAWYER | ROSTER_KEEPERS, note="another lawyer's: 404"),
    R("POST", "/api/roster/assignments/{id}/check-in", LAWYER, note="the assigned lawyer only"),
    R("POST", "/api/roster/assignments/{id}/check-out", LAWYER, note="the assigned lawyer only"),
    R("POST", "/api/roster/assignments/{id}/reassign", SCHEDULER),
    # ---- roster: swaps (a lawyer asks, the other accepts, the scheduler approves) ----
    R("GET", "/api/roster/swaps", LAWYER | ROSTER_KEEPERS, note="a lawyer sees swaps they are part of"),
    R("POST", "/api/roster/swaps", LAWYER, note="for one of the lawyer's own duties"),
    R("GET", "/api/roster/swaps/{id}", LAWYER | ROSTER_KEEPERS, note="not a party: 404"),
    R("POST", "/api/roster/swaps/{id}/accept", LAWYER, note="the other lawyer only"),
    R("POST", "/api/roster/swaps/{id}/decline", LAWYER | SCHEDULER, note="the other lawyer, or the scheduler"),
    R("POST", "/api/roster/swaps/{id}/approve", SCHEDULER),
    # ---- subsidy: rate tables and budgets (finance) ----
    R("GET", "/api/subsidy/schemes", SUBSIDY_READERS),
    R("POST", "/api/subsidy/schemes", FINANCE),
    R("POST", "/api/subsidy/schemes/preview", FINANCE),
    R("GET", "/api/subsidy/schemes/{id}", SUBSIDY_READERS),
    R("POST", "/api/subsidy/schemes/{id}/close", FINANCE, note="ends a standard: a new one follows"),
    R("GET", "/api/subsidy/budgets", SUBSIDY_READERS),
    R("POST", "/api/subsidy/budgets", FINANCE),
    R("GET", "/api/subsidy/budgets/{id}", SUBSIDY_READERS),
    R("PATCH", "/api/subsidy/budgets/{id}", FINANCE),
    # ---- subsidy: claims (a lawyer submits and follows their own; finance decides) ----
    R("GET", "/api/subsidy/claims", LAWYER | SUBSIDY_READERS, note="a lawyer sees their own"),
    R("POST", "/api/subsidy/claims", LAWYER | FINANCE, note="a lawyer for themself only"),
    R("GET", "/api/subsidy/claims/{id}", LAWYER | SUBSIDY_READERS, note="another lawyer's: 404"),
    R("POST", "/api/subsidy/claims/{id}/approve", FINANCE, note="never the claim's submitter"),
    R("POST", "/api/subsidy/claims/{id}/reject", FINANCE, note="never the claim's submitter"),
    # ---- subsidy: payment ----
    R("GET", "/api/subsidy/payment-batches", SUBSIDY_READERS),
    R("POST", "/api/subsidy/payment-batches", FINANCE),
    R("GET", "/api/subsidy/payment-batches/{id}", SUBSIDY_READERS),
    R("GET", "/api/subsidy/payment-batches/{id}/export.csv", SUBSIDY_READERS),
    R("GET", "/api/subsidy/payment-batches/{id}/export.xlsx", SUBSIDY_READERS),
    R("POST", "/api/subsidy/payment-batches/{id}/mark-paid", FINANCE),
    R("GET", "/api/subsidy/audit", SUBSIDY_READERS),
    R("GET", "/api/subsidy/audit/verify", SUBSIDY_READERS),
)
del R

BACKENDS = ("roster", "subsidy")


@dataclass(frozen=True)
class Match:
    """What the table says about one request: the route, or why there is none."""

    route: Route | None
    allowed_methods: tuple[str, ...] = ()


class RouteTable:
    """Looks a method and path up: literal paths by dictionary, templated ones in order."""

    def __init__(self, routes: tuple[Route, ...] = ROUTES):
        seen: set[tuple[str, str]] = set()
        for route in routes:
            if route.backend not in BACKENDS:
                raise ValueError(f"{route.path}: unknown backend {route.backend!r}")
            if not route.path.startswith(f"/api/{route.backend}/"):
                raise ValueError(f"{route.path}: a {route.backend} route must live under /api/{route.backend}/")
            if not route.roles or not route.roles <= set(ROLES):
                raise ValueError(f"{route.method} {route.path}: roles must be some of {ROLES}")
            if "{" in _resource(route.path):
                raise ValueError(f"{route.path}: the first three segments must be literal")
            key = (route.method, route.path)
            if key in seen:
                raise ValueError(f"{route.method} {route.path} is in the table twice")
            seen.add(key)
        self.routes = routes
        self._literal: dict[str, list[Route]] = {}
        self._templates: dict[str, list[Route]] = {}
        for route in routes:
            if route.is_template:
                self._templates.setdefault(_resource(route.path), []).append(route)
            else:
                self._literal.setdefault(route.path, []).append(route)

    def match(self, method: str, path: str) -> Match:
        """The route for `method path`; None with the allowed methods when only the path is known."""
        if any(seg in ("", ".", "..") for seg in path.split("/")[1:]):
            return Match(None)
        candidates = self._literal.get(path, []) + [
            r for r in self._templates.get(_resource(path), ()) if r.regex.match(path)
        ]
        lookup = "GET" if method == "HEAD" else method
        for route in candidates:  # literal rows first: POST /schemes/preview before /schemes/{id}
            if route.method == lookup:
                return Match(route)
        return Match(None, tuple(sorted({r.method for r in candidates})))


def _resource(path: str) -> str:
    """The first three segments (`/api/roster/lawyers`): templated rows are looked up by them."""
    return "/".join(path.split("/", 4)[:4])


def template_of(openapi_path: str) -> str:
    """An OpenAPI path with its parameters renamed, to compare with the table (`{id}` == `{lawyer_id}`)."""
    return _PARAM.sub("{}", openapi_path)
