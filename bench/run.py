"""Benchmark: GraphQL operations beside plain Starlette twins on a real uvicorn server.

    python bench/run.py [--clients N] [--duration S] [--concurrency C]
                        [--database-url URL] [--ops viewer,clients]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
