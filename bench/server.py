"""The server under test as a real uvicorn subprocess on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def peak_memory_kib(self) -> int | None:
        """VmHWM: the most resident memory the server process has held so far."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return None

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time the server has used so far: its process and, with
        several server processes, the workers uvicorn started under it."""
        pids = [self.process.pid, *_children(self.process.pid)]
        times = [_cpu_seconds(pid) for pid in pids]
        return None if times[0] is None else sum(t for t in times if t is not None)


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def server_env(database_url: str, var_dir: Path, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_URL")}
    env.update(
        DATABASE_URL=database_url,
        CASELOAD_SQL_COUNT="1",
        # The limiter still runs (its cost is part of the figures) but never refuses.
        RATE_LIMIT_ANONYMOUS="1000000000/60",
        RATE_LIMIT_SIGNED_IN="1000000000/60",
        RATE_LIMIT_COST="1000000000000/60",
        CASELOAD_VAR_DIR=str(var_dir),
        CASELOAD_ENV="development",
        SECRET_KEY=secret_key,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(env: dict[str, str], log: Path, processes: int = 1) -> Iterator[Server]:
    """`processes` over 1: uvicorn's workers, each a whole app, sharing the port."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "bench.app:create",
               "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    if processes > 1:
        command += ["--workers", str(processes)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(process)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited at start; its log:\n{tail(server.log)}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer /healthz in {START_TIMEOUT_S:.0f}s:\n"
                       f"{tail(server.log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
