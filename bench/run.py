"""Benchmark: GraphQL operations beside plain Starlette twins on a real uvicorn server.

    python bench/run.py [--clients N] [--duration S] [--concurrency C]
                        [--database-url URL] [--ops viewer,clients]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The repository, not bench/ (whose caseload.py would hide the caseload package), comes first.
sys.path[0] = str(ROOT)

from bench.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
