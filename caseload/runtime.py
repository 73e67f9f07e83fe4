"""Wires the parts together for one process: database, broker, actors, mailer, services."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import dramatiq
from dramatiq import Worker

from caseload import tracing
from caseload.live import LocalFanout, RedisLive
from caseload.ratelimit import make_rate_limiter
from caseload.settings import Settings
from jobs.broker import QUEUE, Actors, declare_actors, make_broker
from jobs.context import JobContext
from jobs.email.adapters import FolderMailer, Mailer, SmtpMailer
from jobs.sweep.run import Sweeper, untraced
from persistence.database import Database
from persistence.outbox import RetryPolicy
from persistence.sandbox_gateway import SandboxGateway
from resolvers.shared.auth import Tokens, use_argon2_memory
from resolvers.shared.context import Services

logger = logging.getLogger("caseload")


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url)
    return FolderMailer(settings.mail_folder)


class Runtime:
    def __init__(
        self, settings: Settings, clock: Callable[[], datetime] = utc_now, *,
        tracer_provider: Any = None,
    ) -> None:
        """`tracer_provider`: an OpenTelemetry one (tests); by default the OTEL_* variables
        make one, or tracing stays off."""
        self.settings = settings
        self.clock = clock
        self.tracer_provider = tracer_provider or (
            tracing.provider_from_env(os.environ) if settings.tracing else None)
        self.db = self._traced(Database(settings.database_url))
        self.broker: dramatiq.Broker = make_broker(settings.redis_url, settings.redis_namespace)
        if self.tracer_provider is not None:
            self.broker.add_middleware(tracing.JobTracing(self.tracer_provider))
        self.actors: Actors = declare_actors(self.broker, self.job_context)
        self.mailer = make_mailer(settings)
        self.limiter = make_rate_limiter(
            settings.redis_url, settings.redis_namespace,
            refuse_anonymous_without_redis=settings.refuse_anonymous_without_redis)
        self.live = LocalFanout()
        self.live_redis = (RedisLive(settings.redis_url, settings.redis_namespace, self.live)
                           if settings.redis_url else None)
        use_argon2_memory(settings.argon2_memory_kib)
        self.services = Services(
            db=self.db,
            clock=clock,
            tokens=Tokens(settings.secret_key, settings.token_ttl),
            public_url=settings.app_url,
            after_commit=CommitHandOver(self),
            payments=SandboxGateway(self.db, clock),
            limiter=self.limiter,
            sign_in_failures=settings.sign_in_failures,
            live=self.live,
        )
        self.worker: Worker | None = None
        self._job_context: JobContext | None = None
        self._job_lock = threading.Lock()
        # Tests switch this off to play a crash between commit and dispatch.
        self.dispatch_after_commit = True

    @property
    def embedded_broker(self) -> bool:
        return self.settings.redis_url is None

    def job_context(self) -> JobContext:
        """Jobs get their own engine: it lives on the worker's event loop, not the server's."""
        with self._job_lock:
            if self._job_context is None:
                self._job_context = JobContext(
                    db=self._traced(Database(self.settings.database_url, pool_size=4)),
                    mailer=self.mailer,
                    clock=self.clock,
                    app_url=self.settings.app_url,
                    sender=self.settings.mail_from,
                    secret_key=self.settings.secret_key,
                    publish=(self.live_redis or self.live).publish,
                )
            return self._job_context

    def _traced(self, db: Database) -> Database:
        if self.tracer_provider is not None:
            for engine in {db.write_engine, db.read_engine}:
                tracing.trace_engine(engine, self.tracer_provider)
        return db

    def send_outbox(self, ids: list[uuid.UUID]) -> None:
        self.actors.send_outbox(ids)

    def sweeper(self, db: Database | None = None) -> Sweeper:
        """The sweep's parts, on this process's engine or on `db` (another event loop's)."""
        db = db or self.db
        trace = (tracing.spans(self.tracer_provider, "caseload.sweep")
                 if self.tracer_provider is not None else untraced)
        return Sweeper(db, self.clock, self.send_outbox, SandboxGateway(db, self.clock),
                       self.outbox_policy(), trace)

    def outbox_policy(self) -> RetryPolicy:
        return RetryPolicy(self.settings.outbox_redispatch_after,
                           self.settings.outbox_max_attempts)

    def start_worker(self, threads: int = 4) -> Worker:
        self.worker = Worker(
            self.broker, queues={QUEUE}, worker_threads=threads, worker_timeout=100
        )
        self.worker.start()
        return self.worker

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def drain(self, timeout_ms: int = 30_000) -> None:
        """Wait until every message handed to the broker has been processed (tests, CLI)."""
        self.broker.join(QUEUE, timeout=timeout_ms)
        if self.worker is not None:
            self.worker.join()

    async def dispose(self) -> None:
        await self.db.dispose()
        if self._job_context is not None:
            # its engine belongs to the worker loop; pooled connections die with the process
            self._job_context = None


class CommitHandOver:
    """Right after a commit: hand its outbox rows to the broker. The commit wrote them already
    claimed by this hand-over, so it takes no second transaction. If it fails, the rows are due
    for the sweep's relay after the first wait, and the request that committed answers as
    usual."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._warned_at = -math.inf

    def claims(self) -> RetryPolicy | None:
        return self.runtime.outbox_policy() if self.runtime.dispatch_after_commit else None

    async def __call__(self, outbox_ids: list[uuid.UUID]) -> None:
        if not self.runtime.dispatch_after_commit:
            return
        try:
            await asyncio.to_thread(self.runtime.send_outbox, outbox_ids)
        except Exception as error:
            now = time.monotonic()
            if now - self._warned_at >= 60:  # once a minute, not per request
                self._warned_at = now
                logger.warning("dispatch after commit failed (%s: %s); the sweep's relay "
                               "dispatches the rows", type(error).__name__, error)
