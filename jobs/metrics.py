"""Job and sweep metrics (Prometheus): counted in the process that does the work, exposed
by /metrics (serve) or `--metrics-port` (worker, scheduler)."""

from __future__ import annotations

import threading
import time
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware
from prometheus_client import Counter, Histogram

JOBS_PROCESSED = Counter(
    "caseload_jobs_processed_total", "Job runs that ended, successful or not, by actor",
    ["actor"])
JOBS_FAILED = Counter(
    "caseload_jobs_failed_total", "Job runs that raised (Dramatiq retries them), by actor",
    ["actor"])
JOB_SECONDS = Histogram(
    "caseload_job_duration_seconds", "How long one job run took, by actor", ["actor"])
SWEEP_STEP_SECONDS = Histogram(
    "caseload_sweep_step_duration_seconds", "How long each step of a sweep took", ["step"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))


class JobMetrics(Middleware):
    """Counts each job run by actor; a worker thread runs one message at a time."""

    def __init__(self) -> None:
        self._started = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._started.at = time.perf_counter()

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        actor = message.actor_name
        JOBS_PROCESSED.labels(actor).inc()
        if exception is not None:
            JOBS_FAILED.labels(actor).inc()
        started = getattr(self._started, "at", None)
        if started is not None:
            JOB_SECONDS.labels(actor).observe(time.perf_counter() - started)
