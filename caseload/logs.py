"""Logging for every command: readable text by default, one JSON object a line with
CASELOAD_LOG_FORMAT=json. Each line carries the id of the request or job it was written
under, and no line at INFO or above carries an email address."""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from jobs.running import current_job_id

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None)

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_OUR_MESSAGE_ID = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{16}@")  # names an outbox row, no one
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s"
QUIET = ("dramatiq", "alembic")


class LogContext(logging.Filter):
    """Adds `request_id` / `job_id` (when there is one) to each record, and masks email
    addresses in records at INFO and above (an exception's text can hold a recipient's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = {"request_id": current_request_id.get(), "job_id": current_job_id.get()}
        shown = ""
        for name, value in ids.items():
            if value:
                setattr(record, name, value)
                shown += f" {name.removesuffix('_id')}={value}"
        trace_id = _trace_id()
        if trace_id:
            record.trace_id = trace_id
        record.ids = shown and f" [{shown.strip()}]"
        if record.levelno >= logging.INFO:
            _mask(record)
        return True


def _trace_id() -> str | None:
    """The current trace's id, when tracing is on (OpenTelemetry is imported only then)."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _mask(record: logging.LogRecord) -> None:
    message = record.getMessage()
    masked = mask_emails(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info:  # formatted here, so that both formats print the masked text
        record.exc_text = record.exc_text or logging.Formatter().formatException(
            record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = mask_emails(record.exc_text)


def mask_emails(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        return match.group() if _OUR_MESSAGE_ID.match(match.group()) else "<email>"

    return _EMAIL.sub(hide, text)


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "{levelname}{name}{message}", style="{", timestamp="time",  # ISO 8601, UTC
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "ids", "color_message"],  # uvicorn's ANSI twin
        )
    return logging.Formatter(TEXT_FORMAT)


def handler(log_format: str, stream: Any = None) -> logging.Handler:
    made = logging.StreamHandler(stream)
    made.addFilter(LogContext())
    made.setFormatter(formatter(log_format))
    return made


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """One handler on the root logger; uvicorn's loggers propagate to it (serve passes
    log_config=None), so its access lines are in the same format and carry the request id."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler(log_format))
    root.setLevel(level)
    logging.captureWarnings(True)  # a warning is a line in the same format too
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)

