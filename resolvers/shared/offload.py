"""CPU-bound work (Argon2 above all) runs on a small thread pool, never on the event loop,
so one request hashing a password cannot keep the server from answering the others."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

# Argon2 releases the GIL, so these threads hash in parallel; more requests than threads
# queue for one, and the loop keeps serving meanwhile.
CPU_THREADS = 4
_pool = ThreadPoolExecutor(max_workers=CPU_THREADS, thread_name_prefix="caseload-cpu")


async def off_loop(work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, partial(work, *args, **kwargs))
