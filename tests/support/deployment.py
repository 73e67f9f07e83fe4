"""A deployment of real processes for fault tests: `caseload serve`, with Redis `caseload
worker` too, on a database, a Redis namespace and an SMTP server of its own, so what the
sweep finds due and what the mailbox counts belong to the test alone."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from tests.support.databases import clear_redis, drop_database, prepare_database
from tests.support.mailbox import Mailbox, free_port

CLI = [sys.executable, "-m", "caseload.cli"]


class SlowMailbox(Mailbox):
    """An SMTP server that takes `delay` seconds to accept each message, so a worker killed
    mid-run is killed in the middle of SMTP transactions. A message whose sender died while
    waiting for the answer is still accepted, as a real server would."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)

    def copies_per_message_id(self) -> Counter[str]:
        with self._lock:
            return Counter(str(r.message["Message-ID"]) for r in self._received)

    def message_ids_to(self, address: str) -> set[str]:
        return {str(r.message["Message-ID"]) for r in self.to(address)}

    def count(self) -> int:
        with self._lock:
            return len(self._received)


@dataclass
class Deployment:
    env: dict[str, str]
    base_url: str
    port: int
    mailbox: SlowMailbox
    controller: Controller
    logs: Path
    serve: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    scheduler: subprocess.Popen[bytes] | None = None
    extra_processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def redis(self) -> bool:
        return bool(self.env.get("REDIS_URL"))

    def start_serve(self) -> None:
        self.serve = self._spawn("serve", "--port", str(self.port))
        _wait_healthy(self.serve, self.base_url)

    def start_another_serve(self) -> str:
        """One more `caseload serve` on the same database and Redis, as behind a load
        balancer; answers its address."""
        port = free_port()
        process = self._spawn("serve", "--port", str(port))
        self.extra_processes.append(process)
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(process, base_url)
        return base_url

    def start_worker(self) -> None:
        """With Redis, a `caseload worker` process; embedded, the worker lives in serve."""
        if self.redis:
            self.worker = self._spawn("worker", "--threads", "4")
        elif self.serve is None or self.serve.poll() is not None:
            self.start_serve()

    def start_scheduler(self) -> None:
        """A `caseload scheduler` process: the sweep every minute, the outbox relay between."""
        self.scheduler = self._spawn("scheduler")

    def log_lines(self, command: str, text: str) -> list[str]:
        """Lines of every log of `command` (serve, worker, …) that contain `text`."""
        return [line for path in sorted(self.logs.glob(f"{command}-*.log"))
                for line in path.read_text(errors="replace").splitlines() if text in line]

    def kill_worker(self) -> None:
        """SIGKILL, no clean stop: embedded, that is the serve process that hosts it."""
        if self.redis:
            _kill(self.worker)
        else:
            self.kill_serve()

    def kill_serve(self) -> None:
        _kill(self.serve)

    def cli(self, *args: str, timeout: float = 60) -> str:
        result = self.cli_result(*args, timeout=timeout)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def cli_result(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def settle(self, done: Any, deadline_seconds: float = 45) -> None:
        """Wait until `done()`; whenever mail stops arriving for a while, run `caseload
        sweep`, which redispatches what the broker lost with a killed process."""
        deadline = time.monotonic() + deadline_seconds
        last, quiet_since = -1, time.monotonic()
        while not done():
            assert time.monotonic() < deadline, "the deployment did not catch up in time"
            count = self.mailbox.count()
            if count != last:
                last, quiet_since = count, time.monotonic()
            elif time.monotonic() - quiet_since > 2.5:
                self.cli("sweep")
                quiet_since = time.monotonic()
            time.sleep(0.2)

    def stop(self) -> None:
        for process in (self.scheduler, self.worker, self.serve, *self.extra_processes):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{args[0]}-{time.monotonic_ns()}.log").open("wb")
        return subprocess.Popen([*CLI, *args], env=self.env, stdout=log, stderr=log)


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "caseload serve exited early"
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("caseload serve did not become healthy")


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    assert process is not None and process.poll() is None, "the process is not running"
    process.kill()
    process.wait(timeout=30)


def deploy(test_env: dict[str, str], folder: Path, name: str, delay: float) -> Deployment:
    """Migrated database, namespace and SMTP server of its own; rows a killed broker held
    are redispatched after three seconds instead of five minutes."""
    mailbox = SlowMailbox(delay)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    database_url = prepare_database(os.environ.get("DATABASE_URL"), folder, name=name)
    port = free_port()
    env = {**os.environ, **test_env, "DATABASE_URL": database_url,
           "SMTP_URL": f"smtp://127.0.0.1:{controller.port}",
           "CASELOAD_VAR_DIR": str(folder / "var"), "OUTBOX_REDISPATCH_SECONDS": "3",
           "REDIS_NAMESPACE": f"{test_env['REDIS_NAMESPACE']}-{name}"}
    env.pop("CASELOAD_SQL_COUNT", None)
    return Deployment(env, f"http://127.0.0.1:{port}", port, mailbox, controller, folder)


@contextmanager
def serving(test_env: dict[str, str], folder: Path, name: str, delay: float
            ) -> Iterator[Deployment]:
    """A deployment with `caseload serve` and `caseload worker` running, torn down after."""
    running = deploy(test_env, folder, name, delay)
    try:
        running.start_serve()
        running.start_worker()
        yield running
    finally:
        tear_down(running)


def tear_down(deployment: Deployment) -> None:
    deployment.stop()
    deployment.controller.stop()
    drop_database(deployment.env["DATABASE_URL"])
    clear_redis(deployment.env.get("REDIS_URL"), deployment.env["REDIS_NAMESPACE"])
