"""The services remember gateway identities they verified: never past expiry, never for another service."""

from __future__ import annotations

import pytest

from services.common.auth import Identity, sign_identity, verify_identity
from services.common.http import Problem
from tests.buskit import wait_for

SECRET = "s" * 32
LAWYER = Identity(user_id="u1", username="aygul", role="lawyer", lawyer_id="l1")


def test_a_verified_identity_is_refused_once_it_has_expired() -> None:
    token = sign_identity(LAWYER, secret=SECRET, audience="roster", ttl=2)
    assert verify_identity(token, secret=SECRET, audience="roster") == LAWYER

    def refused() -> Problem | None:
        try:
            verify_identity(token, secret=SECRET, audience="roster")
        except Problem as exc:
            return exc
        return None

    problem = wait_for(refused, timeout=5, what="the remembered identity to expire")
    assert problem.status == 401
    assert "expired" in problem.detail


def test_an_identity_verified_for_one_service_is_refused_by_another_and_under_another_secret() -> None:
    token = sign_identity(LAWYER, secret=SECRET, audience="roster")
    assert verify_identity(token, secret=SECRET, audience="roster") == LAWYER
    with pytest.raises(Problem):
        verify_identity(token, secret=SECRET, audience="subsidy")
    with pytest.raises(Problem):
        verify_identity(token, secret="t" * 32, audience="roster")


def test_a_token_altered_after_its_genuine_original_was_verified_is_refused() -> None:
    token = sign_identity(LAWYER, secret=SECRET, audience="roster")
    verify_identity(token, secret=SECRET, audience="roster")
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(Problem):
        verify_identity(forged, secret=SECRET, audience="roster")
