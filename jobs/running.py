"""What a job runs under: its id (the Dramatiq message id) for every log line it writes, and
the worker thread's context carried onto Dramatiq's event loop, where async actors run."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
from dramatiq.asyncio import async_to_sync
from dramatiq.middleware import Middleware

current_job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_job_id", default=None)


class JobIds(Middleware):
    """Sets the job id on the worker thread for the length of each message."""

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        current_job_id.set(message.message_id)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        current_job_id.set(None)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        current_job_id.set(None)


def on_event_loop(job: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """A plain actor function that runs `job` on Dramatiq's event loop thread with this
    thread's context variables (the job id, a trace's current span): a coroutine handed to
    another thread would otherwise run without them."""

    def run(*args: Any) -> None:
        carried = contextvars.copy_context()

        async def with_context() -> None:
            for variable, value in carried.items():
                variable.set(value)  # the loop's task has a context of its own to set
            await job(*args)

        async_to_sync(with_context)()

    run.__name__ = getattr(job, "__name__", "job")
    return run


@contextmanager
def sweep_job() -> Iterator[str]:
    """A sweep is a job too: its lines carry an id of their own (one already set stays)."""
    token = current_job_id.set(current_job_id.get() or f"sweep-{uuid.uuid4().hex[:12]}")
    try:
        yield current_job_id.get() or ""
    finally:
        current_job_id.reset(token)
