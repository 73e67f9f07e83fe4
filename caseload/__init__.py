"""Caseload's composition root: settings, the app factory and the `caseload` CLI."""
