"""One stack started as `make run` starts it, users for the three journeys, and Debian's Chromium.

`playwright install` cannot download browsers here: Playwright drives /usr/bin/chromium (installed by
.ci/run with the CJK font, so Chinese renders in the screenshots)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.conftest import unavailable
from tests.e2e.stack import ROOT, Stack

CHROMIUM = os.environ.get("LEGALDUTY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "var" / "test-artifacts" / "console"
PASSWORD = "console-journey-pass"


@dataclass
class People:
    """The stack and who uses it: usernames (one password), and the lawyer on duty today."""

    stack: Stack
    lawyer_id: str
    duty_id: str
    today: str

    @property
    def url(self) -> str:
        return self.stack.url()

    def api(self, username: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.stack.token(username, PASSWORD)}"
        return session


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)")
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"locale": "zh-CN", "viewport": {"width": 1440, "height": 900}, "accept_downloads": True}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    stack = Stack(tmp_path_factory.mktemp("console-stack")).start(timeout=180)
    try:
        admin = requests.Session()
        admin.headers["Authorization"] = f"Bearer {stack.token()}"
        api = stack.url() + "/api"
        for username, role in (("scheduler", "scheduler"), ("finance", "finance")):
            admin.post(
                api + "/users", json={"username": username, "password": PASSWORD, "role": role}, timeout=10
            ).raise_for_status()
        scheduler = requests.Session()
        scheduler.headers["Authorization"] = f"Bearer {stack.token('scheduler', PASSWORD)}"
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        published = scheduler.get(api + "/roster/rosters", params={"status": "published"}, timeout=10).json()[
            "items"
        ]
        duty = None
        for roster in published:
            duties = scheduler.get(
                api + f"/roster/rosters/{roster['id']}/assignments",
                params={"date": today.isoformat()},
                timeout=10,
            ).json()["items"]
            duty = next((d for d in duties if d["role"] == "lawyer"), duty)
        if duty is None:  # the demo has daily patterns at county centres, so every day has duties
            pytest.fail(f"the demo roster has no duty on {today}: the lawyer's journey needs one")
        admin.post(
            api + "/users",
            json={
                "username": "lawyer",
                "password": PASSWORD,
                "role": "lawyer",
                "lawyer_id": duty["lawyer_id"],
            },
            timeout=10,
        ).raise_for_status()
        yield People(stack, duty["lawyer_id"], duty["id"], today.isoformat())
    finally:
        stack.stop()


def log_in(page: Any, people: People, username: str) -> None:
    page.goto(people.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
