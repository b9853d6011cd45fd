"""Start the whole system as `make run` does (services.launch), on free ports and a temporary data dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, data_dir: Path, **env: str):
        self.data_dir = data_dir
        self.ports = {name: free_port() for name in ("gateway", "roster", "subsidy", "console")}
        self.env = {
            **os.environ,
            "LEGALDUTY_DATA_DIR": str(data_dir),
            "LEGALDUTY_GATEWAY_PORT": str(self.ports["gateway"]),
            "LEGALDUTY_ROSTER_PORT": str(self.ports["roster"]),
            "LEGALDUTY_SUBSIDY_PORT": str(self.ports["subsidy"]),
            "LEGALDUTY_CONSOLE_PORT": str(self.ports["console"]),
            "LEGALDUTY_ADMIN_PASSWORD": "admin-password-for-tests",
            "LEGALDUTY_WEB_WORKERS": "1",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "stack.log"

    def url(self, service: str = "gateway") -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, timeout: float = 120) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.launch"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stack exited: {self.log.read_text()[-3000:]}")
            if all(self.ready(s) for s in self.ports):
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the stack was not ready in {timeout}s: {self.log.read_text()[-3000:]}")

    def ready(self, service: str) -> bool:
        try:
            return requests.get(self.url(service) + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def supervisorctl(self, command: str, *names: str) -> str:
        """`supervisorctl command [program ...]`."""
        conf = self.data_dir / "run" / "supervisord.conf"
        out = subprocess.run(
            [str(Path(sys.executable).parent / "supervisorctl"), "-c", str(conf), command, *names],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout

    def pids(self) -> dict[str, int]:
        pids = {}
        for line in self.supervisorctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "RUNNING":
                pids[parts[0]] = int(parts[3].rstrip(","))
        return pids

    def stop(self, timeout: float = 15) -> float:
        """SIGTERM the supervisor; returns how long everything took to stop."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return time.monotonic() - started

    def token(self, username: str = "admin", password: str = "admin-password-for-tests") -> str:
        response = requests.post(
            self.url() + "/api/auth/token", json={"username": username, "password": password}, timeout=10
        )
        response.raise_for_status()
        return response.json()["access_token"]


class Client:
    """The public API (`<gateway>/api`) as one signed-in user."""

    def __init__(self, stack: Stack, token: str):
        self.base = stack.url() + "/api"
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: str) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, params=params, timeout=30)

    def post(self, path: str, json: dict | None = None) -> requests.Response:
        return requests.post(self.base + path, headers=self.headers, json=json, timeout=60)

    def put(self, path: str, json: dict) -> requests.Response:
        return requests.put(self.base + path, headers=self.headers, json=json, timeout=60)


def running_demo(tmp_path_factory: Any, name: str) -> Iterator[Stack]:
    """A module's own stack with the demo data, as `make run` starts it (for a module-scoped fixture)."""
    stack = Stack(tmp_path_factory.mktemp(name) / "var", LEGALDUTY_RETRY_BACKOFF="0.1").start()
    yield stack
    stack.stop()
