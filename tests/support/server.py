"""The app under test: a real uvicorn server on a loopback port, in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn

from caseload.app import create_app
from caseload.runtime import Runtime
from caseload.settings import Settings
from tests.support.clock import TestClock
from tests.support.mailbox import free_port


@dataclass
class RunningServer:
    base_url: str
    runtime: Runtime
    clock: TestClock
    server: uvicorn.Server
    thread: threading.Thread

    def drain(self) -> None:
        """Wait until the broker has no message left, so 'no email' means none will come."""
        self.runtime.drain()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(
    settings: Settings, clock: TestClock, *, jobs: bool = True, tracer_provider: Any = None
) -> RunningServer:
    """`jobs=False` for a second server in the process: Dramatiq's asyncio event loop thread
    is process-wide, and a second worker stopping would take it from the first."""
    runtime = Runtime(settings, clock=clock, tracer_provider=tracer_provider)
    app = create_app(settings, runtime=runtime, run_jobs_in_process=jobs,
                     run_scheduler_in_process=False)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                       proxy_headers=False)  # as `caseload serve`: TRUSTED_PROXIES decides
    )
    thread = threading.Thread(target=server.run, name="caseload-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    return RunningServer(f"http://127.0.0.1:{port}", runtime, clock, server, thread)
