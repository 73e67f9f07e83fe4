"""Emails about booked, moved and cancelled sessions (sessions issue).

SEAM: handlers register with jobs.handlers.handles."""

from __future__ import annotations
