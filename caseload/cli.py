"""`caseload`: serve, worker, scheduler, sweep, outbox, migrate, export-schema, demo."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from importlib import metadata
from typing import TYPE_CHECKING

from caseload.settings import Settings, SettingsError, log_format

if TYPE_CHECKING:
    from caseload.runtime import Runtime


def _settings() -> Settings:
    try:
        settings = Settings.from_env()
        settings.make_folders()
        return settings
    except SettingsError as error:
        print(f"caseload: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _describe(settings: Settings) -> None:
    print(f"  database: {_redact(settings.database_url)}")
    print(f"  broker:   {_redact(settings.redis_url) if settings.redis_url else 'in-process'}")
    email = _redact(settings.smtp_url) if settings.smtp_url else f"folder {settings.mail_folder}"
    print(f"  email:    {email}")


def where_to_open(settings: Settings, host: str, port: int) -> list[str]:
    """What `caseload serve` offers a browser, at the address it listens on."""
    from urllib.parse import urlsplit

    from caseload.demo_widget import demo_widget_url

    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{shown}:{port}"
    graphiql = f"{base}/graphql" if settings.graphiql else "off (CASELOAD_GRAPHIQL=1 turns it on)"
    pages = (f"{base}/  (clients sign in; the links in emails open here)"
             if settings.client_pages else
             f"not served: the links in emails go to {settings.app_url}, a front end of its own")
    widget = demo_widget_url(settings.var_dir)
    if widget:
        parts = urlsplit(widget)
        widget = f"{base}{parts.path}?{parts.query}  (book as a guest, card tok_visa)"
    return ["Open in a browser:",
            f"  GraphiQL:     {graphiql}",
            f"  client pages: {pages}",
            f"  demo widget:  {widget or 'run `caseload demo` first, once'}"]


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from caseload.app import create_app
    from persistence.migrate import upgrade

    settings = _settings()
    if settings.embedded_database:
        upgrade(settings.database_url)  # the embedded database keeps itself up to date
    print(f"Caseload serving GraphQL at http://{args.host}:{args.port}/graphql"
          + (" (GraphiQL in the browser)" if settings.graphiql else ""))
    _describe(settings)
    print("\n".join(where_to_open(settings, args.host, args.port)))
    # uvicorn's own proxy headers trust any X-Forwarded-For from loopback; the app reads
    # them from TRUSTED_PROXIES only.
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info",
                proxy_headers=False, log_config=None)  # its lines go through ours
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def cmd_worker(args: argparse.Namespace) -> int:
    from caseload.runtime import Runtime

    settings = _settings()
    if not settings.redis_url:
        print("caseload worker: REDIS_URL is not set. Without Redis the worker runs inside "
              "`caseload serve`; set REDIS_URL to run workers on their own.", file=sys.stderr)
        return 2
    runtime = Runtime(settings)
    _serve_metrics(args)
    runtime.start_worker(threads=args.threads)
    print(f"Caseload worker with {args.threads} threads on {_redact(settings.redis_url)}; "
          "Ctrl+C stops it.")
    _wait_for_signal()
    runtime.stop_worker()
    return 0


def _serve_metrics(args: argparse.Namespace) -> None:
    """A worker's or scheduler's own metrics (jobs, sweep steps), for Prometheus to scrape;
    `caseload serve` has /metrics instead."""
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host)
        print(f"  metrics:  http://{args.metrics_host}:{args.metrics_port}/metrics")


def cmd_scheduler(args: argparse.Namespace) -> int:
    from caseload.runtime import Runtime
    from jobs.scheduler import run_scheduler

    settings = _settings()
    runtime = Runtime(settings)
    _serve_metrics(args)
    if runtime.embedded_broker:
        runtime.start_worker()  # the in-process broker needs a worker in this process

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print("Caseload scheduler: sweeping every minute; Ctrl+C stops it.")
        await run_scheduler(runtime.sweeper(), stop)
        await runtime.dispose()

    asyncio.run(main())
    runtime.stop_worker()
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from caseload.runtime import Runtime

    settings = _settings()
    runtime = Runtime(settings)
    if args.dry_run:
        return asyncio.run(_dry_run(runtime))
    if runtime.embedded_broker:
        runtime.start_worker()
    asyncio.run(_sweep_now(runtime))
    if runtime.embedded_broker:
        runtime.drain()
        runtime.stop_worker()
    return 0


async def _sweep_now(runtime: Runtime) -> None:
    from jobs.scheduler import sweep_once

    report = await sweep_once(runtime.sweeper())
    if report is None:
        print("Another sweep is running; waiting for it to finish.", flush=True)
        report = await sweep_once(runtime.sweeper(), wait=True)
    await runtime.dispose()
    print(f"Sweep done: {report}")


async def _dry_run(runtime: Runtime) -> int:
    from jobs.sweep.run import due_now

    report = await due_now(runtime.sweeper())
    await runtime.dispose()
    print(f"Due now (dry run, nothing done): {report}")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from caseload.runtime import Runtime

    runtime = Runtime(_settings())
    if args.action == "list":
        return asyncio.run(_outbox_list(runtime, args.limit))
    if bool(args.ids) == args.all:
        print("caseload outbox retry: give row ids or --all (not both)", file=sys.stderr)
        return 2
    if runtime.embedded_broker:
        runtime.start_worker()
    retried = asyncio.run(_outbox_retry(runtime, None if args.all else args.ids))
    if runtime.embedded_broker:
        runtime.drain()
        runtime.stop_worker()
    return 0 if retried or args.all else 1


async def _outbox_list(runtime: Runtime, limit: int) -> int:
    from persistence import outbox

    now = runtime.clock()
    async with runtime.db.reading() as tx:
        state = await outbox.health(tx, now, runtime.outbox_policy())
        rows = await outbox.given_up(tx, now, runtime.outbox_policy(), limit=limit)
    await runtime.dispose()
    oldest = ("" if state.oldest_waiting_seconds is None
              else f", the oldest for {state.oldest_waiting_seconds:.0f}s")
    print(f"Outbox: {state.waiting} waiting for delivery{oldest}; {state.given_up} given up "
          f"after {runtime.settings.outbox_max_attempts} attempts.")
    for row in rows:
        error = (row.last_error or "no error recorded").splitlines()[0][:160]
        print(f"{row.id}  {row.kind}  created {row.created_at:%Y-%m-%d %H:%M:%S}  "
              f"attempts {row.attempts}  {error}")
    return 0


async def _outbox_retry(runtime: Runtime, ids: list[str] | None) -> int:
    import uuid

    from jobs.relay import relay
    from persistence import outbox

    try:
        wanted = None if ids is None else [uuid.UUID(i) for i in ids]
    except ValueError as error:
        print(f"caseload outbox retry: not a row id ({error})", file=sys.stderr)
        return 0
    now = runtime.clock()
    async with runtime.db.new_write_tx() as tx, tx.begin():
        reset = await outbox.reset(tx, now, runtime.outbox_policy(), ids=wanted)
    sent = await relay(runtime.db, now, runtime.send_outbox, runtime.outbox_policy(),
                       ids=reset) if reset else 0
    await runtime.dispose()
    missing = len(wanted or []) - len(reset)
    print(f"Outbox: {sent} row(s) handed to the broker again"
          + (f"; {missing} id(s) not found or already delivered" if missing > 0 else "") + ".")
    return len(reset)


def cmd_migrate(_: argparse.Namespace) -> int:
    from persistence.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print(f"Database is up to date: {_redact(settings.database_url)}")
    return 0


def cmd_export_schema(_: argparse.Namespace) -> int:
    from schema.build import create_schema

    print(create_schema().as_str())
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from caseload.demo import load_demo

    settings = _settings()
    return asyncio.run(load_demo(settings))


COMMANDS: dict[str, tuple[str, str]] = {
    # name: (one line for `caseload --help`, what `caseload NAME --help` says)
    "serve": ("run the API (GraphiQL at /graphql)",
              "Run the GraphQL API over HTTP, GraphiQL at /graphql in development. On the "
              "embedded SQLite database it applies migrations first; without REDIS_URL it also "
              "runs the job worker and the every-minute sweep in this process."),
    "worker": ("process background jobs from Redis",
               "Process background jobs (email, charges after a change) from Redis. Needs "
               "REDIS_URL; run as many as you like."),
    "scheduler": ("run the sweep every minute (never two sweeps at once)",
                  "Run the sweep every minute: unconfirmed guest bookings released, refunds "
                  "retried, charges inside the notice window, automatic cancellations, "
                  "reminders, monthly invoices, undelivered email handed over again; and "
                  "between sweeps, every 10 seconds, the outbox relay alone. A minute that "
                  "finds a sweep still running is skipped."),
    "sweep": ("run the due work once and exit (waits for a running sweep to end)",
              "Run the due work once, now, and say what was done. Waits for a sweep that is "
              "already running to finish first."),
    "outbox": ("list the emails and jobs given up on, and retry them",
               "The outbox holds each email and job until it is delivered. A row is handed to "
               "the broker again OUTBOX_REDISPATCH_SECONDS after a hand-over that did not "
               "deliver it, the wait doubling each time (at most an hour); after "
               "OUTBOX_MAX_ATTEMPTS it is given up, but kept. `list` counts what waits and "
               "lists the rows given up; `retry` gives rows their attempts back and hands "
               "them over now."),
    "migrate": ("apply database migrations",
                "Apply the Alembic migrations to DATABASE_URL (run it before serve on "
                "PostgreSQL; the embedded database migrates itself)."),
    "export-schema": ("print the GraphQL schema (SDL)",
                      "Print the served GraphQL schema as SDL on standard output."),
    "demo": ("load a demo practice and print how to sign in (safe to repeat)",
             "Load a demo practice (practitioners, clients, sessions, groups, links, a "
             "booking widget key) and print how to sign in. Running it again changes nothing."),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseload",
        description="Caseload: the GraphQL back end of a practice-management and booking "
        "platform. Settings come from the environment (DATABASE_URL, REDIS_URL, SMTP_URL, "
        "SECRET_KEY, CASELOAD_ENV); unset, everything runs embedded under ./var/.",
    )
    parser.add_argument("--version", action="version", version=f"caseload {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        summary, description = COMMANDS[name]
        return commands.add_parser(name, help=summary, description=description,
                                   formatter_class=argparse.ArgumentDefaultsHelpFormatter)

    serve = command("serve")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.set_defaults(run=cmd_serve)
    worker = command("worker")
    worker.add_argument("--threads", type=int, default=8, help="worker threads")
    worker.set_defaults(run=cmd_worker)
    scheduler = command("scheduler")
    scheduler.set_defaults(run=cmd_scheduler)
    for parser_ in (worker, scheduler):
        parser_.add_argument("--metrics-port", type=int, default=0,
                             help="serve Prometheus metrics on this port (0: none)")
        parser_.add_argument("--metrics-host", default="127.0.0.1",
                             help="address the metrics port listens on")
    sweep = command("sweep")
    sweep.add_argument("--dry-run", action="store_true",
                       help="print what is due now without doing any of it")
    sweep.set_defaults(run=cmd_sweep)
    outbox_command = command("outbox")
    actions = outbox_command.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="count what waits; list the rows given up, oldest first",
        description="Count the rows waiting for delivery (and the oldest one's age), and list "
        "the rows given up: id, kind, when written, attempts, last error.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    listing.add_argument("--limit", type=int, default=100, help="rows to list at most")
    retry = actions.add_parser(
        "retry", help="hand rows over again with their attempts back (ids, or --all)",
        description="Give rows their attempts back and hand them to the broker now: the "
        "rows named (any undelivered row), or with --all every row given up.")
    retry.add_argument("ids", nargs="*", metavar="ID", help="outbox row ids (from `list`)")
    retry.add_argument("--all", action="store_true", help="every row given up")
    outbox_command.set_defaults(run=cmd_outbox)
    command("migrate").set_defaults(run=cmd_migrate)
    command("export-schema").set_defaults(run=cmd_export_schema)
    command("demo").set_defaults(run=cmd_demo)
    return parser


def _version() -> str:
    try:
        return metadata.version("caseload")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    from caseload.logs import configure_logging

    try:
        configure_logging(log_format())
    except SettingsError as error:
        print(f"caseload: {error}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
