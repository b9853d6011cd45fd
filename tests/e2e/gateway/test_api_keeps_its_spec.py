"""schemathesis over the whole API document, against the running system through the gateway: no server
errors, and no response that breaks the document (status, content type, body).

It has a stack of its own: fuzzing the login endpoint exhausts the per-address login throttle."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.stack import Stack

pytestmark = pytest.mark.slow
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("gw-spec") / "var", LEGALDUTY_DEMO="0").start()
    s.admin_token = s.token()  # type: ignore[attr-defined]  # before the fuzzing exhausts the login throttle
    yield s
    s.stop()


def test_every_operation_answers_as_the_document_says(stack: Stack) -> None:
    document = schemathesis.openapi.from_url(stack.url() + "/api/openapi.json", wait_for_schema=30)
    headers = {"Authorization": f"Bearer {stack.admin_token}"}  # type: ignore[attr-defined]
    failures: dict[str, str] = {}
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: schemathesis.Case) -> None:
            if "user_id" in (case.path_parameters or {}):
                # never lock the fuzzer out by disabling or demoting the admin it logs in as
                case.path_parameters = {
                    **case.path_parameters,
                    "user_id": f"fuzz-{case.path_parameters['user_id']}",
                }
            case.call_and_validate(base_url=stack.url(), headers=headers, checks=CHECKS)

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every failure, report them all
            failures[operation.label] = f"{type(exc).__name__}: {str(exc)[:1500]}"
    assert not failures, "\n\n".join(f"{label}\n{detail}" for label, detail in failures.items())
