"""Logs as an operator reads them: `caseload serve` (and `caseload worker`) as real processes
with CASELOAD_LOG_FORMAT=json, each line one JSON object carrying its request or job id, and
no person's email address anywhere."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caseload.logs import current_request_id, handler
from jobs.running import current_job_id
from tests.platform.test_e2e import CLI, process_env, wait_until_healthy
from tests.support.graphql import GraphQLClient, register_practice, unique_email
from tests.support.mailbox import Mailbox, free_port


class Processes:
    def __init__(self, base_url: str, logs: list[Path]) -> None:
        self.base_url = base_url
        self.logs = logs

    def lines(self) -> list[str]:
        return [line for log in self.logs for line in log.read_text().splitlines()]


@pytest.fixture
def json_logging_server(test_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    env = {**process_env(test_env, tmp_path), "CASELOAD_LOG_FORMAT": "json"}
    port = free_port()
    commands = [[*CLI, "serve", "--port", str(port)]]
    if env.get("REDIS_URL"):
        commands.append([*CLI, "worker", "--threads", "2"])
    logs = [tmp_path / f"stderr-{n}.log" for n in range(len(commands))]
    processes = []
    for command, log in zip(commands, logs, strict=True):
        with log.open("w") as stderr:
            processes.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                              stderr=stderr))
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, processes[0])
        yield Processes(base_url, logs)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def records_until(processes: Processes, found: Any, timeout: float = 30) -> list[dict[str, Any]]:
    """Every line as JSON, once a line that `found` accepts is there."""
    deadline = time.monotonic() + timeout
    while True:
        records = [json.loads(line) for line in processes.lines()]
        if any(found(r) for r in records) or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def test_json_logs_carry_the_request_id_and_the_job_id_and_no_email_address(
    json_logging_server: Processes, mailbox: Mailbox
) -> None:
    # given Caseload logging JSON, and a caller who names its request
    client = GraphQLClient(json_logging_server.base_url, mailbox)
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    client.http.headers["X-Request-ID"] = request_id
    email = unique_email("logged")

    # when a practice signs up (an email job for the link, another for the welcome)
    owner = register_practice(client, email=email, name="Ada Lovelace")

    # then every line is one JSON object with a time, a level, a logger and a message
    records = records_until(json_logging_server, lambda r: str(r.get("message", "")
                                                             ).startswith("sent welcome"))
    assert records, "no log lines"
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record), record

    # and the lines written during the caller's requests carry its request id
    during_request = [r for r in records if r.get("request_id") == request_id]
    assert any(r["logger"] == "uvicorn.access" and "POST /graphql" in r["message"]
               for r in during_request), during_request

    # and each email job's lines carry the job's id, and no request id
    sent = [r for r in records if r["message"].startswith("sent ")]
    assert {r["message"].split()[1] for r in sent} == {"welcome", "verify_email"}
    assert len({r["job_id"] for r in sent}) == 2  # two jobs, an id each
    for record in sent:
        assert record["job_id"], record
        assert "request_id" not in record
        assert uuid.UUID(record["job_id"])  # Dramatiq's message id

    # and no line names the person: neither their email address nor their name
    assert owner.email == email
    text = "\n".join(json_logging_server.lines())
    assert email not in text
    assert "Lovelace" not in text


def test_text_logs_name_the_request_and_job_and_mask_addresses() -> None:
    # given the default (text) format
    stream = io.StringIO()
    logger = logging.getLogger("caseload.test-logs")
    logger.addHandler(handler("text", stream))
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        # when lines are written inside a request, inside a job, and with an address
        request_token = current_request_id.set("r-123")
        logger.info("inside a request")
        current_request_id.reset(request_token)
        job_token = current_job_id.set("j-456")
        try:
            raise RuntimeError("550 mailbox unavailable: ada@example.com")
        except RuntimeError:
            logger.exception("delivery failed for bob@example.org")
        current_job_id.reset(job_token)
        logger.info("outside both")
    finally:
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.NOTSET)

    # then each line names what it was written under, and no address survives
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("INFO caseload.test-logs [request=r-123] inside a request")
    assert lines[1].endswith("ERROR caseload.test-logs [job=j-456] delivery failed for <email>")
    assert "RuntimeError: 550 mailbox unavailable: <email>" in stream.getvalue()
    assert lines[-1].endswith("INFO caseload.test-logs outside both")
    assert "@example" not in stream.getvalue()


def test_a_log_format_other_than_text_or_json_stops_every_command(
    test_env: dict[str, str], tmp_path: Path
) -> None:
    # when a command starts with CASELOAD_LOG_FORMAT=xml
    env = {**process_env(test_env, tmp_path), "CASELOAD_LOG_FORMAT": "xml"}
    result = subprocess.run([*CLI, "export-schema"], env=env, capture_output=True, text=True,
                            timeout=60)

    # then it stops with status 2 and says what is allowed, having printed nothing else
    assert result.returncode == 2
    assert result.stderr == ("caseload: CASELOAD_LOG_FORMAT='xml' is not allowed: use text "
                             "or json.\n")
    assert result.stdout == ""
