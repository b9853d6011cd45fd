"""/metrics when a dependency cannot be read: it says so, and reports no made-up zero."""

from __future__ import annotations

from typing import Any

from services.common.metrics import ScrapeTimeCollector


def samples(read: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in ScrapeTimeCollector("subsidy", read).collect()
        for s in family.samples
    }


def test_with_both_dependencies_read_every_gauge_reports() -> None:
    got = samples(
        lambda: {
            "up": {"database": True, "broker": True},
            "outbox_backlog": 7,
            "outbox_unroutable": 0,
            "queues": {"subsidy.duty": 3},
            "dead_letters": {},
        }
    )
    assert got[("legalduty_outbox_backlog", (("service", "subsidy"),))] == 7
    assert got[("legalduty_dependency_up", (("dependency", "database"), ("service", "subsidy")))] == 1
    assert got[("legalduty_consumer_lag", (("queue", "subsidy.duty"),))] == 3


def test_a_database_that_cannot_be_read_leaves_the_backlog_out_instead_of_zero() -> None:
    got = samples(lambda: {"up": {"database": False, "broker": True}, "queues": {"subsidy.duty": 0}})
    assert not [key for key in got if key[0].startswith("legalduty_outbox")]
    assert got[("legalduty_dependency_up", (("dependency", "database"), ("service", "subsidy")))] == 0
    assert got[("legalduty_dependency_up", (("dependency", "broker"), ("service", "subsidy")))] == 1


def test_a_read_that_fails_outright_reports_both_dependencies_down() -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("no connection")

    got = samples(broken)
    assert [value for key, value in got.items() if key[0] == "legalduty_dependency_up"] == [0, 0]
    assert not [key for key in got if key[0].startswith("legalduty_outbox")]
