"""The burden ledger through the gateway on the running system with the demo prefecture (this month's roster
published): a scheduler reads it, a lawyer may not, and a bad range is refused naming the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from services.roster.service.duties import today_in_beijing
from tests.e2e.gateway.test_gateway_stack import make_user
from tests.e2e.stack import Stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("gw-fairness") / "var", LEGALDUTY_WEB_WORKERS="1").start()
    yield s
    s.stop()


def test_a_scheduler_reads_the_burden_ledger_of_the_demo_prefecture_through_the_gateway(stack: Stack) -> None:
    admin = {"Authorization": f"Bearer {stack.token()}"}
    _, scheduler = make_user(stack, admin, "scheduler")
    month = today_in_beijing().strftime("%Y-%m")
    url = f"{stack.url()}/api/roster/fairness?region_code=654000&from={month}&to={month}"
    response = requests.get(url, headers=scheduler, timeout=30)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["total"] == len(report["items"]) > 10
    assert sum(item["duties"] for item in report["items"]) > 0
    assert 0 < report["balance"] <= 1
    lawyers = requests.get(f"{stack.url()}/api/roster/lawyers?limit=1", headers=scheduler, timeout=10).json()
    _, lawyer = make_user(stack, admin, "lawyer", lawyer_id=lawyers["items"][0]["id"])
    assert requests.get(url, headers=lawyer, timeout=10).status_code == 403
    too_long = requests.get(
        f"{stack.url()}/api/roster/fairness?region_code=654000&from=2024-01&to=2026-12",
        headers=scheduler,
        timeout=10,
    )
    assert too_long.status_code == 422
    assert too_long.headers["Content-Type"].startswith("application/problem+json")
    assert "to" in too_long.json()["errors"]
