"""`caseload`: serve, worker, scheduler, sweep, migrate, export-schema, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import threading

from caseload.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"caseload: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _describe(settings: Settings) -> None:
    print(f"  database: {_redact(settings.database_url)}")
    print(f"  broker:   {_redact(settings.redis_url) if settings.redis_url else 'in-process'}")
    email = _redact(settings.smtp_url) if settings.smtp_url else f"folder {settings.mail_folder}"
    print(f"  email:    {email}")


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
    # uvicorn's own proxy headers trust any X-Forwarded-For from loopback; the app reads
    # them from TRUSTED_PROXIES only.
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info",
                proxy_headers=False)
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
    runtime.start_worker(threads=args.threads)
    print(f"Caseload worker with {args.threads} threads on {_redact(settings.redis_url)}; "
          "Ctrl+C stops it.")
    _wait_for_signal()
    runtime.stop_worker()
    return 0


def cmd_scheduler(_: argparse.Namespace) -> int:
    from caseload.runtime import Runtime
    from jobs.scheduler import run_scheduler

    settings = _settings()
    runtime = Runtime(settings)
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


def cmd_sweep(_: argparse.Namespace) -> int:
    from caseload.runtime import Runtime
    from jobs.scheduler import sweep_once

    settings = _settings()
    runtime = Runtime(settings)
    if runtime.embedded_broker:
        runtime.start_worker()

    async def main() -> int:
        report = await sweep_once(runtime.sweeper())
        await runtime.dispose()
        if report is None:
            print("Another scheduler is sweeping right now; nothing done.")
            return 0
        print(f"Sweep done: {report}")
        return 0

    code = asyncio.run(main())
    if runtime.embedded_broker:
        runtime.drain()
        runtime.stop_worker()
    return code


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseload",
        description="Caseload: the GraphQL back end of a practice-management and booking "
        "platform. Settings come from the environment (DATABASE_URL, REDIS_URL, SMTP_URL, "
        "SECRET_KEY, CASELOAD_ENV); unset, everything runs embedded under ./var/.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the API (GraphiQL at /graphql)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.set_defaults(run=cmd_serve)
    worker = commands.add_parser("worker", help="process background jobs from Redis")
    worker.add_argument("--threads", type=int, default=8, help="worker threads")
    worker.set_defaults(run=cmd_worker)
    commands.add_parser(
        "scheduler", help="run the sweep every minute (a second one waits harmlessly)"
    ).set_defaults(run=cmd_scheduler)
    commands.add_parser("sweep", help="run the due work once and exit").set_defaults(
        run=cmd_sweep
    )
    commands.add_parser("migrate", help="apply database migrations").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)").set_defaults(
        run=cmd_export_schema
    )
    commands.add_parser(
        "demo", help="load a demo practice and print how to sign in (safe to repeat)"
    ).set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("dramatiq", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
