"""The CLI explains itself: a version, and for each command what it does and its defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from caseload.cli import COMMANDS, where_to_open
from caseload.settings import Settings


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


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, ["Open in a browser:",
          "  GraphiQL:     http://127.0.0.1:9000/graphql",
          "  client pages: http://127.0.0.1:9000/  (clients sign in; the links in emails open "
          "here)",
          "  demo widget:  run `caseload demo` first, once"]),
    ({"CASELOAD_APP_URL": "https://app.example.com", "CASELOAD_GRAPHIQL": "0"},
     ["Open in a browser:",
      "  GraphiQL:     off (CASELOAD_GRAPHIQL=1 turns it on)",
      "  client pages: not served: the links in emails go to https://app.example.com, a front "
      "end of its own",
      "  demo widget:  run `caseload demo` first, once"]),
])
def test_serve_says_where_to_open_graphiql_the_client_pages_and_the_demo_widget(
    environ: dict[str, str], expected: list[str], tmp_path: Path,
) -> None:
    settings = Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path), **environ})
    assert where_to_open(settings, "0.0.0.0", 9000) == expected
