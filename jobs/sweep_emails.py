"""Emails the sweep causes: reminders, failed payments, automatic cancellations (sessions issue).

SEAM: handlers register with jobs.handlers.handles."""

from __future__ import annotations
