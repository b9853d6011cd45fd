"""Reading a whole list page by page (the later pages at once), and independent reads run together."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask, g

from services.console.gatewayapi import ApiError, Download, all_items
from services.console.pages import together


class Pages:
    """A list of `n` items served `page_size` at a time at most, whatever the client asks."""

    def __init__(self, n: int, page_size: int) -> None:
        self.items = [{"id": i} for i in range(n)]
        self.page_size = page_size
        self.offsets: list[int] = []
        self.lock = threading.Lock()

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        assert params is not None
        offset, limit = int(params["offset"]), min(int(params["limit"]), self.page_size)
        with self.lock:
            self.offsets.append(offset)
        return {"items": self.items[offset : offset + limit], "total": len(self.items)}

    def download(self, path: str, *, token: str, params: Mapping[str, Any] | None = None) -> Download:
        raise NotImplementedError


@pytest.mark.parametrize(("n", "page_size"), [(0, 1000), (1, 1000), (1000, 1000), (2308, 1000), (2308, 300)])
def test_every_item_comes_once_and_in_order_whatever_the_apis_page_size(n: int, page_size: int) -> None:
    api = Pages(n, page_size)
    assert all_items(api, "/api/x", token="t") == api.items
    assert sorted(api.offsets) == list(range(0, max(n, 1), page_size))


def test_reading_stops_near_the_cap() -> None:
    api = Pages(5000, 1000)
    assert len(all_items(api, "/api/x", token="t", cap=2000)) == 2000


def test_reads_run_together_see_the_request_and_answer_in_order() -> None:
    app = Flask(__name__)
    both_inside = threading.Barrier(2, timeout=5)

    def read(answer: str) -> str:
        both_inside.wait()  # each waits for the other: they run at the same time, or this times out
        return f"{answer}:{g.request_id}"

    with app.test_request_context("/"):
        g.request_id = "req-1"
        assert together(lambda: read("a"), lambda: read("b")) == ["a:req-1", "b:req-1"]


def test_the_first_failure_of_reads_run_together_is_raised() -> None:
    def refused() -> None:
        raise ApiError(403, "Forbidden")

    app = Flask(__name__)
    with app.test_request_context("/"), pytest.raises(ApiError) as caught:
        together(lambda: 1, refused)
    assert caught.value.status == 403
