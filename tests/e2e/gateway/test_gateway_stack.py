"""The gateway on the running system (`python -m services.launch`, two gunicorn workers per service)."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jwt
import pytest
import requests

from services.common.auth import Identity, sign_identity
from services.roster.service.ical import uid_of
from tests.buskit import wait_for
from tests.calendar_feeds import events
from tests.e2e.stack import Stack

pytestmark = pytest.mark.slow
PASSWORD = "a-lawyers-password"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(
        tmp_path_factory.mktemp("gw-e2e") / "var", LEGALDUTY_DEMO="0", LEGALDUTY_WEB_WORKERS="2"
    ).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def admin(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token()}"}


def make_user(stack: Stack, admin: dict[str, str], role: str, **extra: str) -> tuple[dict, dict[str, str]]:
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    response = requests.post(
        stack.url() + "/api/users",
        headers=admin,
        timeout=10,
        json={"username": username, "password": PASSWORD, "role": role, **extra},
    )
    assert response.status_code == 201, response.text
    token = stack.token(username, PASSWORD)
    return response.json(), {"Authorization": f"Bearer {token}"}


def test_a_call_straight_to_a_service_without_the_gateways_identity_is_refused(stack: Stack) -> None:
    forged = sign_identity(
        Identity("u", "mallory", "admin"), secret="not-the-internal-secret-but-32-bytes", audience="roster"
    )
    for service, path in (("roster", "/api/roster/lawyers"), ("subsidy", "/api/subsidy/claims")):
        assert requests.get(stack.url(service) + path, timeout=5).status_code == 401
        forged_call = requests.get(
            stack.url(service) + path, headers={"X-Legalduty-Identity": forged}, timeout=5
        )
        assert forged_call.status_code == 401
    user_token = stack.token()  # a user's token is not an identity either
    direct = requests.get(
        stack.url("roster") + "/api/roster/lawyers",
        timeout=5,
        headers={"Authorization": f"Bearer {user_token}", "X-Legalduty-Identity": user_token},
    )
    assert direct.status_code == 401


def test_an_administrator_makes_a_lawyer_user_who_logs_in_and_sees_their_page(
    stack: Stack, admin: dict[str, str]
) -> None:
    _, scheduler = make_user(stack, admin, "scheduler")
    user, headers = make_user(
        stack, admin, "lawyer", lawyer_id=roster_lawyer(stack, scheduler, "Lawyer Page")
    )
    page = requests.get(stack.url() + "/api/me", headers=headers, timeout=10)
    assert page.status_code == 200
    body = page.json()
    assert body["user"]["id"] == user["id"]
    assert body["user"]["role"] == "lawyer"
    for section in ("upcoming_duties", "pending_swaps", "claims_this_month"):
        assert isinstance(body[section]["available"], bool)
    assert requests.get(stack.url() + "/api/users", headers=headers, timeout=5).status_code == 403


def test_the_request_id_goes_through_the_gateway_to_the_service_and_back(
    stack: Stack, admin: dict[str, str]
) -> None:
    _, headers = make_user(stack, admin, "scheduler")
    request_id = f"e2e-{uuid.uuid4().hex}"
    response = requests.get(
        stack.url() + "/api/roster/lawyers", headers={**headers, "X-Request-ID": request_id}, timeout=10
    )
    assert response.status_code != 401, "the roster service did not accept the gateway's identity"
    assert response.headers["X-Request-ID"] == request_id
    if response.headers.get("Content-Type", "").startswith("application/problem+json"):
        assert response.json()["request_id"] == request_id  # made by the roster service, with our id


def test_the_request_id_becomes_the_correlation_id_of_the_events_it_causes(
    stack: Stack, admin: dict[str, str]
) -> None:
    _, headers = make_user(stack, admin, "scheduler")
    request_id = f"e2e-{uuid.uuid4().hex}"
    licence = f"1654{uuid.uuid4().int % 10**13:013d}"
    created = requests.post(
        stack.url() + "/api/roster/lawyers",
        headers={**headers, "X-Request-ID": request_id},
        timeout=10,
        json={
            "name": "Aygul Nurlan",
            "license_no": licence,
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh", "kk"],
        },
    )
    assert created.status_code == 201, created.text
    lawyer_id = created.json()["id"]

    def outbox_correlation() -> str | None:
        with sqlite3.connect(stack.data_dir / "roster.sqlite3") as conn:
            for (body,) in conn.execute(
                "SELECT body FROM outbox WHERE event_type = 'roster.lawyer.upserted'"
            ):
                envelope = json.loads(body)
                if envelope["data"]["id"] == lawyer_id:
                    return envelope["correlation_id"]
        return None

    assert (
        wait_for(outbox_correlation, timeout=10, what="the lawyer's event in the roster outbox") == request_id
    )

    def in_directory() -> bool:
        with sqlite3.connect(stack.data_dir / "gateway.sqlite3") as conn:
            return (
                conn.execute("SELECT 1 FROM lawyer_directory WHERE id = ?", (lawyer_id,)).fetchone()
                is not None
            )

    wait_for(in_directory, timeout=30, what="the lawyer in the gateway's directory")
    linked = requests.post(
        stack.url() + "/api/users",
        headers=admin,
        timeout=10,
        json={
            "username": f"aygul-{licence[-4:]}",
            "password": PASSWORD,
            "role": "lawyer",
            "lawyer_id": lawyer_id,
        },
    )
    assert linked.status_code == 201


def test_disabling_a_user_revokes_their_token_in_every_worker(stack: Stack, admin: dict[str, str]) -> None:
    user, headers = make_user(stack, admin, "finance")
    assert requests.get(stack.url() + "/api/me", headers=headers, timeout=5).status_code == 200
    assert (
        requests.post(f"{stack.url()}/api/users/{user['id']}/disable", headers=admin, timeout=5).status_code
        == 200
    )
    statuses = {
        requests.get(stack.url() + "/api/me", headers=headers, timeout=5).status_code for _ in range(12)
    }
    assert statuses == {401}


def test_a_token_forged_with_alg_none_is_refused_by_the_running_gateway(stack: Stack) -> None:
    claims = jwt.decode(stack.token(), options={"verify_signature": False})
    forged = jwt.encode({**claims, "role": "admin"}, key=None, algorithm="none")
    assert (
        requests.get(
            stack.url() + "/api/users", headers={"Authorization": f"Bearer {forged}"}, timeout=5
        ).status_code
        == 401
    )


def test_guessing_a_password_is_throttled_across_workers(stack: Stack, admin: dict[str, str]) -> None:
    user, _ = make_user(stack, admin, "finance")
    statuses = []
    for _ in range(7):  # new connections each time: the two workers share the count through the database
        statuses.append(
            requests.post(
                stack.url() + "/api/auth/token",
                timeout=10,
                json={"username": user["username"], "password": "guess"},
            ).status_code
        )
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]


def test_a_service_that_is_stopped_gives_503_quickly_and_the_rest_keeps_working(
    stack: Stack, admin: dict[str, str]
) -> None:
    _, headers = make_user(stack, admin, "finance")
    stack.supervisorctl("stop", "subsidy-web")
    try:
        started = time.monotonic()
        response = requests.get(stack.url() + "/api/subsidy/claims", headers=headers, timeout=10)
        assert response.status_code == 503
        assert time.monotonic() - started < 2
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert requests.get(stack.url() + "/api/me", headers=admin, timeout=5).status_code == 200
        assert requests.get(stack.url() + "/api/openapi.json", timeout=10).status_code == 200
    finally:
        stack.supervisorctl("start", "subsidy-web")
        wait_for(lambda: stack.ready("subsidy"), timeout=30, what="subsidy back")


def roster_lawyer(stack: Stack, scheduler: dict[str, str], name: str) -> str:
    licence = f"1654{uuid.uuid4().int % 10**13:013d}"
    created = requests.post(
        stack.url() + "/api/roster/lawyers",
        headers=scheduler,
        timeout=10,
        json={
            "name": name,
            "license_no": licence,
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh"],
        },
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def lawyer_user(stack: Stack, admin: dict[str, str], lawyer_id: str) -> dict[str, str]:
    """A user for a roster lawyer just created: accepted at once, whether or not the roster's event has
    reached the gateway's directory yet (the gateway asks the roster)."""
    response = requests.post(
        stack.url() + "/api/users",
        headers=admin,
        timeout=10,
        json={
            "username": f"lawyer-{uuid.uuid4().hex[:8]}",
            "password": PASSWORD,
            "role": "lawyer",
            "lawyer_id": lawyer_id,
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {stack.token(response.json()['username'], PASSWORD)}"}


def test_a_lawyer_sees_and_acts_on_their_own_objects_only(stack: Stack, admin: dict[str, str]) -> None:
    _, scheduler = make_user(stack, admin, "scheduler")
    a_id, b_id = roster_lawyer(stack, scheduler, "Lawyer A"), roster_lawyer(stack, scheduler, "Lawyer B")
    a, b = lawyer_user(stack, admin, a_id), lawyer_user(stack, admin, b_id)
    url = stack.url()

    assert requests.get(f"{url}/api/roster/lawyers/{a_id}", headers=a, timeout=10).status_code == 200
    assert requests.get(f"{url}/api/roster/lawyers/{a_id}", headers=b, timeout=10).status_code == 404
    leave = {"lawyer_id": a_id, "start_date": "2027-03-01", "end_date": "2027-03-02", "reason": "family"}
    assert requests.post(f"{url}/api/roster/leaves", headers=b, json=leave, timeout=10).status_code in (
        403,
        404,
    )
    mine = requests.post(f"{url}/api/roster/leaves", headers=a, json=leave, timeout=10)
    assert mine.status_code == 201, mine.text
    seen_by_b = requests.get(f"{url}/api/roster/leaves", headers=b, timeout=10).json()["items"]
    assert all(item["lawyer_id"] == b_id for item in seen_by_b)
    # a lawyer changes no master data, whatever the body says
    assert (
        requests.patch(
            f"{url}/api/roster/lawyers/{a_id}", headers=a, json={"status": "suspended"}, timeout=10
        ).status_code
        == 403
    )


def test_a_lawyers_claims_are_theirs_alone_and_their_amount_not_theirs_to_set(
    stack: Stack, admin: dict[str, str]
) -> None:
    _, scheduler = make_user(stack, admin, "scheduler")
    _, finance = make_user(stack, admin, "finance")
    a_id, b_id = roster_lawyer(stack, scheduler, "Claimant A"), roster_lawyer(stack, scheduler, "Claimant B")
    a, b = lawyer_user(stack, admin, a_id), lawyer_user(stack, admin, b_id)
    url = stack.url()
    scheme = requests.post(
        f"{url}/api/subsidy/schemes",
        headers=finance,
        timeout=10,
        json={
            "kind": "mediation_case",
            "name": "e2e mediation",
            "region_code": "654021",
            "effective_from": "2020-01-01",
            "effective_to": None,
            "rates": [{"when": {"difficulty": "simple"}, "amount": "100.00"}],
            "adjustments": [],
            "monthly_cap_per_lawyer": None,
        },
    )
    assert scheme.status_code in (201, 409), scheme.text
    claim = {
        "kind": "mediation_case",
        "lawyer_id": a_id,
        "region_code": "654021",
        "case_no": f"M-{uuid.uuid4().hex[:8]}",
        "service_date": "2026-11-02",
        "attributes": {"difficulty": "simple", "agreement": False},
    }
    assert (
        requests.post(
            f"{url}/api/subsidy/claims", headers=a, timeout=10, json={**claim, "amount": "99999.00"}
        ).status_code
        == 422
    )
    assert requests.post(f"{url}/api/subsidy/claims", headers=b, json=claim, timeout=10).status_code in (
        403,
        404,
        422,
    )

    def submitted() -> dict | None:  # the subsidy service learns of the lawyer from the roster's event
        response = requests.post(f"{url}/api/subsidy/claims", headers=a, json=claim, timeout=10)
        return response.json() if response.status_code == 201 else None

    created = wait_for(submitted, timeout=30, interval=0.5, what="the claim accepted")
    assert created["status"] == "pending"
    assert created["lawyer_id"] == a_id
    assert requests.get(f"{url}/api/subsidy/claims/{created['id']}", headers=a, timeout=10).status_code == 200
    assert requests.get(f"{url}/api/subsidy/claims/{created['id']}", headers=b, timeout=10).status_code == 404
    assert all(
        c["lawyer_id"] == b_id
        for c in requests.get(f"{url}/api/subsidy/claims", headers=b, timeout=10).json()["items"]
    )
    assert (
        requests.post(f"{url}/api/subsidy/claims/{created['id']}/approve", headers=a, timeout=10).status_code
        == 403
    )


def test_a_phone_subscribes_to_a_lawyers_calendar_with_no_token_until_the_link_is_revoked(
    stack: Stack, admin: dict[str, str]
) -> None:
    _, scheduler = make_user(stack, admin, "scheduler")
    url = stack.url()
    region = f"65{uuid.uuid4().int % 10**4:04d}"  # a region of its own: no other test's lawyers in its roster
    station = requests.post(
        f"{url}/api/roster/stations",
        headers=scheduler,
        timeout=10,
        json={"name": "察布查尔县公共法律服务中心", "level": "county", "region_code": region},
    ).json()
    requests.post(
        f"{url}/api/roster/duty-patterns",
        headers=scheduler,
        timeout=10,
        json={
            "station_id": station["id"],
            "days": "daily",
            "start_time": "09:30",
            "end_time": "13:30",
            "headcount": 1,
            "languages": ["sjo"],
            "intern_seats": 0,
        },
    ).raise_for_status()
    ids = []
    for n, languages in enumerate([["zh", "sjo"], ["sjo", "en"]]):  # Xibe, and a lawyer who speaks English
        created = requests.post(
            f"{url}/api/roster/lawyers",
            headers=scheduler,
            timeout=10,
            json={
                "name": f"锡伯族律师{n}",
                "license_no": f"1654{uuid.uuid4().int % 10**13:013d}",
                "status": "practising",
                "region_code": region,
                "languages": languages,
            },
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    first = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    roster = requests.post(
        f"{url}/api/roster/rosters",
        headers=scheduler,
        timeout=10,
        json={
            "region_code": region,
            "period_start": first.isoformat(),
            "period_end": (first + timedelta(days=3)).isoformat(),
        },
    ).json()
    assert (
        requests.post(
            f"{url}/api/roster/rosters/{roster['id']}/generate", headers=scheduler, timeout=60
        ).status_code
        == 200
    )
    assert (
        requests.post(
            f"{url}/api/roster/rosters/{roster['id']}/publish", headers=scheduler, timeout=10
        ).status_code
        == 200
    )
    duties = requests.get(
        f"{url}/api/roster/rosters/{roster['id']}/assignments", headers=scheduler, timeout=10
    ).json()["items"]
    duty = duties[0]
    holder = duty["lawyer_id"]
    phone_owner = lawyer_user(stack, admin, holder)
    created = requests.post(f"{url}/api/roster/me/calendar-link", headers=phone_owner, timeout=10)
    assert created.status_code == 201, created.text
    feed_url = created.json()["url"]
    assert feed_url.startswith(url + "/api/roster/calendar-feeds/")

    feed = requests.get(feed_url, timeout=10)  # a phone: no Authorization header
    assert feed.status_code == 200, feed.text
    assert feed.headers["Content-Type"].startswith("text/calendar")
    before = calendar_events(feed.content)
    assert before == calendar_events(requests.get(feed_url, timeout=10).content)  # the same UIDs every time
    assert before[uid_of(duty["id"])] == ("CONFIRMED", 0)

    other = next(i for i in ids if i != holder)
    same_day = [d for d in duties if d["lawyer_id"] == other and d["date"] == duty["date"]]
    assert same_day == []  # one seat a day: the other lawyer is free that day
    moved = requests.post(
        f"{url}/api/roster/assignments/{duty['id']}/reassign",
        headers=scheduler,
        timeout=10,
        json={"lawyer_id": other},
    )
    assert moved.status_code == 200, moved.text
    assert calendar_events(requests.get(feed_url, timeout=10).content)[uid_of(duty["id"])] == ("CANCELLED", 1)

    assert (
        requests.delete(f"{url}/api/roster/me/calendar-link", headers=phone_owner, timeout=10).status_code
        == 204
    )
    assert requests.get(feed_url, timeout=10).status_code == 404


def calendar_events(feed: bytes) -> dict[str, tuple[str, int]]:
    return {uid: (e["status"], e["sequence"]) for uid, e in events(feed).items()}
