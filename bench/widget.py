"""Benchmark: a booking widget's publicAvailability under load, with rate limiting on.

    python bench/widget.py [--clients N] [--duration S] [--concurrency C]
                           [--key-limit R] [--database-url URL]

Seeds the practice of bench/run.py (sessions and reserved slots included), creates a
publishable key, and on a fresh uvicorn process (the real app) times three phases, each with
`--concurrency` clients sending their next request as soon as the last is answered:

- signed-in: the owner's `availability` for a week (the reference);
- widget: the same week through `publicAvailability` with `X-Caseload-Key` and an allowed
  `Origin`: the key check, CORS and both rate limits (per key, per address) run on every
  request, with budgets it never exceeds;
- over budget: the same requests against a server whose key budget is `--key-limit` per
  minute, so nearly every request is refused with 429 (what a flood costs).

It checks that the widget answers the same times as the signed-in view.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
# The repository, not bench/ (whose caseload.py would hide the caseload package), comes first.
sys.path[0] = str(ROOT)

from bench.appointment_operations import AVAILABILITY_DOCUMENT, availability_variables  # noqa: E402
from bench.database import prepare_database  # noqa: E402
from bench.main import describe, sign_in  # noqa: E402
from bench.seed import Seeded, seed  # noqa: E402
from bench.server import Server, running_server, server_env  # noqa: E402

ORIGIN = "https://widget.bench.example"
NEVER = "1000000000/60"  # the limiter runs on every request but never refuses

PUBLIC_AVAILABILITY = """
query Week($practitionerId: ID!, $from: DateTime!, $to: DateTime!, $duration: Int!) {
  publicAvailability(practitionerId: $practitionerId, from: $from, to: $to,
                     durationMinutes: $duration) { startsAt endsAt }
}
"""

CREATE_KEY = """
mutation Key($input: CreatePublishableKeyInput!) {
  createPublishableKey(input: $input) { key userErrors { field code message } }
}
"""


@dataclass
class Phase:
    name: str
    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    statements: list[int] = field(default_factory=list)
    elapsed_s: float = 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies_s)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    def row(self) -> str:
        total = sum(self.statuses.values())
        rate = total / self.elapsed_s if self.elapsed_s else 0.0
        sql = sum(self.statements) / len(self.statements) if self.statements else float("nan")
        return (f"{self.name:<12} {rate:>9.1f} {self.percentile_ms(0.5):>8.2f} "
                f"{self.percentile_ms(0.99):>8.2f} {sql:>8.1f} {self.statuses[200]:>8} "
                f"{self.statuses[429]:>8} {total - self.statuses[200] - self.statuses[429]:>7}")


HEADER = (f"{'phase':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'SQL/req':>8} "
          f"{'200':>8} {'429':>8} {'other':>7}")


async def drive(base_url: str, headers: dict[str, str], body: dict[str, Any],
                concurrency: int, duration_s: float, name: str) -> Phase:
    phase = Phase(name)
    payload = json.dumps(body).encode()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits,
                                 timeout=30) as client:
        started = time.perf_counter()
        deadline = started + duration_s

        async def worker() -> None:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                response = await client.post("/graphql", content=payload)
                phase.latencies_s.append(time.perf_counter() - sent)
                phase.statuses[response.status_code] += 1
                phase.statements.append(int(response.headers.get("x-sql-statements", "0")))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        phase.elapsed_s = time.perf_counter() - started
    return phase


def create_key(server: Server, token: str) -> str:
    response = httpx.post(f"{server.base_url}/graphql", timeout=30, headers={
        "Authorization": f"Bearer {token}"}, json={"query": CREATE_KEY, "variables": {
            "input": {"name": "Bench", "allowedOrigins": [ORIGIN]}}})
    payload = response.json()["data"]["createPublishableKey"]
    if payload["userErrors"]:
        raise RuntimeError(f"could not create a key: {payload['userErrors']}")
    return str(payload["key"])


def measure(args: argparse.Namespace, env: dict[str, str], log: Path, seeded: Seeded,
            key_limit: str) -> tuple[list[Phase], bool]:
    env = {**env, "RATE_LIMIT_PUBLISHABLE_KEY": key_limit}
    variables = availability_variables(seeded)
    signed_in_body = {"query": AVAILABILITY_DOCUMENT, "variables": variables}
    public_body = {"query": PUBLIC_AVAILABILITY, "variables": variables}
    with running_server(env, log) as server:
        token = sign_in(server, seeded)
        key = create_key(server, token)
        owner = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        widget = {"X-Caseload-Key": key, "Origin": ORIGIN, "Content-Type": "application/json"}
        same = _times(server, owner, signed_in_body, "availability") == _times(
            server, widget, public_body, "publicAvailability")
        phases = []
        plan = [("signed-in", owner, signed_in_body), ("widget", widget, public_body)]
        if key_limit != NEVER:
            plan = [("over budget", widget, public_body)]
        for name, headers, body in plan:
            asyncio.run(drive(server.base_url, headers, body, args.concurrency, args.warmup,
                              name))
            phases.append(asyncio.run(drive(server.base_url, headers, body,
                                            args.concurrency, args.duration, name)))
    return phases, same


def _times(server: Server, headers: dict[str, str], body: dict[str, Any], field: str) -> Any:
    answer = httpx.post(f"{server.base_url}/graphql", headers=headers, json=body, timeout=30)
    return answer.json()["data"][field]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/widget.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--practitioners", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--key-limit", type=int, default=100,
                        help="the key's budget per minute in the over-budget phase")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="caseload-bench-widget-") as folder:
        url = prepare_database(args.database_url, Path(folder))
        seeded = asyncio.run(seed(url, practitioners=args.practitioners, clients=args.clients))
        print(f"database   {describe(url)}; {seeded.clients} clients, "
              f"{seeded.practitioners} practitioners; {args.concurrency} concurrent clients, "
              f"{args.warmup:g}s warm-up + {args.duration:g}s per phase")
        env = server_env(url, Path(folder) / "var", secrets.token_urlsafe(48))
        env["RATE_LIMIT_ANONYMOUS"] = NEVER
        log = Path(folder) / "server.log"
        within, same = measure(args, env, log, seeded, NEVER)
        over, _ = measure(args, env, log, seeded, f"{args.key_limit}/60")
    print()
    print(HEADER)
    for phase in [*within, *over]:
        print(phase.row())
    print(f"\nwidget answers the same times as the signed-in view: {'yes' if same else 'NO'}")
    widget = within[1]
    failed = not same or sum(widget.statuses.values()) != widget.statuses[200]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
