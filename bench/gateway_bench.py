"""The gateway's cost: `GET /api/roster/me/duties` through the gateway vs straight to the roster service.

Starts the whole system as `make run` does (on free ports and a temporary data directory, demo data loaded),
makes a lawyer user, then loads both URLs with the same tool, the same connections and the same duration in
the same run, alternating (gateway, direct, gateway, direct...) so that neither gets a warmer machine; first
with N concurrent connections (throughput, and latency under load), then with one client sending one request
at a time (the latency the hop itself adds, without queueing):

- through the gateway: `Authorization: Bearer <the lawyer's token>`;
- straight to roster: `X-Legalduty-Identity: <the identity the gateway would sign for that lawyer>`.

The load tool is wrk (`apt-get install wrk`) when it is installed, else a Python load generator (threads,
keep-alive connections). When the roster service does not serve `/api/roster/me/duties` yet, the bench
measures another roster route a lawyer may call and says so in `endpoint_note`.

    python -m bench.gateway_bench [--duration 10] [--connections 16] [--rounds 2] [--no-demo]

Prints one JSON document; also writes it to bench/results/gateway.json.
"""

from __future__ import annotations

import argparse
import calendar
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.common.auth import Identity, sign_identity  # noqa: E402
from services.common.settings import load_settings  # noqa: E402

ADMIN_PASSWORD = "bench-admin-password"
GOALS = {"ratio_rps_min": 0.7, "added_p50_ms_max": 3.0, "added_p99_ms_max": 10.0, "gateway_rps_min": 1000.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class System:
    """`python -m services.launch` in the background, stopped with SIGTERM."""

    def __init__(self, data_dir: Path, demo: bool, root: Path = ROOT):
        self.data_dir = data_dir
        self.root = root
        self.ports = {name: free_port() for name in ("gateway", "roster", "subsidy")}
        self.env = {
            **os.environ,
            "LEGALDUTY_DATA_DIR": str(data_dir),
            "LEGALDUTY_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "LEGALDUTY_DEMO": "1" if demo else "0",
            "LEGALDUTY_LOG_LEVEL": "WARNING",
            **{f"LEGALDUTY_{name.upper()}_PORT": str(port) for name, port in self.ports.items()},
        }
        self.log = data_dir / "system.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, timeout: float = 300) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.launch"],
            cwd=self.root,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the system exited: {self.log.read_text()[-2000:]}")
            if all(self._ready(s) for s in self.ports):
                return
            time.sleep(0.5)
        raise RuntimeError("the system did not become ready")

    def _ready(self, service: str) -> bool:
        try:
            return requests.get(self.url(service) + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def token(system: System, username: str, password: str) -> str:
    response = requests.post(
        system.url("gateway") + "/api/auth/token",
        timeout=30,
        json={"username": username, "password": password},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def pick_lawyer(system: System, admin: dict[str, str]) -> str:
    """A lawyer of the demo data with the most duties this month if the roster can say, else any, else a new one."""
    lawyers = requests.get(
        system.url("gateway") + "/api/roster/lawyers?limit=1000", headers=admin, timeout=30
    )
    items = lawyers.json().get("items", []) if lawyers.status_code == 200 else []
    practising = [item for item in items if item.get("status") == "practising"] or items
    if practising:
        return str(practising[len(practising) // 2]["id"])
    created = requests.post(
        system.url("gateway") + "/api/roster/lawyers",
        headers=admin,
        timeout=30,
        json={
            "name": "Bench Lawyer",
            "license_no": f"1654{uuid.uuid4().int % 10**13:013d}",
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh"],
        },
    )
    if created.status_code == 201:
        return str(created.json()["id"])
    return f"bench-{uuid.uuid4().hex[:8]}"  # the roster keeps no lawyers yet: a link the directory does not check


def wait_for_directory(system: System, lawyer_id: str, timeout: float = 30) -> None:
    """The gateway validates lawyer_id against its directory, filled from roster events: wait for it."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(system.data_dir / "gateway.sqlite3") as conn:
            known = conn.execute("SELECT 1 FROM lawyer_directory WHERE id = ?", (lawyer_id,)).fetchone()
            empty = conn.execute("SELECT COUNT(*) FROM lawyer_directory").fetchone()[0] == 0
        if known or empty:
            return
        time.sleep(0.2)


# ---- load tools ----------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def run_wrk(
    url: str, headers: dict[str, str], *, duration: int, connections: int, threads: int
) -> dict[str, Any]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {pct: _ms(value) for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "requests": total,
        "rps": round(rps, 1),
        "p50_ms": round(latency["50"], 3),
        "p90_ms": round(latency["90"], 3),
        "p99_ms": round(latency["99"], 3),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else None,
    }


def run_python(
    url: str, headers: dict[str, str], *, duration: int, connections: int, threads: int
) -> dict[str, Any]:
    """Keep-alive connections, one thread each, for `duration` seconds."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    stop = time.monotonic() + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    non_2xx = [0] * connections

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i].append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                non_2xx[i] += 1
        conn.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    began = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - began
    flat = sorted(x for per in latencies for x in per)
    q = statistics.quantiles(flat, n=100)
    return {
        "requests": len(flat),
        "rps": round(len(flat) / elapsed, 1),
        "p50_ms": round(q[49], 3),
        "p90_ms": round(q[89], 3),
        "p99_ms": round(q[98], 3),
        "non_2xx": sum(non_2xx),
        "socket_errors": None,
    }


def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("rps", "p50_ms", "p90_ms", "p99_ms")
    merged: dict[str, Any] = {k: round(statistics.median(r[k] for r in results), 3) for k in keys}
    merged["requests"] = sum(r["requests"] for r in results)
    merged["non_2xx"] = sum(r["non_2xx"] for r in results)
    merged["rounds"] = results
    return merged


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=2, help="gateway/direct pairs, alternating")
    parser.add_argument("--no-demo", action="store_true", help="start without the demo prefecture")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args(argv)
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = run_wrk if tool == "wrk" else run_python

    system = System(Path(tempfile.mkdtemp(prefix="legalduty-bench-")) / "var", demo=not args.no_demo)
    started = time.monotonic()
    system.start()
    startup_s = round(time.monotonic() - started, 1)
    try:
        admin = {"Authorization": f"Bearer {token(system, 'admin', ADMIN_PASSWORD)}"}
        lawyer_id = pick_lawyer(system, admin)
        wait_for_directory(system, lawyer_id)
        username, password = f"bench-{uuid.uuid4().hex[:6]}", "bench-lawyer-password"
        created = requests.post(
            system.url("gateway") + "/api/users",
            headers=admin,
            timeout=30,
            json={"username": username, "password": password, "role": "lawyer", "lawyer_id": lawyer_id},
        )
        created.raise_for_status()
        user = created.json()
        through_gateway = {"Authorization": f"Bearer {token(system, username, password)}"}
        settings = load_settings(
            "roster", {k: v for k, v in system.env.items() if k.startswith("LEGALDUTY_")}
        )
        identity = Identity(user_id=user["id"], username=username, role="lawyer", lawyer_id=lawyer_id)
        direct = {
            "X-Legalduty-Identity": sign_identity(
                identity, secret=settings.internal_secret, audience="roster", ttl=3600
            )
        }

        today = date.today()
        month_end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
        path = f"/api/roster/me/duties?from={today.replace(day=1).isoformat()}&to={month_end.isoformat()}"
        note = None
        probe = requests.get(system.url("gateway") + path, headers=through_gateway, timeout=30)
        if probe.status_code != 200:
            note = (
                f"the roster service answers {probe.status_code} to GET /api/roster/me/duties "
                f"(not built yet): measured GET /api/roster/lawyers/{{own id}} instead, the lawyer's own "
                f"record, also a lawyer-filtered read of one row"
            )
            path = f"/api/roster/lawyers/{lawyer_id}"
            probe = requests.get(system.url("gateway") + path, headers=through_gateway, timeout=30)
        direct_probe = requests.get(system.url("roster") + path, headers=direct, timeout=30)
        same = probe.status_code == direct_probe.status_code and probe.content == direct_probe.content

        # warm both paths (connection pools, caches) before measuring
        load(
            system.url("gateway") + path,
            through_gateway,
            duration=2,
            connections=args.connections,
            threads=args.threads,
        )
        load(
            system.url("roster") + path,
            direct,
            duration=2,
            connections=args.connections,
            threads=args.threads,
        )
        gateway_runs, direct_runs, gateway_one, direct_one = [], [], [], []
        for _ in range(args.rounds):
            gateway_runs.append(
                load(
                    system.url("gateway") + path,
                    through_gateway,
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                )
            )
            direct_runs.append(
                load(
                    system.url("roster") + path,
                    direct,
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                )
            )
        # the hop's own latency, without queueing: one client, one request at a time
        for _ in range(args.rounds):
            gateway_one.append(
                load(
                    system.url("gateway") + path,
                    through_gateway,
                    duration=max(3, args.duration // 2),
                    connections=1,
                    threads=1,
                )
            )
            direct_one.append(
                load(
                    system.url("roster") + path,
                    direct,
                    duration=max(3, args.duration // 2),
                    connections=1,
                    threads=1,
                )
            )
    finally:
        system.stop()

    via, straight = median_of(gateway_runs), median_of(direct_runs)
    via_one, straight_one = median_of(gateway_one), median_of(direct_one)
    added_p50 = round(via["p50_ms"] - straight["p50_ms"], 3)
    added_p99 = round(via["p99_ms"] - straight["p99_ms"], 3)
    added_p50_one = round(via_one["p50_ms"] - straight_one["p50_ms"], 3)
    added_p99_one = round(via_one["p99_ms"] - straight_one["p99_ms"], 3)
    ratio = round(via["rps"] / straight["rps"], 3) if straight["rps"] else None
    result = {
        "benchmark": "gateway",
        "endpoint": path.split("?")[0],
        "endpoint_note": note,
        "status": probe.status_code,
        "body_bytes": len(probe.content),
        "same_answer_both_ways": same,
        "tool": "wrk " + subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
        if tool == "wrk"
        else "python threads + http.client keep-alive",
        "connections": args.connections,
        "threads": args.threads if tool == "wrk" else args.connections,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "web_workers": load_settings("gateway", {}).web_workers,
        "startup_s": startup_s,
        "direct": straight,
        "gateway": via,
        "ratio_rps": ratio,
        "added_p50_ms": added_p50,
        "added_p99_ms": added_p99,
        "one_client": {
            "direct": straight_one,
            "gateway": via_one,
            "added_p50_ms": added_p50_one,
            "added_p99_ms": added_p99_one,
        },
        "goals": GOALS,
        "met": {
            "ratio_rps": ratio is not None and ratio >= GOALS["ratio_rps_min"],
            "added_p50_loaded": added_p50 <= GOALS["added_p50_ms_max"],
            "added_p99_loaded": added_p99 <= GOALS["added_p99_ms_max"],
            "added_p50_one_client": added_p50_one <= GOALS["added_p50_ms_max"],
            "added_p99_one_client": added_p99_one <= GOALS["added_p99_ms_max"],
            "gateway_rps": via["rps"] >= GOALS["gateway_rps_min"],
        },
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "gateway.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
