"""`make run`: migrate every service's database, seed it, and supervise all processes in the foreground.

Processes: gateway, roster and subsidy under gunicorn, and per service `LEGALDUTY_REPLICAS` (default 1)
outbox relays and as many event workers. supervisord restarts any process that dies while the others keep
running; SIGTERM or Ctrl-C stops them all at once (each gets at most 8 s before SIGKILL, so the whole system
is down within 10 s).

supervisord runs as whoever starts it (`user=` names that account, so it has no privileges to drop) and
its control socket is owner-only and password-protected (a fresh random password per start, in the
owner-only config file that `supervisorctl -c var/run/supervisord.conf` reads).

Replicas: with N > 1 a relay or worker program has `numprocs=N`, its processes named `roster-relay-0` ...
(`supervisorctl status` shows `roster-relay:roster-relay-0`). They may all run at once: one relay per service
holds the leader lock and the others stand by (services/common/relay.py), the workers compete for the
messages of the service's queues, and the roster's generation workers claim each queued roster under a lease
(services/roster/service/generation_worker.py).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import xmlrpc.client
from pathlib import Path
from typing import Any

from services.common.settings import CONSOLE, SERVICES, load_settings

ROOT = Path(__file__).resolve().parent.parent


def _python() -> str:
    return sys.executable


def prepare() -> None:
    """Migrate and seed every service (idempotent: seeding only fills empty databases)."""
    for service in SERVICES:
        for command in ("migrate", "seed"):
            subprocess.run([_python(), "-m", f"services.{service}", command], check=True, cwd=ROOT)


def gunicorn_command(service: str) -> str:
    settings = load_settings(service)
    worker_class = "gthread --threads 8" if service == "gateway" else "gthread --threads 4"
    return (
        f"{shlex.quote(_python())} -m gunicorn --bind {settings.bind}:{settings.port} "
        f"--workers {settings.web_workers} --worker-class {worker_class} --graceful-timeout 5 --timeout 60 "
        f"--keep-alive 5 --log-level warning 'services.{service}.app:create_app()'"
    )


def supervisor_config(data_dir: Path, control_password: str, replicas: int = 1) -> str:
    run_dir = data_dir / "run"
    try:  # name the account supervisord already runs as: root included, nothing to drop, nothing to warn of
        user = [f"user={pwd.getpwuid(os.getuid()).pw_name}"]
    except KeyError:  # a uid without a passwd entry (some container platforms) is never root
        user = []
    lines = [
        "[supervisord]",
        "nodaemon=true",
        *user,
        f"logfile={run_dir / 'supervisord.log'}",
        f"pidfile={run_dir / 'supervisord.pid'}",
        "loglevel=warn",
        "",
        "[unix_http_server]",
        f"file={run_dir / 'supervisor.sock'}",
        "chmod=0700",
        "username=legalduty",
        f"password={control_password}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{run_dir / 'supervisor.sock'}",
        "username=legalduty",
        f"password={control_password}",
        "",
    ]
    programs: dict[str, tuple[str, dict[str, str], int]] = {}
    for service in SERVICES:
        prom = data_dir / "prometheus" / service
        programs[f"{service}-web"] = (gunicorn_command(service), {"PROMETHEUS_MULTIPROC_DIR": str(prom)}, 1)
        programs[f"{service}-relay"] = (f"{shlex.quote(_python())} -m services.{service} relay", {}, replicas)
        programs[f"{service}-worker"] = (
            f"{shlex.quote(_python())} -m services.{service} worker",
            {},
            replicas,
        )
    programs[f"{CONSOLE}-web"] = (gunicorn_command(CONSOLE), {}, 1)  # the web console: no database, no events
    for name, (command, env, count) in programs.items():
        lines += [f"[program:{name}]", f"command={command}"]
        if count > 1:
            lines += [f"numprocs={count}", "process_name=%(program_name)s-%(process_num)d"]
        lines += [
            f"directory={ROOT}",
            "autostart=true",
            "autorestart=true",
            "startsecs=1",
            "startretries=100",
            "stopsignal=TERM",
            "stopwaitsecs=8",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            "stdout_logfile=/dev/stdout",
            "stdout_logfile_maxbytes=0",
        ]
        if env:
            lines.append("environment=" + ",".join(f'{k}="{v}"' for k, v in env.items()))
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    settings = load_settings("gateway")
    data_dir = settings.data_dir.resolve()
    os.environ["LEGALDUTY_DATA_DIR"] = str(data_dir)
    (data_dir / "run").mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        prom = data_dir / "prometheus" / service
        shutil.rmtree(prom, ignore_errors=True)
        prom.mkdir(parents=True)
    prepare()
    config = data_dir / "run" / "supervisord.conf"
    config.unlink(missing_ok=True)
    # owner-only from the first byte: the file holds the control socket's password
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    password = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w") as out:
        out.write(supervisor_config(data_dir, password, settings.replicas))
    print(
        f"legalduty: gateway http://{settings.bind}:{settings.ports['gateway']}/api  "
        f"(roster :{settings.ports['roster']}, subsidy :{settings.ports['subsidy']}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    supervisord = shutil.which("supervisord", path=str(Path(_python()).parent)) or "supervisord"
    sys.exit(
        supervise([supervisord, "-n", "-c", str(config)], data_dir / "run" / "supervisor.sock", password)
    )


def supervise(command: list[str], socket: Path, password: str) -> int:
    """Run supervisord until it exits; on SIGTERM or SIGINT stop every program at once, then supervisord.

    supervisord alone stops its programs one after the other (each program is a group, and it waits for one
    group to be down before it signals the next): nine programs or more, a second or two each, take longer
    than the 10 s the run command promises. Asking it first to stop all processes signals them together."""
    proc = subprocess.Popen(command)

    def stop(signum: int, _frame: Any) -> None:
        stop_all_processes(socket, password)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return proc.wait()


def stop_all_processes(socket: Path, password: str) -> None:
    """supervisorctl stop all, without waiting: every program gets its SIGTERM at once."""
    from supervisor.xmlrpc import SupervisorTransport  # type: ignore[import-untyped]

    transport = SupervisorTransport("legalduty", password, f"unix://{socket}")
    try:
        xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor.stopAllProcesses(False)
    except (OSError, xmlrpc.client.Error) as exc:  # supervisord is down or going down: it stops the rest
        print(
            f"legalduty: stopping the programs at once failed ({exc}); supervisord stops them in turn",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
