"""Where a request's time goes, by layer: the real app in process under cProfile.

    python bench/profile_request.py [--op clients] [--requests 200] [--variant graphql|plain]
                                    [--clients 1000] [--database-url URL] [--top 25]

It seeds the same practice as bench/run.py, starts the real app (bench.app:create, with its
lifespan) in this process and sends `--requests` requests one after another through an ASGI
transport (no sockets: only the server's own work is measured). It prints:

- the CPU time a request costs, GraphQL beside its plain twin (process time, which stays
  steady whatever else the machine runs);
- then, profiled, the self time per request of each layer (our packages, Strawberry,
  graphql-core, SQLAlchemy, the database driver, Starlette, the rest);
- the time spent in garbage collection, by generation;
- the functions with the most self time.

`--variant plain` profiles the plain twin instead, for the same operation.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository, not bench/ (whose caseload.py would hide the caseload package), comes first.
sys.path[0] = str(ROOT)

import httpx  # noqa: E402

from bench.database import prepare_database  # noqa: E402
from bench.operations import BY_NAME  # noqa: E402
from bench.seed import seed  # noqa: E402
from bench.server import server_env  # noqa: E402

# First match wins: a path fragment, and the layer it belongs to.
LAYERS = [
    (f"{ROOT}/schema/", "caseload: schema"),
    (f"{ROOT}/resolvers/", "caseload: resolvers"),
    (f"{ROOT}/domain/", "caseload: domain"),
    (f"{ROOT}/persistence/", "caseload: persistence"),
    (f"{ROOT}/caseload/", "caseload: edge and app"),
    (f"{ROOT}/jobs/", "caseload: jobs"),
    (f"{ROOT}/bench/", "bench (plain twin)"),
    ("/strawberry/", "strawberry"),
    ("/graphql/", "graphql-core"),
    ("/sqlalchemy/", "sqlalchemy"),
    ("/aiosqlite/", "database driver"),
    ("/asyncpg/", "database driver"),
    ("sqlite3", "database driver"),
    ("/starlette/", "starlette"),
    ("/httpx/", "load (httpx client)"),
    ("/anyio/", "asyncio and anyio"),
    ("/asyncio/", "asyncio and anyio"),
    ("/json/", "json"),
    ("/jwt/", "jwt"),
]
SIGN_IN = """mutation S($input: SignInInput!) { signIn(input: $input) { accessToken } }"""


def layer_of(filename: str, function: str) -> str:
    if filename == "~":
        # builtins: attribute them by name where it says something
        return "database driver" if "sqlite3" in function else "builtins (C)"
    for fragment, layer in LAYERS:
        if fragment in filename:
            return layer
    return "other Python"


class GcClock:
    """Time spent in each generation's collections, from gc.callbacks."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = defaultdict(float)
        self.counts: dict[int, int] = defaultdict(int)
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._started
            self.counts[info["generation"]] += 1

    def summary(self, requests: int) -> str:
        return (f"{sum(self.seconds.values()) / requests * 1000:.2f} ms/request "
                + ", ".join(f"gen {g}: {self.counts[g]} runs {self.seconds[g] * 1000:.0f} ms"
                            for g in sorted(self.seconds)))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/profile_request.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--op", default="clients", choices=sorted(BY_NAME),
                        help="the operation to profile (default clients)")
    parser.add_argument("--variant", default="graphql", choices=("graphql", "plain"))
    parser.add_argument("--requests", type=int, default=200,
                        help="requests profiled, after 20 unprofiled ones (default 200)")
    parser.add_argument("--clients", type=int, default=1_000,
                        help="clients to seed (default 1000)")
    parser.add_argument("--practitioners", type=int, default=5)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL (a database named *bench* or *test*); default SQLite")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    parser.add_argument("--sampled", action="store_true",
                        help="only send `--requests` of `--variant`, unprofiled, for a sampling "
                             "profiler run around this command (py-spy record -- python ...)")
    parser.add_argument("--dump", type=Path, default=None,
                        help="also write the raw profile here (for pstats or snakeviz)")
    return parser.parse_args()


async def profile(args: argparse.Namespace, url: str, folder: Path) -> None:
    seeded = await seed(url, practitioners=args.practitioners, clients=args.clients)
    op = BY_NAME[args.op]
    reason = op.unavailable(seeded)
    if reason:
        raise SystemExit(f"{args.op}: {reason}")
    os.environ.update(server_env(url, folder / "var", secrets.token_urlsafe(48)))
    from bench.app import create

    app = create()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await _measure(args, client, seeded, op)


async def _measure(args: argparse.Namespace, client: httpx.AsyncClient, seeded: Any,
                   op: Any) -> None:
    email = op.signed_in_as(seeded) if op.signed_in_as else seeded.owner_email
    signed_in = await client.post("/graphql", json={"query": SIGN_IN, "variables": {
        "input": {"email": email, "password": seeded.password}}})
    token = signed_in.json()["data"]["signIn"]["accessToken"]
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    next_body = op.next_body(seeded)

    async def one(variant: str) -> None:
        body = next_body() if next_body else op.body(seeded)
        path = "/graphql" if variant == "graphql" else op.plain_path
        response = await client.post(path, content=json.dumps(body), headers=headers)
        if response.status_code != 200 or b'"errors"' in response.content:
            raise SystemExit(f"{args.op}: {response.status_code} {response.text[:300]}")

    if args.sampled:
        clock = GcClock()
        gc.callbacks.append(clock)
        started = time.process_time()
        for _ in range(args.requests):
            await one(args.variant)
        cpu_ms = (time.process_time() - started) / args.requests * 1000
        gc.callbacks.remove(clock)
        print(f"{args.op} ({args.variant}): CPU per request {cpu_ms:.2f} ms; garbage "
              f"collection {clock.summary(args.requests)}")
        return
    cpu = {}
    for variant in ("graphql", "plain"):
        for _ in range(20):
            await one(variant)
        started = time.process_time()
        for _ in range(args.requests):
            await one(variant)
        cpu[variant] = (time.process_time() - started) / args.requests
    print(f"{args.op}: CPU per request (this process, unprofiled, {args.requests} requests): "
          f"graphql {cpu['graphql'] * 1000:.2f} ms, plain {cpu['plain'] * 1000:.2f} ms, "
          f"plain/graphql {cpu['plain'] / cpu['graphql']:.2f}x")
    clock = GcClock()
    gc.callbacks.append(clock)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        await one(args.variant)
    profiler.disable()
    wall = time.perf_counter() - started
    gc.callbacks.remove(clock)
    if args.dump:
        profiler.dump_stats(args.dump)
    report(args, profiler, clock, wall)


def report(args: argparse.Namespace, profiler: cProfile.Profile, clock: GcClock,
           wall: float) -> None:
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_layer: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_layer[layer_of(filename, function)] += tottime
    n = args.requests
    total = sum(by_layer.values())
    print(f"{args.op} ({args.variant}): {n} requests, {wall / n * 1000:.2f} ms wall each "
          f"(profiled, so slower than unprofiled), {total / n * 1000:.2f} ms of self time")
    print(f"\n{'layer':28} {'ms/request':>10} {'share':>6}")
    for layer, seconds in sorted(by_layer.items(), key=lambda kv: -kv[1]):
        print(f"{layer:28} {seconds / n * 1000:10.2f} {seconds / total:6.1%}")
    print(f"\ngarbage collection: {clock.summary(n)}")
    print(f"\ntop {args.top} functions by self time (ms/request, calls/request):")
    rows = sorted(raw.items(), key=lambda kv: -kv[1][2])[:args.top]
    for (filename, line, function), (_cc, calls, tottime, _ct, _callers) in rows:
        where = filename.replace(str(ROOT) + "/", "")
        where = where.split("site-packages/")[-1]
        print(f"  {tottime / n * 1000:7.3f}  {calls / n:7.1f}  {function} ({where}:{line})")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="caseload-profile-") as folder:
        url = prepare_database(args.database_url, Path(folder))  # runs its own loop
        asyncio.run(profile(args, url, Path(folder)))


if __name__ == "__main__":
    main()
