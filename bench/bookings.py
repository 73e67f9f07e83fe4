"""Benchmark: bookSession under bursts, on a real uvicorn server.

    python bench/bookings.py [--contested 50] [--distinct 200] [--concurrency 50]
                             [--processes 1] [--warmup 20] [--clients 1000]
                             [--database-url URL]

Two runs, each on a fresh server, signed in as the owner:

- contested: `--contested` bookings of one and the same slot, all sent at once, each for
  another relationship of the same practitioner. Exactly one may succeed; the rest must
  answer SLOT_UNAVAILABLE. Prints the latency of the answers (p50, p99, max).
- distinct: `--distinct` bookings of distinct free slots, `--concurrency` in flight at once,
  spread over the seeded practitioners. All must succeed. Prints bookings per second and the
  latency of the answers.

Each fresh server first answers `--warmup` bookings of slots weeks away, so the runs measure
a running server (its statements compiled, its pools filled), not one's first requests.
`--processes N` runs N uvicorn workers on one port, as a deployment on N cores would.

Each run ends with one line saying whether the goal holds (contested: one success and p99
under 150 ms; distinct: at least 100 bookings/s).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository, not bench/ (whose caseload.py would hide the caseload package), comes first.
sys.path[0] = str(ROOT)

import httpx  # noqa: E402

from bench.appointment_operations import BOOK_DOCUMENT, _booking  # noqa: E402
from bench.database import prepare_database  # noqa: E402
from bench.main import describe, sign_in  # noqa: E402
from bench.seed import seed  # noqa: E402
from bench.seed_appointments import SeededAppointments  # noqa: E402
from bench.server import running_server, server_env  # noqa: E402

CONTESTED_P99_MS = 150.0
DISTINCT_PER_S = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/bookings.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contested", type=int, default=50,
                        help="bookings of one slot sent at once (default 50)")
    parser.add_argument("--distinct", type=int, default=200,
                        help="bookings of distinct slots (default 200)")
    parser.add_argument("--concurrency", type=int, default=50,
                        help="distinct bookings in flight at once (default 50)")
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes sharing the port (uvicorn workers; default 1)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="bookings of other slots each fresh server answers first, so the "
                             "bursts meet a running server, not a cold one (default 20)")
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--practitioners", type=int, default=5)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL (a database named *bench* or *test*); default SQLite")
    return parser.parse_args()


async def _send(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, str]:
    """One booking: its latency in ms and its outcome (OK or the first error code)."""
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": BOOK_DOCUMENT, **body})
    elapsed = (time.perf_counter() - started) * 1000
    payload = response.json()
    if payload.get("errors"):
        return elapsed, str(payload["errors"][0].get("extensions", {}).get("code"))
    errors = payload["data"]["bookSession"]["userErrors"]
    return elapsed, errors[0]["code"] if errors else "OK"


def _latency(ms: list[float]) -> str:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (f"p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms, "
            f"max {ordered[-1]:.0f} ms")


async def contested(base_url: str, token: str, slots: SeededAppointments, n: int) -> bool:
    lanes = [r for lane in slots.lanes[:1] for r in lane]
    bodies = [{"variables": _booking((lanes[i % len(lanes)],), 0,
                                     slots.book_from + _week())} for i in range(n)]
    async with _client(base_url, token, n) as client:
        results = await asyncio.gather(*(_send(client, body) for body in bodies))
    outcomes = Counter(code for _, code in results)
    p99 = sorted(ms for ms, _ in results)[min(n - 1, round(0.99 * (n - 1)))]
    print(f"contested  {n} bookings of one slot: {dict(outcomes)}; "
          f"{_latency([ms for ms, _ in results])}")
    holds = outcomes.get("OK") == 1 and outcomes.get("SLOT_UNAVAILABLE") == n - 1
    holds = holds and p99 < CONTESTED_P99_MS
    print(f"contested  {'meets' if holds else 'misses'} the goal "
          f"(one success, the rest SLOT_UNAVAILABLE, p99 under {CONTESTED_P99_MS:.0f} ms)")
    return holds


async def distinct(base_url: str, token: str, slots: SeededAppointments, n: int,
                   concurrency: int) -> bool:
    bodies = _free_slots(slots, n, weeks_ahead=2)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    results: list[tuple[float, str]] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            results.append(await _send(client, queue.get_nowait()))

    async with _client(base_url, token, concurrency) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    outcomes = Counter(code for _, code in results)
    rate = outcomes.get("OK", 0) / elapsed
    print(f"distinct   {n} bookings of free slots, {concurrency} at once: {dict(outcomes)}; "
          f"{rate:.0f} bookings/s; {_latency([ms for ms, _ in results])}")
    holds = outcomes.get("OK") == n and rate >= DISTINCT_PER_S
    print(f"distinct   {'meets' if holds else 'misses'} the goal "
          f"(all booked, at least {DISTINCT_PER_S:.0f} bookings/s)")
    return holds


async def warm_up(base_url: str, token: str, slots: SeededAppointments, n: int,
                  weeks_ahead: int) -> None:
    """`n` bookings of free slots weeks after the measured ones, a few at a time (with
    several processes, each is likely to answer some)."""
    bodies = _free_slots(slots, n, weeks_ahead)
    async with _client(base_url, token, 4) as client:
        for start in range(0, n, 4):
            await asyncio.gather(*(_send(client, body) for body in bodies[start:start + 4]))


def _free_slots(slots: SeededAppointments, n: int, weeks_ahead: int) -> list[dict[str, Any]]:
    """`n` bookings of distinct free slots from `weeks_ahead` weeks after the first bookable
    day, spread over the practitioners' lanes an hour apart."""
    lanes = slots.lanes
    return [{"variables": _booking(lanes[i % len(lanes)], i // len(lanes),
                                   slots.book_from + _week() * weeks_ahead
                                   + _hour() * (i // len(lanes)))} for i in range(n)]


def _week() -> Any:
    from datetime import timedelta
    return timedelta(weeks=1)


def _hour() -> Any:
    from datetime import timedelta
    return timedelta(hours=1)


def _client(base_url: str, token: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url, timeout=60,
        headers={"authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="caseload-bookings-") as folder:
        url = prepare_database(args.database_url, Path(folder))
        seeded = asyncio.run(seed(url, practitioners=args.practitioners, clients=args.clients))
        slots = seeded.appointments
        if not isinstance(slots, SeededAppointments):
            raise SystemExit("no relationships to book for (seed some clients)")
        print(f"database   {describe(url)}; {seeded.clients} clients, "
              f"{seeded.practitioners} practitioners")
        env = server_env(url, Path(folder) / "var", secrets.token_urlsafe(48))
        log = Path(folder) / "server.log"
        print(f"server     {args.processes} process(es); {args.warmup} warm-up bookings first")
        with running_server(env, log, args.processes) as server:
            token = sign_in(server, seeded.owner_email, seeded.password)
            asyncio.run(warm_up(server.base_url, token, slots, args.warmup, 8))
            ok = asyncio.run(contested(server.base_url, token, slots, args.contested))
        with running_server(env, log, args.processes) as server:
            asyncio.run(warm_up(server.base_url, token, slots, args.warmup, 12))
            cpu, started = server.cpu_seconds(), time.perf_counter()
            ok = asyncio.run(distinct(server.base_url, token, slots, args.distinct,
                                      args.concurrency)) and ok
            if cpu is not None and (after := server.cpu_seconds()) is not None:
                print(f"distinct   server CPU {(after - cpu) / (time.perf_counter() - started):.0%}"
                      " of one core while it ran")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
