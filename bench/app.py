"""The benchmarked server: the real app plus the plain twins, for
`python -m uvicorn --factory bench.app:create` (configured by the environment)."""

from __future__ import annotations

from starlette.applications import Starlette

from bench.operations import plain_routes
from caseload.app import create_app
from caseload.runtime import Runtime
from caseload.settings import Settings


def create() -> Starlette:
    settings = Settings.from_env()
    return create_app(
        settings,
        runtime=Runtime(settings),
        run_jobs_in_process=True,
        run_scheduler_in_process=False,  # no minute sweep firing in the middle of a run
        extra_routes=plain_routes(),
    )
