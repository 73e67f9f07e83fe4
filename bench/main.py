"""Seed, start the server, drive each operation's GraphQL and plain variants, print a table."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from bench.database import prepare_database
from bench.load import Target, drive, fetch_once
from bench.operations import BY_NAME, OPERATIONS, Operation
from bench.report import Row, problems, render, verdict
from bench.seed import Seeded, seed
from bench.server import Server, running_server, server_env

SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { accessToken userErrors { field code message } }
}
"""


@dataclass
class Run:
    """Everything one benchmark run shares."""

    args: argparse.Namespace
    seeded: Seeded
    env: dict[str, str]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)  # email -> access token

    def token_for(self, op: Operation) -> str:
        email = op.signed_in_as(self.seeded) if op.signed_in_as else self.seeded.owner_email
        return self.tokens[email]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Time GraphQL operations against plain Starlette endpoints that read the "
                    "same rows and answer the same JSON, on a real uvicorn server.",
    )
    parser.add_argument("--clients", type=int, default=1_000,
                        help="clients to seed in the practice (default 1000)")
    parser.add_argument("--practitioners", type=int, default=5,
                        help="practitioners, the owner included (default 5)")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds timed per operation and variant (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="untimed seconds before each timing (default 1)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="concurrent clients (default 8)")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL database whose name contains 'bench' or 'test'; it "
                             "is RESET. Default: an SQLite file in a temporary folder")
    parser.add_argument("--ops", default=",".join(op.name for op in OPERATIONS),
                        help=f"comma-separated operations (default all: "
                             f"{','.join(BY_NAME)})")
    args = parser.parse_args(argv)
    unknown = [name for name in selected(args) if name not in BY_NAME]
    if unknown:
        parser.error(f"unknown operation(s) {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    if args.duration <= 0 or args.concurrency < 1 or args.practitioners < 1 or args.clients < 0:
        parser.error("--duration, --concurrency and --practitioners must be positive")
    return args


def selected(args: argparse.Namespace) -> list[str]:
    return [name.strip() for name in args.ops.split(",") if name.strip()]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="caseload-bench-") as folder:
        run = prepare(args, Path(folder))
        rows: list[Row] = []
        for name in selected(args):
            rows.extend(benchmark(run, BY_NAME[name]))
    print()
    print(render(rows))
    print(verdict(rows))
    for line in problems(rows):
        print(f"! {line}")
    return 1 if problems(rows) else 0


def prepare(args: argparse.Namespace, folder: Path) -> Run:
    started = time.perf_counter()
    url = prepare_database(args.database_url, folder)
    seeded = asyncio.run(seed(url, practitioners=args.practitioners, clients=args.clients))
    print(f"database   {describe(url)}")
    print(f"seeded     1 practice, {seeded.practitioners} practitioners, {seeded.clients} "
          f"clients in {time.perf_counter() - started:.1f}s")
    print(f"load       {args.concurrency} concurrent clients, {args.warmup:g}s warm-up + "
          f"{args.duration:g}s per variant; a fresh uvicorn process per variant")
    print(f"machine    {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          "server and clients on the same machine")
    env = server_env(url, folder / "var", secrets.token_urlsafe(48))
    run = Run(args, seeded, env, folder / "server.log")
    # Its own server: Argon2 takes 64 MiB to check a password, which would otherwise
    # show up in the first measured server's peak memory.
    with running_server(env, run.log) as server:
        for email in {seeded.owner_email, *(op.signed_in_as(seeded) for op in OPERATIONS
                                           if op.signed_in_as and not op.unavailable(seeded))}:
            run.tokens[email] = sign_in(server, email, seeded.password)
    return run


def describe(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return "SQLite file (temporary)"
    return f"PostgreSQL {parsed.host}:{parsed.port or 5432}/{parsed.database}"


def benchmark(run: Run, op: Operation) -> list[Row]:
    reason = op.unavailable(run.seeded)
    if reason:
        print(f"{op.name:<10} skipped: {reason}")
        return [Row(op.name, "-", note=reason)]
    graphql, graphql_body = measure(run, op, "graphql")
    plain, plain_body = measure(run, op, "plain")
    if plain.sample and plain.sample.requests_per_s and graphql.sample:
        graphql.ratio = graphql.sample.requests_per_s / plain.sample.requests_per_s
    graphql.same_json = (op.comparable(answer_only(graphql_body))
                         == op.comparable(answer_only(plain_body)))
    return [graphql, plain]


def answer_only(body: bytes) -> bytes:
    """The answer without its `extensions` (GraphQL reports the query cost there; the plain
    twin has nothing to report), written the same way for both variants."""
    parsed = json.loads(body)
    if isinstance(parsed, dict):
        parsed.pop("extensions", None)
    return json.dumps(parsed, ensure_ascii=False, separators=(",", ":")).encode()


def measure(run: Run, op: Operation, variant: str) -> tuple[Row, bytes]:
    """A fresh server for this variant: warm up (not recorded), then the timed run."""
    print(f"{op.name:<10} {variant:<8} ...", end="", flush=True)
    args = run.args
    with running_server(run.env, run.log) as server:
        path = "/graphql" if variant == "graphql" else op.plain_path
        target = Target(server.base_url, path, op.body(run.seeded), run.token_for(op),
                        op.next_body(run.seeded))
        body = asyncio.run(fetch_once(target))
        if args.warmup > 0:
            asyncio.run(drive(target, concurrency=args.concurrency, duration_s=args.warmup))
        cpu_before, own_before = server.cpu_seconds(), own_cpu_seconds()
        sample = asyncio.run(drive(target, concurrency=args.concurrency,
                                   duration_s=args.duration))
        cpu_after, own_after = server.cpu_seconds(), own_cpu_seconds()
        peak = server.peak_memory_kib()
    own = (own_after - own_before) / sample.elapsed_s
    print(f" {sample.requests_per_s:.0f} req/s (load generator CPU {own:.0%})")
    cpu = None if cpu_before is None or cpu_after is None else (
        (cpu_after - cpu_before) / sample.elapsed_s)
    return Row(op.name, variant, sample, peak, server_cpu=cpu), body


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sign_in(server: Server, email: str, password: str) -> str:
    """A seeded account signs in over GraphQL; every later server takes the token too
    (they share SECRET_KEY)."""
    variables = {"input": {"email": email, "password": password}}
    response = httpx.post(f"{server.base_url}/graphql", timeout=30,
                          json={"query": SIGN_IN, "variables": variables})
    payload = response.json()["data"]["signIn"]
    if not payload["accessToken"]:
        raise RuntimeError(f"{email} could not sign in: {payload['userErrors']}")
    return str(payload["accessToken"])

