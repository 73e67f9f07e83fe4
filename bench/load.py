"""Concurrent clients over loopback HTTP for a set time; every loop stops by itself."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

REQUEST_TIMEOUT_S = 30.0


@dataclass
class Sample:
    """What one timed phase saw."""

    latencies_s: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    elapsed_s: float = 0.0

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies_s) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
        return ordered[index] * 1000

    def note_error(self, what: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = what[:300]


@dataclass(frozen=True)
class Target:
    base_url: str
    path: str
    body: dict[str, Any]
    token: str
    # A new body for every timed request (a mutation that must not repeat); None: `body`.
    next_body: Callable[[], dict[str, Any]] | None = None


async def fetch_once(target: Target) -> bytes:
    """One request, its body as sent back (for the same-JSON check)."""
    async with _client(target, 1) as client:
        response = await client.post(target.path, content=json.dumps(target.body))
        return response.content


async def drive(target: Target, *, concurrency: int, duration_s: float) -> Sample:
    """`concurrency` clients, each sending its next request when the last one is answered,
    until `duration_s` is up."""
    payload = json.dumps(target.body).encode()
    async with _client(target, concurrency) as client:
        return await _phase(client, target.path, payload, concurrency, duration_s,
                            target.next_body)


def _client(target: Target, concurrency: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=target.base_url,
        headers={"authorization": f"Bearer {target.token}",
                 "content-type": "application/json"},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        timeout=REQUEST_TIMEOUT_S,
    )


async def _phase(client: httpx.AsyncClient, path: str, payload: bytes, concurrency: int,
                 duration_s: float,
                 next_body: Callable[[], dict[str, Any]] | None = None) -> Sample:
    sample = Sample()
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(*(_worker(client, path, payload, deadline, sample, next_body)
                           for _ in range(concurrency)))
    sample.elapsed_s = time.perf_counter() - started
    return sample


async def _worker(client: httpx.AsyncClient, path: str, payload: bytes, deadline: float,
                  sample: Sample,
                  next_body: Callable[[], dict[str, Any]] | None = None) -> None:
    while time.perf_counter() < deadline:
        content = payload if next_body is None else json.dumps(next_body()).encode()
        sent = time.perf_counter()
        try:
            response = await client.post(path, content=content)
        except httpx.HTTPError as error:  # the server is gone or stuck: this client stops
            sample.note_error(f"{type(error).__name__}: {error}")
            return
        took = time.perf_counter() - sent
        if response.status_code != 200 or b'"errors"' in response.content:
            sample.note_error(f"HTTP {response.status_code}: {response.text}")
            continue
        sample.latencies_s.append(took)
        sample.statements.append(int(response.headers.get("x-sql-statements", "-1")))
