"""The results table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.load import Sample

COLUMNS = ("operation", "variant", "req/s", "p50 ms", "p99 ms", "SQL/req", "peak MiB",
           "server CPU", "gql/plain", "errors", "same JSON")


@dataclass
class Row:
    operation: str
    variant: str
    sample: Sample | None = None
    peak_kib: int | None = None
    ratio: float | None = None  # graphql req/s divided by plain req/s (graphql rows)
    same_json: bool | None = None
    note: str | None = None  # why the operation did not run
    server_cpu: float | None = None  # server CPU seconds per second of the timed run

    def cells(self) -> tuple[str, ...]:
        if self.sample is None:
            return (self.operation, self.variant, self.note or "skipped")
        s = self.sample
        return (
            self.operation, self.variant, f"{s.requests_per_s:.1f}",
            f"{s.percentile_ms(0.50):.2f}", f"{s.percentile_ms(0.99):.2f}",
            statements(s.statements),
            "?" if self.peak_kib is None else f"{self.peak_kib / 1024:.1f}",
            "?" if self.server_cpu is None else f"{self.server_cpu:.0%}",
            "" if self.ratio is None else f"{self.ratio:.2f}x",
            str(s.errors),
            "" if self.same_json is None else ("yes" if self.same_json else "NO"),
        )


def statements(counts: list[int]) -> str:
    """The mean; a range as well when requests differed."""
    if not counts:
        return "-"
    low, high = min(counts), max(counts)
    mean = statistics.fmean(counts)
    return f"{mean:g}" if low == high else f"{mean:.1f} ({low}-{high})"


def render(rows: list[Row]) -> str:
    table = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(cells[i]) for cells in table if len(cells) > i and len(cells) > 3)
              for i in range(len(COLUMNS))]
    lines = []
    for cells in table:
        if len(cells) == 3:  # a skipped operation: its reason spans the rest of the line
            lines.append(f"{cells[0]:<{widths[0]}}  {cells[1]:<{widths[1]}}  {cells[2]}")
            continue
        lines.append("  ".join(
            f"{cell:<{w}}" if i < 2 else f"{cell:>{w}}" for i, (cell, w) in
            enumerate(zip(cells, widths, strict=True))
        ))
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


GOAL = 0.67  # GraphQL at two thirds of its plain twin's throughput, or better


def verdict(rows: list[Row]) -> str:
    """One closing line: the worst gql/plain ratio of the run, against the goal."""
    ratios = [(row.ratio, row.operation) for row in rows if row.ratio is not None]
    if not ratios:
        return "worst gql/plain: none measured"
    worst, operation = min(ratios)
    holds = "meets" if worst >= GOAL else "misses"
    return f"worst gql/plain: {worst:.2f}x ({operation}); {holds} the {GOAL:.2f}x goal"


def problems(rows: list[Row]) -> list[str]:
    found = []
    for row in rows:
        if row.sample is not None and row.sample.first_error:
            found.append(f"{row.operation}/{row.variant}: {row.sample.errors} failed; first: "
                         f"{row.sample.first_error}")
        if row.same_json is False:
            found.append(f"{row.operation}: the plain endpoint's JSON differs from GraphQL's")
    return found
