"""CPU per request of the lawyer's read path, per process, this tree against a base commit in the same run.

`GET /api/roster/me/duties` (this month) through the gateway and straight to roster costs CPU in the gateway's
and roster's gunicorn processes. Wall-clock throughput on a shared, noisy machine says little; CPU time per
request does: this bench reads utime+stime (and reaped children's) of every process of each service's web
server (gunicorn master and workers, from /proc/<pid>/stat) before and after a load run, and divides by the
requests wrk counted. It reports requests/s too, and the ratio gateway/direct.

The reference is the same figure for the code of a base commit (`--base`, default the commit before the
read-path work), extracted with `git archive` into a temporary directory and started the same way (`python
-m services.launch` on free ports, demo data, a lawyer user), in the same run: both systems run side by side
and the load alternates between them (base, this tree, this tree, base, ...), so that neither gets a quieter
machine.

    python -m bench.read_path_cpu [--base 0372d44] [--duration 8] [--rounds 3] [--connections 16]
                                  [--profile]   # also py-spy this tree's web workers under load

Needs wrk (`apt-get install -y wrk`). Prints one JSON document; also writes bench/results/read_path_cpu.json
(and with --profile the collapsed stacks and their top frames in bench/results/profile-*.txt).
"""

from __future__ import annotations

import argparse
import calendar
import collections
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gateway_bench import ADMIN_PASSWORD, System, pick_lawyer, run_wrk, token, wait_for_directory  # noqa: E402
from services.common.auth import Identity, sign_identity  # noqa: E402
from services.common.settings import load_settings  # noqa: E402

BASE = "0372d44"
GOALS = {"gateway_plus_roster_cpu_ms_max": 2.5, "ratio_rps_min": 0.7, "rps_speedup_min": 2.0}
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


# ---- processes and their CPU time ------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree[ppid].append(int(entry))
    return tree


def web_processes(root_pid: int, service: str) -> list[int]:
    """The gunicorn master and workers of `service` under the supervisor `root_pid`."""
    tree, found, todo = _children(), [], [root_pid]
    while todo:
        pid = todo.pop()
        for child in tree.get(pid, []):
            todo.append(child)
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "gunicorn" in cmdline and f"services.{service}.app" in cmdline:
                found.append(child)
    return sorted(found)


def cpu_ms(pids: list[int]) -> float:
    """utime + stime + cutime + cstime of these processes, in milliseconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # fields 14-17 of proc(5), after pid and comm
    return total * TICK_MS


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---- one system, its lawyer and their two ways in -----------------------------------------------------------


@dataclass
class Target:
    label: str
    system: System
    path: str
    through_gateway: dict[str, str]
    direct: dict[str, str]

    def pids(self, service: str) -> list[int]:
        assert self.system.proc is not None
        return web_processes(self.system.proc.pid, service)


def prepare(label: str, root: Path) -> Target:
    system = System(Path(tempfile.mkdtemp(prefix=f"legalduty-cpu-{label}-")) / "var", demo=True, root=root)
    try:
        system.start()
        admin = {"Authorization": f"Bearer {token(system, 'admin', ADMIN_PASSWORD)}"}
        lawyer_id = pick_lawyer(system, admin)
        wait_for_directory(system, lawyer_id)
        username, password = f"cpu-{uuid.uuid4().hex[:6]}", "bench-lawyer-password"
        created = requests.post(
            system.url("gateway") + "/api/users",
            headers=admin,
            timeout=30,
            json={"username": username, "password": password, "role": "lawyer", "lawyer_id": lawyer_id},
        )
        created.raise_for_status()
        settings = load_settings(
            "roster", {k: v for k, v in system.env.items() if k.startswith("LEGALDUTY_")}
        )
        identity = Identity(
            user_id=created.json()["id"], username=username, role="lawyer", lawyer_id=lawyer_id
        )
        direct = {
            "X-Legalduty-Identity": sign_identity(
                identity, secret=settings.internal_secret, audience="roster", ttl=3600
            )
        }
        today = date.today()
        month_end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
        path = f"/api/roster/me/duties?from={today.replace(day=1).isoformat()}&to={month_end.isoformat()}"
        target = Target(
            label, system, path, {"Authorization": f"Bearer {token(system, username, password)}"}, direct
        )
        via = requests.get(system.url("gateway") + path, headers=target.through_gateway, timeout=30)
        straight = requests.get(system.url("roster") + path, headers=direct, timeout=30)
        if via.status_code != 200 or straight.status_code != 200:
            raise RuntimeError(
                f"{label}: {path} answers {via.status_code} through the gateway, {straight.status_code} "
                f"straight: {via.text[:300]}"
            )
        return target
    except BaseException:
        system.stop()
        shutil.rmtree(system.data_dir.parent, ignore_errors=True)
        raise


def measure(target: Target, way: str, *, duration: int, connections: int) -> dict[str, Any]:
    """One wrk run; CPU ms per request of each service's web processes over it."""
    url = target.system.url("gateway" if way == "gateway" else "roster") + target.path
    headers = target.through_gateway if way == "gateway" else target.direct
    pids = {service: target.pids(service) for service in ("gateway", "roster")}
    before = {service: cpu_ms(p) for service, p in pids.items()}
    result = run_wrk(url, headers, duration=duration, connections=connections, threads=2)
    after = {service: cpu_ms(p) for service, p in pids.items()}
    n = max(result["requests"], 1)
    result["cpu_ms_per_request"] = {
        service: round((after[service] - before[service]) / n, 3) for service in pids
    }
    result["web_processes"] = {service: len(p) for service, p in pids.items()}
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    cpu = {
        service: round(statistics.median(r["cpu_ms_per_request"][service] for r in runs), 3)
        for service in ("gateway", "roster")
    }
    least = {
        service: round(min(r["cpu_ms_per_request"][service] for r in runs), 3)
        for service in ("gateway", "roster")
    }
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 3),
        "cpu_ms_per_request": cpu,
        "cpu_ms_per_request_least_contended_round": least,
        "requests": sum(r["requests"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "rounds": [
            {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "requests", "cpu_ms_per_request")} for r in runs
        ],
    }


# ---- profiling ------------------------------------------------------------------------------------------------


def profile(target: Target, *, duration: int, connections: int, out: Path) -> dict[str, Any]:
    """py-spy record (collapsed stacks of the thread holding the GIL: where the CPU goes) of every web worker while loading the gateway."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        return {"status": "not available", "why": "py-spy is not installed (pip install py-spy)"}
    recorders = []
    for service in ("gateway", "roster"):
        for pid in target.pids(service):
            path = out / f"profile-{service}-{pid}.txt"
            recorders.append(
                (
                    service,
                    path,
                    subprocess.Popen(
                        [
                            spy,
                            "record",
                            "--pid",
                            str(pid),
                            "--duration",
                            str(duration),
                            "--rate",
                            "250",
                            "--format",
                            "raw",
                            "--gil",
                            "--nonblocking",
                            "--output",
                            str(path),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
            )
    time.sleep(1)
    url = target.system.url("gateway") + target.path
    run_wrk(url, target.through_gateway, duration=duration, connections=connections, threads=2)
    for _service, _path, proc in recorders:
        proc.wait(60)
    report: dict[str, Any] = {}
    for service in ("gateway", "roster"):
        files = [path for s, path, _proc in recorders if s == service and path.exists()]
        report[service] = top_frames(files, out / f"profile-{service}-top.txt")
    return report


def top_frames(files: list[Path], summary: Path, limit: int = 40) -> dict[str, Any]:
    """Inclusive and self sample shares per function from py-spy's collapsed stacks."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]  # per function, not line
            n = int(count)
            total += n
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
    lines = [f"{total} samples from {len(files)} processes", "", "inclusive %  function (file:line)"]
    lines += [f"{100 * c / total:9.1f}  {f}" for f, c in inclusive.most_common(limit * 2)] if total else []
    lines += ["", "self %  function"] + (
        [f"{100 * c / total:6.1f}  {f}" for f, c in own.most_common(limit)] if total else []
    )
    summary.write_text("\n".join(lines) + "\n")
    shown = summary.relative_to(ROOT) if summary.is_relative_to(ROOT) else summary
    return {
        "samples": total,
        "summary": str(shown),
        "top_self": [[f, round(100 * c / total, 1)] for f, c in own.most_common(8)] if total else [],
    }


# ---- main --------------------------------------------------------------------------------------------------


def extract(commit: str) -> Path:
    """The tree of `commit` in a temporary directory (git archive: no worktree, nothing in the repo changes)."""
    where = Path(tempfile.mkdtemp(prefix=f"legalduty-base-{commit[:8]}-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(where, filter="data")
    return where


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = _arguments(argv)
    if shutil.which("wrk") is None:
        print(
            json.dumps(
                {
                    "benchmark": "read_path_cpu",
                    "status": "not available",
                    "why": "wrk is not installed (apt-get install -y wrk)",
                }
            )
        )
        return {}
    base_commit = _git("rev-parse", "--short", args.base)
    head = _git("rev-parse", "--short", "HEAD")
    dirty = bool(
        subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "services"], capture_output=True, text=True
        ).stdout.strip()
    )
    info = machine()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    runs, profiled = _measure_both(args, base_commit, out)
    figures = {label: _figures(ways) for label, ways in runs.items()}
    result: dict[str, Any] = {
        "benchmark": "read_path_cpu",
        "measured": "GET /api/roster/me/duties (this month, demo lawyer) through the gateway and straight to "
        "roster; CPU ms per request = utime+stime of each service's gunicorn master+workers over a "
        "wrk run / requests (median of the rounds; a loaded machine inflates it for both trees alike: "
        "the least contended round is given too)",
        "machine": {**info, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "load": {
            "tool": "wrk",
            "connections": args.connections,
            "threads": 2,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "order": "alternating before/after, gateway then direct",
        },
        "before": {"commit": base_commit, **figures.get("before", {})} if "before" in figures else None,
        "after": {"commit": head + ("+uncommitted" if dirty else ""), **figures["after"]},
        "goals": GOALS,
    }
    if "before" in figures:
        result.update(_gains(figures["before"], figures["after"]))
    result["met"] = _met(figures["after"], result)
    if profiled is not None:
        result["profile"] = profiled
    (out / "read_path_cpu.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return result


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default=BASE, help="the commit to compare with (the reference)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--profile", action="store_true", help="py-spy this tree's web workers under load too"
    )
    parser.add_argument("--no-base", action="store_true", help="measure this tree only")
    return parser.parse_args(argv)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


Runs = dict[
    str, dict[str, list[dict[str, Any]]]
]  # "before"/"after" -> "gateway"/"direct" -> one dict per round


def _measure_both(
    args: argparse.Namespace, base_commit: str, out: Path
) -> tuple[Runs, dict[str, Any] | None]:
    """Start the base's system (unless --no-base) and this tree's, load them in alternating rounds (and profile
    this tree's with --profile); stop both and remove their trees, whatever happens."""
    targets: list[Target] = []
    try:
        if not args.no_base:
            targets.append(_prepare_base(base_commit))
        targets.append(prepare("after", ROOT))
        runs = _load_rounds(targets, args)
        profiled = (
            profile(targets[-1], duration=args.duration, connections=args.connections, out=out)
            if args.profile
            else None
        )
    finally:
        for target in targets:
            _stop(target)
    return runs, profiled


def _prepare_base(base_commit: str) -> Target:
    base_tree = extract(base_commit)
    try:
        return prepare("before", base_tree)
    except BaseException:
        shutil.rmtree(base_tree, ignore_errors=True)
        raise


def _load_rounds(targets: list[Target], args: argparse.Namespace) -> Runs:
    """A short warm-up run of each way into each system (pools, caches, the token cache), then the rounds, the
    systems' order alternating from one round to the next."""
    runs: Runs = {}
    for target in targets:
        for way in ("gateway", "direct"):
            measure(target, way, duration=2, connections=args.connections)
        runs[target.label] = {"gateway": [], "direct": []}
    for round_no in range(args.rounds):
        order = targets if round_no % 2 == 0 else targets[::-1]
        for target in order:
            for way in ("gateway", "direct"):
                runs[target.label][way].append(
                    measure(target, way, duration=args.duration, connections=args.connections)
                )
    return runs


def _stop(target: Target) -> None:
    """Stop a system and remove its data (and, for the base, its extracted tree)."""
    target.system.stop()
    shutil.rmtree(target.system.data_dir.parent, ignore_errors=True)
    if target.system.root != ROOT:
        shutil.rmtree(target.system.root, ignore_errors=True)


def _figures(ways: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """One system's rounds summarised: each way in, CPU per request through the gateway, the ratio of the ways."""
    via, straight = summarise(ways["gateway"]), summarise(ways["direct"])
    return {
        "through_gateway": via,
        "direct": straight,
        "cpu_ms_per_request_through_gateway": round(sum(via["cpu_ms_per_request"].values()), 3),
        "ratio_rps_gateway_over_direct": round(via["rps"] / straight["rps"], 3) if straight["rps"] else None,
    }


def _gains(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        "speedup_rps_through_gateway": round(
            after["through_gateway"]["rps"] / before["through_gateway"]["rps"], 2
        ),
        "cpu_ms_saved_per_request": round(
            before["cpu_ms_per_request_through_gateway"] - after["cpu_ms_per_request_through_gateway"], 3
        ),
    }


def _met(after: dict[str, Any], result: dict[str, Any]) -> dict[str, bool]:
    return {
        "cpu": after["cpu_ms_per_request_through_gateway"] <= GOALS["gateway_plus_roster_cpu_ms_max"],
        "ratio": (after["ratio_rps_gateway_over_direct"] or 0) >= GOALS["ratio_rps_min"],
        "speedup": result.get("speedup_rps_through_gateway", 0) >= GOALS["rps_speedup_min"],
    }


if __name__ == "__main__":
    main()
