"""Access tokens: what the gateway issues verifies, and every forgery is refused with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime

import jwt
import pytest

from services.common.auth import Identity, sign_identity
from services.common.http import Problem
from services.gateway.tokens import (
    AUDIENCE,
    ISSUER,
    REQUIRED_CLAIMS,
    VerifiedTokens,
    bearer_token,
    issue_token,
    verify_token,
)

SECRET = "a-test-signing-secret-of-at-least-32-bytes"
OTHER_SECRET = "another-test-signing-secret-of-32-bytes!!"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "user-1",
        "role": "lawyer",
        "lawyer_id": "L-1",
        "ver": 1,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": "j1",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def hs256(payload: dict[str, object], secret: str = SECRET, header: dict[str, object] | None = None) -> str:
    header = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def refused(token: str) -> Problem:
    with pytest.raises(Problem) as caught:
        verify_token(token, secret=SECRET)
    assert caught.value.status == 401
    assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")
    return caught.value


def test_a_token_issued_at_login_verifies_with_the_users_claims() -> None:
    token = issue_token(user_id="user-1", role="lawyer", lawyer_id="L-1", version=3, secret=SECRET, ttl=600)
    verified = verify_token(token, secret=SECRET)
    assert (verified.user_id, verified.role, verified.lawyer_id, verified.version) == (
        "user-1",
        "lawyer",
        "L-1",
        3,
    )
    raw = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert set(REQUIRED_CLAIMS) | {"lawyer_id"} <= set(raw)
    assert raw["exp"] - raw["iat"] == 600


def test_two_tokens_for_the_same_user_have_different_ids() -> None:
    first, second = (
        issue_token(user_id="u", role="admin", lawyer_id=None, version=1, secret=SECRET) for _ in range(2)
    )
    assert verify_token(first, secret=SECRET).jti != verify_token(second, secret=SECRET).jti


def test_a_hand_made_token_with_every_claim_is_accepted_so_the_forgery_tests_below_mean_something() -> None:
    assert verify_token(hs256(claims()), secret=SECRET).user_id == "user-1"


def test_a_token_with_alg_none_is_refused() -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims(role="admin")).encode())
    refused(f"{header}.{payload}.")


def test_a_token_claiming_rs256_is_refused_whatever_its_signature() -> None:
    """HS/RS confusion, first half: a token that names an asymmetric algorithm is never checked as one."""
    token = hs256(claims(role="admin"), header={"alg": "RS256", "typ": "JWT"})
    assert "alg value is not allowed" in refused(token).detail


def test_a_token_signed_with_a_public_key_as_the_hmac_secret_is_refused() -> None:
    """HS/RS confusion, second half: an attacker who signs HS256 with some public key gets nowhere."""
    public_key = (
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"
    )
    refused(hs256(claims(role="admin"), secret=public_key))


def test_an_expired_token_is_refused() -> None:
    now = int(time.time())
    problem = refused(hs256(claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600)))
    assert "expired" in problem.detail


def test_a_token_not_valid_before_a_future_time_is_refused() -> None:
    refused(hs256(claims(nbf=int(time.time()) + 3600)))


def test_a_token_issued_in_the_future_is_refused() -> None:
    refused(hs256(claims(iat=int(time.time()) + 3600)))


@pytest.mark.parametrize("missing", [*REQUIRED_CLAIMS, "lawyer_id"])
def test_a_token_missing_a_required_claim_is_refused(missing: str) -> None:
    refused(hs256(claims(**{missing: ...})))


def test_a_token_whose_payload_was_changed_after_signing_is_refused() -> None:
    token = hs256(claims(role="lawyer"))
    header, _payload, signature = token.split(".")
    tampered = b64(json.dumps(claims(role="admin")).encode())
    refused(f"{header}.{tampered}.{signature}")


def test_a_token_with_a_bad_signature_is_refused() -> None:
    token = hs256(claims())
    head, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    refused(f"{head}.{payload}.{flipped}")


def test_a_token_signed_with_another_secret_is_refused() -> None:
    refused(hs256(claims(), secret=OTHER_SECRET))


def test_a_token_for_another_audience_is_refused() -> None:
    refused(hs256(claims(aud="roster")))


def test_a_token_with_a_list_of_audiences_is_refused() -> None:
    refused(hs256(claims(aud=[AUDIENCE, "roster"])))


def test_a_token_from_another_issuer_is_refused() -> None:
    refused(hs256(claims(iss="someone-else")))


def test_the_identity_the_gateway_signs_for_a_service_is_not_a_user_token() -> None:
    identity = sign_identity(Identity("user-1", "wang", "admin"), secret=SECRET, audience="roster")
    refused(identity)


@pytest.mark.parametrize(
    "bad", [{"role": "superuser"}, {"ver": "1"}, {"ver": True}, {"sub": 7}, {"lawyer_id": 5}]
)
def test_a_token_with_malformed_claims_is_refused(bad: dict[str, object]) -> None:
    refused(hs256(claims(**bad)))


def test_garbage_and_overlong_tokens_are_refused() -> None:
    refused("not-a-token")
    refused(hs256(claims(pad="x" * 5000)))


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
def test_a_request_without_a_bearer_token_gets_a_bearer_challenge(header: str | None) -> None:
    with pytest.raises(Problem) as caught:
        bearer_token(header)
    assert caught.value.status == 401
    assert caught.value.headers["WWW-Authenticate"].startswith('Bearer realm="legalduty"')


def test_the_bearer_scheme_is_read_case_insensitively() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"


def test_a_verified_token_is_remembered_only_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = VerifiedTokens(SECRET)
    token = issue_token(user_id="user-1", role="finance", lawyer_id=None, version=1, secret=SECRET, ttl=60)
    assert tokens.verify(token).user_id == "user-1"
    later = time.time() + 3600

    class AnHourLater(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime.fromtimestamp(later, tz)

    monkeypatch.setattr(time, "time", lambda: later)  # the cache's clock
    monkeypatch.setattr(jwt.api_jwt, "datetime", AnHourLater)  # pyjwt's
    with pytest.raises(Problem) as caught:
        tokens.verify(token)
    assert caught.value.status == 401


def test_a_remembered_token_changed_by_one_character_is_verified_afresh_and_refused() -> None:
    tokens = VerifiedTokens(SECRET)
    token = hs256(claims())
    tokens.verify(token)
    head, payload, signature = token.split(".")
    with pytest.raises(Problem):
        tokens.verify(f"{head}.{b64(json.dumps(claims(role='admin')).encode())}.{signature}")
