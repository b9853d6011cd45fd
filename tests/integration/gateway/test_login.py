"""Logging in, throttling, and tokens that stop working when their user changes."""

from __future__ import annotations

import jwt
from sqlalchemy import select

from services.gateway.adapters.orm import LoginAttempt, User
from services.gateway.tokens import AUDIENCE

from .conftest import PASSWORD, GatewayKit


def test_a_user_logs_in_and_gets_a_bearer_token_for_their_role(gw: GatewayKit) -> None:
    user = gw.add_user("scheduler", username="sched-zhang")
    response = gw.login("sched-zhang")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], gw.settings.jwt_secret, algorithms=["HS256"], audience=AUDIENCE)
    assert claims["sub"] == user.id
    assert claims["role"] == "scheduler"
    assert claims["lawyer_id"] is None
    me = gw.client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["user"]["username"] == "sched-zhang"


def test_usernames_are_not_case_sensitive_at_login(gw: GatewayKit) -> None:
    gw.add_user("finance", username="fin-wang")
    assert gw.login("  FIN-Wang ").status_code == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(gw: GatewayKit) -> None:
    gw.add_user("finance", username="fin-li")
    wrong = gw.login("fin-li", "not-the-password")
    unknown = gw.login("nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content_type == "application/problem+json"
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"] == "wrong username or password"


def test_a_login_body_with_unknown_fields_is_refused_with_the_field_named(gw: GatewayKit) -> None:
    response = gw.client.post("/api/auth/token", json={"username": "a", "password": "b", "role": "admin"})
    assert response.status_code == 422
    assert "role" in response.get_json()["errors"]


def test_a_disabled_user_cannot_log_in(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    user = gw.add_user("finance", username="fin-gone")
    assert gw.client.post(f"/api/users/{user.id}/disable", headers=gw.auth(admin)).status_code == 200
    assert gw.login("fin-gone").status_code == 401


def test_guessing_one_users_password_is_throttled_with_retry_after(gw: GatewayKit) -> None:
    gw.add_user("finance", username="fin-target")
    for _ in range(3):  # the test policy allows 3 attempts per username per minute
        assert gw.login("fin-target", "guess", client="198.51.100.1").status_code == 401
    throttled = gw.login("fin-target", "guess", client="198.51.100.2")  # another address: still the username
    assert throttled.status_code == 429
    assert throttled.content_type == "application/problem+json"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 61
    # even the right password waits: otherwise the throttle would only slow the guessing down
    assert gw.login("fin-target", PASSWORD, client="198.51.100.3").status_code == 429


def test_one_client_guessing_many_usernames_is_throttled(gw: GatewayKit) -> None:
    gw.add_user("finance", username="fin-real")
    for i in range(6):  # the test policy allows 6 attempts per address per minute
        assert gw.login(f"user-{i}", "guess", client="203.0.113.9").status_code == 401
    assert gw.login("fin-real", PASSWORD, client="203.0.113.9").status_code == 429
    assert gw.login("fin-real", PASSWORD, client="203.0.113.10").status_code == 200


def test_a_successful_login_clears_the_usernames_failures(gw: GatewayKit) -> None:
    gw.add_user("finance", username="fin-forgetful")
    for _ in range(2):
        assert gw.login("fin-forgetful", "typo").status_code == 401
    assert gw.login("fin-forgetful").status_code == 200
    for _ in range(2):
        assert gw.login("fin-forgetful", "typo").status_code == 401
    assert gw.login("fin-forgetful").status_code == 200


def test_throttling_is_kept_in_the_database_so_every_worker_sees_it(gw: GatewayKit) -> None:
    gw.add_user("finance", username="fin-shared")
    for _ in range(3):
        gw.login("fin-shared", "guess")
    with gw.session() as session:
        keys = session.scalars(select(LoginAttempt.key)).all()
    assert keys.count("user:fin-shared") == 3


def test_a_token_is_refused_once_its_user_is_disabled(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    lawyer = gw.add_user("lawyer")
    headers = gw.auth(lawyer)
    assert gw.client.get("/api/me", headers=headers).status_code == 200
    gw.client.post(f"/api/users/{lawyer.id}/disable", headers=gw.auth(admin))
    gw.fakes["roster"].seen.clear()
    refused = gw.client.get("/api/me", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.get_json()["detail"]
    assert gw.client.get("/api/roster/me/duties", headers=headers).status_code == 401
    assert gw.fakes["roster"].seen == []


def test_re_enabling_a_user_does_not_bring_old_tokens_back(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    lawyer = gw.add_user("lawyer", username="li-lawyer")
    old = gw.auth(lawyer)
    gw.client.post(f"/api/users/{lawyer.id}/disable", headers=gw.auth(admin))
    gw.client.post(f"/api/users/{lawyer.id}/enable", headers=gw.auth(admin))
    assert gw.client.get("/api/me", headers=old).status_code == 401
    fresh = gw.login("li-lawyer").get_json()["access_token"]
    assert gw.client.get("/api/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_token_is_refused_once_its_user_changed_password(gw: GatewayKit) -> None:
    user = gw.add_user("scheduler", username="sched-wu")
    token = gw.login("sched-wu").get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    changed = gw.client.put(
        f"/api/users/{user.id}/password",
        headers=headers,
        json={"old_password": PASSWORD, "password": "a-new-password-1"},
    )
    assert changed.status_code == 200
    assert gw.client.get("/api/me", headers=headers).status_code == 401
    assert gw.login("sched-wu").status_code == 401
    assert gw.login("sched-wu", "a-new-password-1").status_code == 200


def test_a_token_is_refused_once_its_user_changed_role(gw: GatewayKit) -> None:
    admin = gw.add_user("admin")
    user = gw.add_user("finance")
    headers = gw.auth(user)
    gw.client.patch(f"/api/users/{user.id}", headers=gw.auth(admin), json={"role": "scheduler"})
    assert gw.client.get("/api/subsidy/claims", headers=headers).status_code == 401


def test_a_token_of_a_user_who_no_longer_exists_is_refused(gw: GatewayKit) -> None:
    user = gw.add_user("finance")
    headers = gw.auth(user)
    with gw.session() as session:
        session.delete(session.get(User, user.id))
        session.commit()
    assert gw.client.get("/api/me", headers=headers).status_code == 401


def test_a_request_without_a_token_gets_401_with_a_bearer_challenge(gw: GatewayKit) -> None:
    for path in (
        "/api/me",
        "/api/users",
        "/api/roster/lawyers",
        "/api/subsidy/claims",
        "/api/roster/no-such",
    ):
        response = gw.client.get(path)
        assert response.status_code == 401, path
        assert response.content_type == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert gw.fakes["roster"].seen == []
    assert gw.fakes["subsidy"].seen == []


def test_login_health_and_the_documents_need_no_token(gw: GatewayKit) -> None:
    for path in ("/healthz", "/api/docs", "/api/openapi.json"):
        assert gw.client.get(path).status_code == 200, path
