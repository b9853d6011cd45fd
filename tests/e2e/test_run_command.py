"""`make run` brings the whole system up, keeps it up, and brings it down on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
import requests

from tests.buskit import wait_for
from tests.e2e.stack import Stack

PROGRAMS = {f"{s}-{p}" for s in ("gateway", "roster", "subsidy") for p in ("web", "relay", "worker")} | {
    "console-web"
}
# supervisord's own log lines: "2026-11-30 09:56:58,922 CRIT Supervisor is running as root. ..."
SUPERVISOR_ALARM = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?:CRIT|ERRO) .*$", re.MULTILINE)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """One system for the checks that leave it running (a killed worker is restarted and waited for)."""
    s = Stack(tmp_path_factory.mktemp("run") / "var", LEGALDUTY_DEMO="0").start()
    yield s
    s.stop()


@pytest.fixture
def own_stack(tmp_path):
    """A system of the test's own, for a test that stops it."""
    s = Stack(tmp_path / "var", LEGALDUTY_DEMO="0").start()
    yield s
    s.stop()


def test_the_run_command_starts_three_ready_services_and_every_worker(stack: Stack) -> None:
    assert set(stack.pids()) == PROGRAMS
    for service in ("gateway", "roster", "subsidy"):
        body = requests.get(stack.url(service) + "/readyz", timeout=5).json()
        assert body["checks"] == {"database": "ok", "broker": "ok"}
        assert requests.get(stack.url(service) + "/healthz", timeout=5).status_code == 200
        metrics = requests.get(stack.url(service) + "/metrics", timeout=5).text
        assert "legalduty_outbox_backlog" in metrics
        assert "legalduty_http_requests_total" in metrics
    assert (stack.data_dir / "gateway.sqlite3").exists()
    assert (stack.data_dir / "broker").is_dir()


def test_the_run_command_starts_without_alarming_supervisor_lines(stack: Stack) -> None:
    assert SUPERVISOR_ALARM.findall(stack.log.read_text()) == []
    conf = stack.data_dir / "run" / "supervisord.conf"
    assert conf.stat().st_mode & 0o077 == 0, "the supervisor's config holds its control password: owner only"
    assert "RUNNING" in stack.supervisorctl("status"), "supervisorctl still controls the supervisor"


def test_a_killed_worker_is_restarted_while_the_others_keep_running(stack: Stack) -> None:
    before = stack.pids()
    os.kill(before["subsidy-worker"], signal.SIGKILL)
    os.kill(before["roster-web"], signal.SIGKILL)
    after = wait_for(
        lambda: (
            (p := stack.pids())
            and len(p) == len(PROGRAMS)
            and p["subsidy-worker"] != before["subsidy-worker"]
            and p["roster-web"] != before["roster-web"]
            and p
        ),
        timeout=30,
        what="the killed processes to be restarted",
    )
    for name in PROGRAMS - {"subsidy-worker", "roster-web"}:
        assert after[name] == before[name], f"{name} was restarted too"
    wait_for(lambda: stack.ready("roster"), timeout=30, what="roster ready again")


def test_sigterm_stops_every_process_within_ten_seconds(own_stack: Stack) -> None:
    stack = own_stack
    pids = stack.pids()
    took = stack.stop()
    assert took < 10, f"stopping took {took:.1f}s"
    time.sleep(0.2)
    alive = []
    for name, pid in pids.items():
        try:
            os.kill(pid, 0)
            alive.append(name)
        except ProcessLookupError:
            pass
    assert alive == []
