"""The administrator manages users and roles; lawyer users are linked to roster lawyers; the first admin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.gateway.adapters.orm import LawyerEntry, User
from services.gateway.domain import passwords
from services.gateway.service.bootstrap import ensure_first_admin

from .conftest import PASSWORD, GatewayKit


def add_lawyer_to_directory(gw: GatewayKit, lawyer_id: str, name: str = "Aygul") -> None:
    with gw.session() as session:
        session.add(
            LawyerEntry(
                id=lawyer_id,
                name=name,
                status="practising",
                region_code="654021",
                updated_at=datetime.now(UTC),
            )
        )
        session.commit()


def roster_knows(gw: GatewayKit, *lawyer_ids: str) -> None:
    """The stand-in roster answers GET /api/roster/lawyers/{id} for these lawyers (404 for any other)."""
    for lawyer_id in lawyer_ids:
        gw.fakes["roster"].answers[("GET", f"/api/roster/lawyers/{lawyer_id}")] = (
            200,
            {
                "id": lawyer_id,
                "name": f"Lawyer {lawyer_id}",
                "status": "practising",
                "region_code": "654021",
                "languages": ["zh"],
                "license_no": "16540202010000009",
                "phone": "13800000000",
                "version": 1,
            },
            {},
        )
    gw.fakes["roster"].answers.setdefault(
        ("GET", "/api/roster/lawyers/L-nobody"), (404, {"detail": "no"}, {})
    )


def test_the_administrator_creates_a_user_and_gets_it_back(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    response = gw.client.post(
        "/api/users",
        headers=gw.auth(admin),
        json={"username": "Sched-Ma", "password": PASSWORD, "role": "scheduler"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in ("username", "role", "lawyer_id", "disabled")} == {
        "username": "sched-ma",
        "role": "scheduler",
        "lawyer_id": None,
        "disabled": False,
    }
    assert "password" not in body
    assert "password_hash" not in body
    assert gw.client.get(f"/api/users/{body['id']}", headers=gw.auth(admin)).get_json() == body
    with gw.session() as session:
        stored = session.get(User, body["id"])
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash


def test_a_lawyer_user_must_name_their_roster_lawyer(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    response = gw.client.post(
        "/api/users", headers=gw.auth(admin), json={"username": "li", "password": PASSWORD, "role": "lawyer"}
    )
    assert response.status_code == 422
    assert "lawyer_id" in response.get_json()["errors"]


def test_a_staff_user_is_never_linked_to_a_lawyer(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    response = gw.client.post(
        "/api/users",
        headers=gw.auth(admin),
        json={"username": "fin", "password": PASSWORD, "role": "finance", "lawyer_id": "L-1"},
    )
    assert response.status_code == 422
    assert "lawyer_id" in response.get_json()["errors"]


def test_a_lawyer_unknown_to_the_directory_and_the_roster_is_refused(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    add_lawyer_to_directory(gw, "L-known")
    roster_knows(gw)
    unknown = gw.client.post(
        "/api/users",
        headers=gw.auth(admin),
        json={"username": "li", "password": PASSWORD, "role": "lawyer", "lawyer_id": "L-nobody"},
    )
    assert unknown.status_code == 422
    assert "lawyer_id" in unknown.get_json()["errors"]
    known = gw.client.post(
        "/api/users",
        headers=gw.auth(admin),
        json={"username": "li", "password": PASSWORD, "role": "lawyer", "lawyer_id": "L-known"},
    )
    assert known.status_code == 201
    assert known.get_json()["lawyer_id"] == "L-known"


def test_a_lawyer_the_roster_knows_is_accepted_before_the_directory_has_heard_of_any(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    roster_knows(gw, "L-9")
    response = gw.client.post(
        "/api/users",
        headers=gw.auth(admin),
        json={"username": "li", "password": PASSWORD, "role": "lawyer", "lawyer_id": "L-9"},
    )
    assert response.status_code == 201
    asked = [seen for seen in gw.fakes["roster"].seen if seen.path == "/api/roster/lawyers/L-9"]
    assert len(asked) == 1
    assert asked[0].identity.user_id == "gateway"
    assert asked[0].identity.role == "admin"
    with gw.session() as session:
        kept = session.get(LawyerEntry, "L-9")
        assert kept.name == "Lawyer L-9"
        assert kept.source_at is None
        assert "phone" not in kept.profile  # only the contract fields the roster's events carry


def test_a_taken_username_and_a_lawyer_who_has_a_user_are_conflicts(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    roster_knows(gw, "L-9", "L-10")
    first = {"username": "li", "password": PASSWORD, "role": "lawyer", "lawyer_id": "L-9"}
    assert gw.client.post("/api/users", headers=gw.auth(admin), json=first).status_code == 201
    again = gw.client.post("/api/users", headers=gw.auth(admin), json={**first, "lawyer_id": "L-10"})
    assert again.status_code == 409
    assert "username" in again.get_json()["errors"]
    twice = gw.client.post("/api/users", headers=gw.auth(admin), json={**first, "username": "li2"})
    assert twice.status_code == 409
    assert "lawyer_id" in twice.get_json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x", "password": PASSWORD, "role": "finance"}, "username"),
        ({"username": "short-pass", "password": "1234567", "role": "finance"}, "password"),
        ({"username": "rooted", "password": PASSWORD, "role": "root"}, "role"),
        ({"username": "extra", "password": PASSWORD, "role": "finance", "disabled": False}, "disabled"),
        ({"username": "bad name!", "password": PASSWORD, "role": "finance"}, "username"),
    ],
)
def test_invalid_user_fields_are_named(gw: GatewayKit, body: dict[str, object], field: str) -> None:
    response = gw.client.post("/api/users", headers=gw.auth("admin"), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_users_are_listed_in_pages_with_their_total(gw: GatewayKit) -> None:
    admin = gw.add_user("admin", username="admin-a")
    for i in range(5):
        gw.add_user("finance", username=f"fin-{i}")
    page = gw.client.get("/api/users?limit=2&offset=1&role=finance", headers=gw.auth(admin)).get_json()
    assert page["total"] == 5
    assert [u["username"] for u in page["items"]] == ["fin-1", "fin-2"]
    too_many = gw.client.get("/api/users?limit=1001", headers=gw.auth(admin))
    assert too_many.status_code == 422
    assert "limit" in too_many.get_json()["errors"]


def test_only_the_administrator_manages_users(gw: GatewayKit) -> None:
    target = gw.add_user("finance")
    for role in ("scheduler", "finance", "lawyer"):
        headers = gw.auth(role)
        calls = [
            gw.client.post(
                "/api/users", headers=headers, json={"username": "new", "password": PASSWORD, "role": "admin"}
            ),
            gw.client.get("/api/users", headers=headers),
            gw.client.get(f"/api/users/{target.id}", headers=headers),
            gw.client.patch(f"/api/users/{target.id}", headers=headers, json={"role": "admin"}),
            gw.client.post(f"/api/users/{target.id}/disable", headers=headers),
            gw.client.post(f"/api/users/{target.id}/enable", headers=headers),
            gw.client.put(
                f"/api/users/{target.id}/password", headers=headers, json={"password": "new-password-1"}
            ),
        ]
        assert [c.status_code for c in calls] == [403] * len(calls), role


def test_the_administrator_changes_a_role_and_the_lawyer_link_follows(gw: GatewayKit) -> None:
    roster_knows(gw, "L-3")
    admin = gw.add_user("admin")
    user = gw.add_user("finance")
    to_lawyer = gw.client.patch(f"/api/users/{user.id}", headers=gw.auth(admin), json={"role": "lawyer"})
    assert to_lawyer.status_code == 422
    assert "lawyer_id" in to_lawyer.get_json()["errors"]
    linked = gw.client.patch(
        f"/api/users/{user.id}", headers=gw.auth(admin), json={"role": "lawyer", "lawyer_id": "L-3"}
    )
    assert linked.status_code == 200
    assert linked.get_json()["lawyer_id"] == "L-3"
    back = gw.client.patch(f"/api/users/{user.id}", headers=gw.auth(admin), json={"role": "scheduler"})
    assert back.get_json()["role"] == "scheduler"
    assert back.get_json()["lawyer_id"] is None


def test_the_last_active_administrator_can_be_neither_disabled_nor_demoted(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    assert gw.client.post(f"/api/users/{admin.id}/disable", headers=gw.auth(admin)).status_code == 409
    assert (
        gw.client.patch(
            f"/api/users/{admin.id}", headers=gw.auth(admin), json={"role": "finance"}
        ).status_code
        == 409
    )
    second = gw.add_user("admin")
    assert gw.client.post(f"/api/users/{admin.id}/disable", headers=gw.auth(second)).status_code == 200


def test_a_user_changes_their_own_password_only_with_the_old_one(gw: GatewayKit) -> None:
    user = gw.add_user("lawyer")
    other = gw.add_user("lawyer")
    headers = gw.auth(user)
    no_old = gw.client.put(
        f"/api/users/{user.id}/password", headers=headers, json={"password": "new-password-1"}
    )
    wrong = gw.client.put(
        f"/api/users/{user.id}/password",
        headers=headers,
        json={"password": "new-password-1", "old_password": "wrong"},
    )
    someone_else = gw.client.put(
        f"/api/users/{other.id}/password",
        headers=headers,
        json={"password": "new-password-1", "old_password": PASSWORD},
    )
    assert [no_old.status_code, wrong.status_code, someone_else.status_code] == [403, 403, 403]
    ok = gw.client.put(
        f"/api/users/{user.id}/password",
        headers=headers,
        json={"password": "new-password-1", "old_password": PASSWORD},
    )
    assert ok.status_code == 200


def test_the_administrator_resets_anyones_password_without_the_old_one(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    user = gw.add_user("finance", username="fin-reset")
    reset = gw.client.put(
        f"/api/users/{user.id}/password", headers=gw.auth(admin), json={"password": "reset-pass-1"}
    )
    assert reset.status_code == 200
    assert gw.login("fin-reset", "reset-pass-1").status_code == 200


def test_an_unknown_user_is_not_found(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    assert gw.client.get("/api/users/nobody", headers=gw.auth(admin)).status_code == 404
    assert gw.client.post("/api/users/nobody/disable", headers=gw.auth(admin)).status_code == 404


def test_the_first_admin_is_created_on_an_empty_database_with_the_configured_password(gw: GatewayKit) -> None:
    settings = gw.settings.__class__(**{**gw.settings.__dict__, "admin_password": "first-admin-pass"})
    assert ensure_first_admin(settings) is None
    assert gw.login("admin", "first-admin-pass").status_code == 200


def test_the_first_admin_gets_a_generated_password_printed_once(
    gw: GatewayKit, capsys: pytest.CaptureFixture[str]
) -> None:
    generated = ensure_first_admin(gw.settings)
    assert generated
    assert len(generated) >= 20
    assert generated in capsys.readouterr().err
    with gw.session() as session:
        stored = session.scalar(select(User).where(User.username == "admin"))
        assert stored.role == "admin"
        assert passwords.verify_password(stored.password_hash, generated)
    assert ensure_first_admin(gw.settings) is None  # users exist: nothing more is created or printed
    assert capsys.readouterr().err == ""
    with gw.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
