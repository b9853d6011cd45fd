"""Prometheus metrics: requests and latencies per process (multiprocess mode under gunicorn), plus
outbox backlog, consumer lag and dead letters read at scrape time."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "legalduty_http_requests_total", "HTTP requests", ["service", "method", "endpoint", "status"]
)
LATENCY = Histogram(
    "legalduty_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class ScrapeTimeCollector:
    """Gauges computed when Prometheus scrapes: they read the database and the broker."""

    def __init__(self, service: str, read: Callable[[], dict[str, Any]]):
        self.service = service
        self.read = read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            values = self.read()
        except Exception:  # noqa: BLE001 - a scrape must not fail because the broker is down
            values = {}
        up = GaugeMetricFamily(
            "legalduty_dependency_up",
            "1 when the scrape could read the dependency, else 0 (its gauges are then left out)",
            labels=["service", "dependency"],
        )
        for dependency in ("database", "broker"):
            up.add_metric([self.service, dependency], 1 if values.get("up", {}).get(dependency) else 0)
        yield up
        backlog = GaugeMetricFamily(
            "legalduty_outbox_backlog", "outbox rows not yet published", labels=["service"]
        )
        unroutable = GaugeMetricFamily(
            "legalduty_outbox_unroutable", "unroutable outbox rows", labels=["service"]
        )
        if "outbox_backlog" in values:
            backlog.add_metric([self.service], values["outbox_backlog"])
            unroutable.add_metric([self.service], values["outbox_unroutable"])
        yield backlog
        yield unroutable
        lag = GaugeMetricFamily("legalduty_consumer_lag", "messages waiting in a queue", labels=["queue"])
        for queue, depth in values.get("queues", {}).items():
            lag.add_metric([queue], depth)
        yield lag
        dead = GaugeMetricFamily(
            "legalduty_dead_letters", "messages in a dead-letter queue", labels=["queue"]
        )
        for queue, depth in values.get("dead_letters", {}).items():
            dead.add_metric([queue], depth)
        yield dead


def render(collector: ScrapeTimeCollector) -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
        with contextlib.suppress(KeyError):
            registry.unregister(collector)
    registry.register(collector)
    try:
        return generate_latest(registry), CONTENT_TYPE_LATEST
    finally:
        registry.unregister(collector)
