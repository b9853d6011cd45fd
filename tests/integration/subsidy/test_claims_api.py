"""Case claims through the API: who may submit and see what, pricing, review against budgets, and nothing
half-written when a request is refused."""

from __future__ import annotations

import pytest

from .conftest import Kit, legal_aid_scheme, mediation_scheme


@pytest.fixture
def ready(kit: Kit) -> Kit:
    kit.add_lawyer("L1", "阿依古丽")
    kit.add_lawyer("L2", "王建国")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("10000.00")
    return kit


def test_a_lawyer_submits_a_claim_for_themself_and_it_is_priced_with_its_breakdown(ready: Kit) -> None:
    response = ready.submit("L1", attributes={"difficulty": "ordinary", "agreement": True})
    assert response.status_code == 201
    claim = response.json
    assert claim["status"] == "pending"
    assert claim["amount"] == "300.00"
    assert claim["kind"] == "mediation_case"
    assert claim["submitted_by"] == "user-of-L1"
    assert claim["lawyer_name"] == "阿依古丽"
    assert [(s["rule"], s["amount"]) for s in claim["breakdown"]] == [
        ("rate", "200.00"),
        ("multiply", "300.00"),
    ]
    assert claim["document_no"] == "伊州司发〔2026〕1号"
    assert claim["scheme_id"]
    [event] = ready.events("subsidy.claim.created")
    assert event["data"] == {
        "claim_id": claim["id"],
        "kind": "mediation_case",
        "lawyer_id": "L1",
        "amount": "300.00",
        "status": "pending",
        "service_date": "2026-05-12",
    }


def test_a_lawyer_may_not_submit_for_another_lawyer(ready: Kit) -> None:
    response = ready.submit("L2", headers=ready.lawyer("L1"))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert ready.count("claims") == 0


def test_finance_submits_for_any_lawyer_and_the_scheduler_may_not(ready: Kit) -> None:
    assert ready.submit("L2", headers=ready.finance()).status_code == 201
    assert ready.submit("L2", headers=ready.headers("scheduler")).status_code == 403


def test_a_request_without_the_gateways_identity_is_refused(ready: Kit) -> None:
    for method, path in (
        ("get", "/api/subsidy/claims"),
        ("post", "/api/subsidy/claims"),
        ("post", "/api/subsidy/claims/x/approve"),
        ("get", "/api/subsidy/claims/x"),
    ):
        response = getattr(ready.client, method)(path, json={})
        assert response.status_code == 401, path
        assert response.json["status"] == 401


def test_the_same_case_twice_is_a_conflict_and_leaves_one_claim(ready: Kit) -> None:
    ready.claim("L1", case_no="(2026)伊调字第7号")
    again = ready.submit("L1", case_no="(2026)伊调字第7号", attributes={"difficulty": "simple"})
    assert again.status_code == 409
    assert "(2026)伊调字第7号" in again.json["detail"]
    assert ready.count("claims") == 1
    assert ready.count("audit_records") == 3
    assert len(ready.events("subsidy.claim.created")) == 1
    # the same number in another programme is another case
    ready.create_scheme(legal_aid_scheme())
    other = ready.submit(
        "L1",
        case_no="(2026)伊调字第7号",
        kind="legal_aid_case",
        attributes={"case_type": "civil", "stage": "first_instance"},
    )
    assert other.status_code == 201


def test_no_matching_rate_is_refused_naming_the_attributes_and_nothing_is_stored(ready: Kit) -> None:
    before = (ready.count("claims"), ready.count("audit_records"), ready.outbox_size())
    response = ready.submit("L1", attributes={"difficulty": "major"})
    assert response.status_code == 422
    assert "difficulty=major" in response.json["detail"]
    assert "difficulty=major" in response.json["errors"]["attributes"][0]
    assert (ready.count("claims"), ready.count("audit_records"), ready.outbox_size()) == before


def test_invalid_fields_are_refused_with_every_field_named(ready: Kit) -> None:
    response = ready.client.post(
        "/api/subsidy/claims",
        headers=ready.finance(),
        json={
            "kind": "station_duty",
            "lawyer_id": "L1",
            "region_code": "65402",
            "case_no": "",
            "service_date": "2026-02-30",
            "attributes": {"difficulty": 1.5},
            "colour": "red",
        },
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) >= {
        "kind",
        "region_code",
        "case_no",
        "service_date",
        "colour",
        "attributes.difficulty.value",
    }


def test_a_claim_without_a_required_attribute_or_with_an_unknown_value_names_it(ready: Kit) -> None:
    missing = ready.submit("L1", attributes={"agreement": True})
    assert missing.status_code == 422
    assert missing.json["errors"] == {"attributes.difficulty": ["missing"]}
    typo = ready.submit("L1", attributes={"difficulty": "dificult"})
    assert typo.status_code == 422
    assert "attributes.difficulty" in typo.json["errors"]


def test_a_lawyer_the_directory_does_not_know_is_refused(ready: Kit) -> None:
    response = ready.submit("L9", headers=ready.finance())
    assert response.status_code == 422
    assert "lawyer_id" in response.json["errors"]


def test_a_case_no_scheme_covers_is_refused(ready: Kit) -> None:
    outside = ready.submit("L1", region_code="653101")
    assert outside.status_code == 422
    assert "no mediation_case scheme" in outside.json["detail"]
    too_early = ready.submit("L1", service_date="2025-12-31")
    assert too_early.status_code == 422
    assert "service_date" in too_early.json["errors"]


def test_a_lawyer_lists_and_reads_only_their_own_claims(ready: Kit) -> None:
    mine = ready.claim("L1")
    theirs = ready.claim("L2")
    listed = ready.client.get("/api/subsidy/claims", headers=ready.lawyer("L1")).json
    assert [c["id"] for c in listed["items"]] == [mine["id"]]
    assert listed["total"] == 1
    # asking for the other lawyer's claims shows nothing, rather than refusing and so confirming them
    assert ready.client.get("/api/subsidy/claims?lawyer_id=L2", headers=ready.lawyer("L1")).json["total"] == 0
    assert (
        ready.client.get(f"/api/subsidy/claims/{mine['id']}", headers=ready.lawyer("L1")).status_code == 200
    )
    assert (
        ready.client.get(f"/api/subsidy/claims/{theirs['id']}", headers=ready.lawyer("L1")).status_code == 404
    )
    assert ready.client.get(f"/api/subsidy/claims/{theirs['id']}", headers=ready.finance()).status_code == 200
    assert ready.client.get("/api/subsidy/claims/no-such-claim", headers=ready.finance()).status_code == 404


def test_staff_filter_claims_by_status_lawyer_kind_and_month_and_page_them(ready: Kit) -> None:
    first = ready.claim("L1", service_date="2026-05-03")
    ready.claim("L1", service_date="2026-06-03")
    ready.claim("L2", service_date="2026-05-20")
    ready.approve(first["id"])
    get = lambda q: ready.client.get(f"/api/subsidy/claims{q}", headers=ready.finance()).json  # noqa: E731
    assert get("")["total"] == 3
    assert get("?month=2026-05")["total"] == 2
    assert get("?month=2026-05&lawyer_id=L1")["items"][0]["id"] == first["id"]
    assert get("?status=approved")["total"] == 1
    assert get("?status=pending")["total"] == 2
    assert get("?kind=legal_aid_case")["total"] == 0
    page = get("?limit=2&offset=2")
    assert page["total"] == 3
    assert len(page["items"]) == 1
    bad = ready.client.get("/api/subsidy/claims?month=2026-13&limit=0", headers=ready.finance())
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"month", "limit"}


def _claims_of_amounts(ready: Kit) -> dict[str, str]:
    """Five claims: 100, 200, 200 (a tie), 400 and 600 yuan, on different days; id -> amount."""
    made = [
        ready.claim("L1", service_date="2026-05-03", attributes={"difficulty": "ordinary"}),
        ready.claim("L2", service_date="2026-05-09", attributes={"difficulty": "simple"}),
        ready.claim("L1", service_date="2026-05-20", attributes={"difficulty": "difficult"}),
        ready.claim("L2", service_date="2026-05-01", attributes={"difficulty": "ordinary"}),
        ready.claim(
            "L1", service_date="2026-05-15", attributes={"difficulty": "difficult", "agreement": True}
        ),
    ]
    return {c["id"]: c["amount"] for c in made}


def test_staff_sort_the_whole_list_by_amount_and_pages_never_overlap(ready: Kit) -> None:
    amounts = _claims_of_amounts(ready)
    get = lambda q: ready.client.get(f"/api/subsidy/claims{q}", headers=ready.finance()).json  # noqa: E731
    rising = [c["amount"] for c in get("?sort=amount")["items"]]
    assert rising == ["100.00", "200.00", "200.00", "400.00", "600.00"]
    # sorted over the whole list, not page by page: the first page of the largest holds the largest of all
    assert [c["amount"] for c in get("?sort=-amount&limit=2")["items"]] == ["600.00", "400.00"]
    for sort in ("amount", "-amount", "service_date", "-service_date", "submitted_at", "-submitted_at"):
        pages = [get(f"?sort={sort}&limit=2&offset={offset}")["items"] for offset in (0, 2, 4)]
        ids = [c["id"] for p in pages for c in p]
        assert sorted(ids) == sorted(amounts), sort  # every claim once: the tie is broken the same way
    whole = [c["id"] for c in get("?sort=amount")["items"]]
    assert [c["id"] for c in get("?sort=-amount")["items"]] == whole[::-1]


def test_the_default_order_stays_newest_service_date_first_and_sort_service_date_reverses_it(
    ready: Kit,
) -> None:
    _claims_of_amounts(ready)
    get = lambda q: ready.client.get(f"/api/subsidy/claims{q}", headers=ready.finance()).json  # noqa: E731
    dates = [c["service_date"] for c in get("")["items"]]
    assert dates == ["2026-05-20", "2026-05-15", "2026-05-09", "2026-05-03", "2026-05-01"]
    assert [c["service_date"] for c in get("?sort=-service_date")["items"]] == dates
    assert [c["service_date"] for c in get("?sort=service_date")["items"]] == dates[::-1]


def test_staff_filter_claims_by_an_inclusive_amount_band(ready: Kit) -> None:
    _claims_of_amounts(ready)
    get = lambda q: ready.client.get(f"/api/subsidy/claims{q}", headers=ready.finance()).json  # noqa: E731
    band = get("?amount_min=200&amount_max=400.00&sort=amount")
    assert [c["amount"] for c in band["items"]] == ["200.00", "200.00", "400.00"]
    assert band["total"] == 3
    assert get("?amount_min=400.01")["total"] == 1
    assert get("?amount_max=199.99")["total"] == 1
    assert get("?amount_min=200&amount_max=200")["total"] == 2


def test_a_band_upside_down_an_amount_that_is_no_money_or_an_unknown_sort_is_refused_by_name(
    ready: Kit,
) -> None:
    get = lambda q: ready.client.get(f"/api/subsidy/claims{q}", headers=ready.finance())  # noqa: E731
    upside_down = get("?amount_min=500&amount_max=100")
    assert upside_down.status_code == 422
    assert set(upside_down.json["errors"]) == {"amount_min", "amount_max"}
    no_money = get("?amount_min=12.345&sort=lawyer_id")
    assert no_money.status_code == 422
    assert set(no_money.json["errors"]) == {"amount_min", "sort"}
    assert get("?amount_min=100&amount_max=100").status_code == 200


def test_a_may_case_keeps_the_old_rate_after_a_july_standard_arrives(kit: Kit) -> None:
    kit.add_lawyer("L1")
    old = kit.create_scheme(legal_aid_scheme(effective_to=None))
    trial = {"case_type": "criminal", "stage": "first_instance"}
    may = kit.claim("L1", kind="legal_aid_case", service_date="2026-05-20", attributes=trial)
    assert may["amount"] == "2000.00"
    # a new standard from July: the old one is open-ended, so it overlaps until it is closed
    raised = legal_aid_scheme(
        effective_from="2026-07-01",
        document_no="伊州司发〔2026〕7号",
        rates=[{"when": trial, "amount": "2200.00"}, {"when": {"case_type": "civil"}, "amount": "1600.00"}],
    )
    clash = kit.client.post("/api/subsidy/schemes", json=raised, headers=kit.finance())
    assert clash.status_code == 409
    assert old["id"] in clash.json["detail"]
    closed = kit.client.post(
        f"/api/subsidy/schemes/{old['id']}/close", json={"effective_to": "2026-06-30"}, headers=kit.finance()
    )
    assert closed.status_code == 200
    assert closed.json["effective_to"] == "2026-06-30"
    new = kit.create_scheme(raised)
    late_may = kit.claim("L1", kind="legal_aid_case", service_date="2026-05-31", attributes=trial)
    july = kit.claim("L1", kind="legal_aid_case", service_date="2026-07-01", attributes=trial)
    assert (late_may["amount"], late_may["scheme_id"]) == ("2000.00", old["id"])
    assert (july["amount"], july["scheme_id"], july["document_no"]) == (
        "2200.00",
        new["id"],
        "伊州司发〔2026〕7号",
    )
    again = kit.client.get(f"/api/subsidy/claims/{may['id']}", headers=kit.finance()).json
    assert again["amount"] == "2000.00"
    assert again["scheme_id"] == old["id"]


def test_a_standard_cannot_be_closed_before_a_claim_it_priced(kit: Kit) -> None:
    kit.add_lawyer("L1")
    scheme = kit.create_scheme(mediation_scheme())
    kit.claim("L1", service_date="2026-08-01")
    response = kit.client.post(
        f"/api/subsidy/schemes/{scheme['id']}/close",
        json={"effective_to": "2026-06-30"},
        headers=kit.finance(),
    )
    assert response.status_code == 409
    assert (
        kit.client.get(f"/api/subsidy/schemes/{scheme['id']}", headers=kit.finance()).json["effective_to"]
        is None
    )


def test_finance_approves_against_the_budget_which_shows_what_remains(ready: Kit) -> None:
    claim = ready.claim("L1", attributes={"difficulty": "difficult"})
    response = ready.approve(claim["id"])
    assert response.status_code == 200
    assert response.json["status"] == "approved"
    assert response.json["reviewed_by"] == "finance-li"
    budget = ready.client.get(
        f"/api/subsidy/budgets/{response.json['budget_id']}", headers=ready.finance()
    ).json
    assert (budget["amount"], budget["committed"], budget["remaining"]) == ("10000.00", "400.00", "9600.00")
    assert ready.events("subsidy.claim.approved")[0]["data"]["status"] == "approved"


def test_the_submitter_never_reviews_their_own_claim(ready: Kit) -> None:
    claim = ready.claim("L1", headers=ready.finance("finance-wang"))
    assert ready.approve(claim["id"], user_id="finance-wang").status_code == 403
    rejected = ready.client.post(
        f"/api/subsidy/claims/{claim['id']}/reject",
        json={"reason": "no"},
        headers=ready.finance("finance-wang"),
    )
    assert rejected.status_code == 403
    assert ready.approve(claim["id"], user_id="finance-zhao").status_code == 200


def test_only_finance_reviews_claims(ready: Kit) -> None:
    claim = ready.claim("L1")
    for role in ("admin", "scheduler", "lawyer"):
        headers = ready.headers(role, lawyer_id="L1" if role == "lawyer" else None)
        assert (
            ready.client.post(f"/api/subsidy/claims/{claim['id']}/approve", headers=headers).status_code
            == 403
        )


def test_a_rejection_needs_a_reason_and_a_decided_claim_is_not_decided_again(ready: Kit) -> None:
    claim = ready.claim("L1")
    path = f"/api/subsidy/claims/{claim['id']}"
    blank = ready.client.post(f"{path}/reject", json={"reason": "   "}, headers=ready.finance())
    assert blank.status_code == 422
    assert "reason" in blank.json["errors"]
    assert ready.client.post(f"{path}/reject", json={}, headers=ready.finance()).status_code == 422
    rejected = ready.client.post(
        f"{path}/reject", json={"reason": "协议书缺少双方签字"}, headers=ready.finance()
    )
    assert rejected.status_code == 200
    assert rejected.json["reason"] == "协议书缺少双方签字"
    assert ready.approve(claim["id"]).status_code == 409
    assert (
        ready.client.post(f"{path}/reject", json={"reason": "again"}, headers=ready.finance()).status_code
        == 409
    )
    assert [e["type"] for e in ready.events()][-1] == "subsidy.claim.rejected"
    assert ready.approve("no-such-claim").status_code == 404


def test_an_approval_that_would_overspend_the_budget_is_refused_and_changes_nothing(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    budget = kit.create_budget("500.00")
    first, second = (
        kit.claim("L1", attributes={"difficulty": "difficult"}),
        kit.claim("L1", attributes={"difficulty": "ordinary"}),
    )  # 400, 200
    assert kit.approve(first["id"]).status_code == 200
    before = (kit.count("audit_records"), kit.outbox_size())
    refused = kit.approve(second["id"])
    assert refused.status_code == 409
    assert "100.00 remaining" in refused.json["detail"]
    assert (kit.count("audit_records"), kit.outbox_size()) == before
    assert (
        kit.client.get(f"/api/subsidy/claims/{second['id']}", headers=kit.finance()).json["status"]
        == "pending"
    )
    shown = kit.client.get(f"/api/subsidy/budgets/{budget['id']}", headers=kit.finance()).json
    assert (shown["committed"], shown["remaining"]) == ("400.00", "100.00")


def test_an_approval_with_no_budget_covering_the_claim_is_a_conflict(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("500.00", year=2025)
    kit.create_budget("500.00", region_code="654023")
    claim = kit.claim("L1")
    refused = kit.approve(claim["id"])
    assert refused.status_code == 409
    assert "no 2026 mediation_case budget covers region 654021" in refused.json["detail"]


def test_the_most_specific_budget_covering_the_claim_pays_it_and_no_wider_one_steps_in(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    prefecture = kit.create_budget("5000.00")
    county = kit.create_budget("300.00", region_code="654021")
    kit.create_budget("90000.00", region_code=None)
    assert kit.approve(kit.claim("L1")["id"]).json["budget_id"] == county["id"]
    refused = kit.approve(kit.claim("L1")["id"])  # 200.00 against the county's 100.00 left
    assert refused.status_code == 409
    assert "654021" in refused.json["detail"]
    other_county = kit.claim("L1", region_code="654023")
    assert kit.approve(other_county["id"]).json["budget_id"] == prefecture["id"]


def test_a_monthly_cap_per_lawyer_limits_what_the_month_pays(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.add_lawyer("L2")
    kit.create_scheme(mediation_scheme(monthly_cap_per_lawyer="500.00"))
    claims = [kit.claim("L1", attributes={"difficulty": "ordinary"}) for _ in range(4)]
    assert [c["amount"] for c in claims] == ["200.00", "200.00", "100.00", "0.00"]
    cap = claims[2]["breakdown"][-1]
    assert (cap["rule"], cap["limit"], cap["already"], cap["amount"]) == (
        "monthly_cap",
        "500.00",
        "400.00",
        "100.00",
    )
    assert kit.claim("L1", service_date="2026-06-01")["amount"] == "200.00"
    assert kit.claim("L2")["amount"] == "200.00"
    # a rejected claim no longer counts towards the month
    kit.client.post(
        f"/api/subsidy/claims/{claims[0]['id']}/reject",
        json={"reason": "duplicate case"},
        headers=kit.finance(),
    )
    assert kit.claim("L1", attributes={"difficulty": "ordinary"})["amount"] == "200.00"


def test_a_failure_after_the_claim_is_written_leaves_no_claim_audit_record_or_event(
    ready: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.subsidy.service import claims as use_cases

    before = (ready.count("claims"), ready.count("audit_records"), ready.outbox_size())
    real = use_cases.event_data
    monkeypatch.setattr(use_cases, "event_data", lambda row: {**real(row), "amount": None})
    response = ready.submit("L1")
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)
    assert (ready.count("claims"), ready.count("audit_records"), ready.outbox_size()) == before


def test_finance_raises_a_short_budget_with_a_reason_and_the_refused_approval_then_goes_through(
    kit: Kit,
) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    budget = kit.create_budget("500.00")
    first, second = (
        kit.claim("L1", attributes={"difficulty": "difficult"}),
        kit.claim("L1", attributes={"difficulty": "ordinary"}),
    )  # 400, 200
    assert kit.approve(first["id"]).status_code == 200
    assert kit.approve(second["id"]).status_code == 409
    path = f"/api/subsidy/budgets/{budget['id']}"
    below = kit.client.patch(path, json={"amount": "300.00", "reason": "cut"}, headers=kit.finance())
    assert below.status_code == 409
    assert "400.00" in below.json["detail"]
    no_reason = kit.client.patch(path, json={"amount": "800.00"}, headers=kit.finance())
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json["errors"]
    assert (
        kit.client.patch(path, json={"amount": "800.00", "reason": "x"}, headers=kit.lawyer("L1")).status_code
        == 403
    )
    raised = kit.client.patch(
        path, json={"amount": "800.00", "reason": "伊州财预〔2026〕31号 追加"}, headers=kit.finance()
    )
    assert raised.status_code == 200
    assert (raised.json["amount"], raised.json["committed"], raised.json["remaining"]) == (
        "800.00",
        "400.00",
        "400.00",
    )
    assert kit.approve(second["id"]).status_code == 200
    trail = kit.client.get(
        "/api/subsidy/audit",
        query_string={"entity": "budget", "entity_id": budget["id"]},
        headers=kit.finance(),
    ).json["items"]
    assert any(r["action"] == "budget.amended" and "追加" in (r["reason"] or "") for r in trail)
    assert kit.client.get("/api/subsidy/audit/verify", headers=kit.finance()).json["ok"] is True
