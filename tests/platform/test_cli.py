"""The CLI explains itself: a version, and for each command what it does and its defaults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from caseload.cli import COMMANDS


def caseload(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "caseload.cli", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_the_version_is_the_installed_one() -> None:
    from importlib import metadata

    answer = caseload("--version")
    assert answer.returncode == 0
    assert answer.stdout.strip() == f"caseload {metadata.version('caseload')}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_says_what_it_does(name: str) -> None:
    answer = caseload(name, "--help")
    assert answer.returncode == 0
    # the description, as the one-liner of `caseload --help` would not tell it all
    first_words = " ".join(COMMANDS[name][1].split()[:4])
    assert first_words in " ".join(answer.stdout.split())


def test_options_show_their_defaults() -> None:
    serve = " ".join(caseload("serve", "--help").stdout.split())
    assert "address to listen on (default: 127.0.0.1)" in serve
    assert "port to listen on (default: 8000)" in serve
    worker = " ".join(caseload("worker", "--help").stdout.split())
    assert "worker threads (default: 8)" in worker
