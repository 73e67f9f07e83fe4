"""End to end: `caseload serve` (and `caseload worker` with Redis) as real processes."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from persistence.database import Database
from persistence.sweep_lock import sweep_lock
from tests.support.appointments import APPOINTMENT, booked, paying_client_scene, relationship_of
from tests.support.graphql import (
    PASSWORD,
    SIGN_IN,
    GraphQLClient,
    unique_email,
    verified_registration,
)
from tests.support.mailbox import Mailbox, free_port

CLI = [sys.executable, "-m", "caseload.cli"]
VIEWER = "{ viewer { role practice { name } practitioner { name email } } }"


def process_env(test_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, **test_env, "CASELOAD_VAR_DIR": str(tmp_path / "var"),
           "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-e2e"}
    env.pop("CASELOAD_SQL_COUNT", None)
    return env


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "caseload serve exited early"
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("caseload serve did not become healthy")


@pytest.fixture
def live_server(test_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    env = process_env(test_env, tmp_path)
    port = free_port()
    processes = [subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env)]
    if env.get("REDIS_URL"):
        processes.append(subprocess.Popen([*CLI, "worker", "--threads", "2"], env=env))
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, processes[0])
        yield base_url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_sign_up_sign_in_and_welcome_email_on_real_processes(
    live_server: str, mailbox: Mailbox
) -> None:
    client = GraphQLClient(live_server, mailbox)
    email = unique_email("e2e")

    # when someone signs up, follows the emailed link, and signs in
    verified_registration(client, {
        "practiceName": "End To End Therapy", "name": "Eve Ender", "email": email,
        "password": PASSWORD, "timezone": "Europe/Berlin", "currency": "EUR"})
    signed_in = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    token = signed_in["signIn"]["accessToken"]

    # then the viewer reads back, and the welcome email arrives over SMTP
    assert client.data(VIEWER, token=token) == {"viewer": {
        "role": "OWNER", "practice": {"name": "End To End Therapy"},
        "practitioner": {"name": "Eve Ender", "email": email}}}
    [_, welcome] = mailbox.wait_for(email, count=2, timeout=30)
    assert welcome.subject == "Welcome to Caseload, Eve Ender"
    assert client.http.get("/readyz").json()["status"] == "ready"


def test_migrate_demo_and_sweep_commands(test_env: dict[str, str], tmp_path: Path) -> None:
    env = process_env(test_env, tmp_path)

    def run(*args: str) -> str:
        result = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "Database is up to date" in run("migrate")
    first, second = run("demo"), run("demo")
    assert "signIn" in first and "owner@demo-practice.example.com" in first
    assert "nothing changed" in second
    assert "Sweep done" in run("sweep")


def test_caseload_sweep_beside_a_running_serve_waits_for_the_lock_then_does_the_due_work(
    live_server: str, test_env: dict[str, str], tmp_path: Path, mailbox: Mailbox
) -> None:
    client = GraphQLClient(live_server, mailbox)
    env = process_env(test_env, tmp_path)

    async def scenario() -> tuple[str, str, str, Any, Any]:
        db = Database(env["DATABASE_URL"], pool_size=1)
        try:
            # given a running sweep (the test holds its lock) and a session due for payment
            async with sweep_lock(db, wait=True) as held:  # after any minute sweep
                assert held
                appointment_id, token = await asyncio.to_thread(due_appointment, client, mailbox)
                # when someone looks first with --dry-run, then asks for a sweep
                dry = await asyncio.to_thread(run_cli, env, "sweep", "--dry-run")
                sweep = await asyncio.create_subprocess_exec(
                    *CLI, "sweep", env=env, stdout=asyncio.subprocess.PIPE)
                assert sweep.stdout is not None
                waiting = await asyncio.wait_for(sweep.stdout.readline(), timeout=60)
                charge_meanwhile = await asyncio.to_thread(charge_of, client, token, appointment_id)
            done, _ = await asyncio.wait_for(sweep.communicate(), timeout=120)
            assert sweep.returncode == 0
            charge_after = await asyncio.to_thread(charge_of, client, token, appointment_id)
            return dry, waiting.decode(), done.decode(), charge_meanwhile, charge_after
        finally:
            await db.dispose()

    dry, waiting, done, charge_meanwhile, charge_after = asyncio.run(scenario())

    # then the dry run counts it and does nothing; the sweep waits, then charges it
    assert re.search(r"^Due now \(dry run, nothing done\): .*sessions to charge: [1-9]", dry)
    assert waiting == "Another sweep is running; waiting for it to finish.\n"
    assert charge_meanwhile is None
    assert re.search(r"^Sweep done: .*sessions charged: [1-9]", done)
    assert "nothing done" not in done
    assert charge_after["status"] == "SUCCEEDED"


def run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def due_appointment(client: GraphQLClient, mailbox: Mailbox) -> tuple[str, str]:
    """A session the practice booked a day ahead: inside the notice window, unpaid."""
    scene = paying_client_scene(client, mailbox)
    starts_at = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0,
                                                                microsecond=0)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                     startsAt=starts_at, durationMinutes=50)
    assert appointment["charge"] is None
    return str(appointment["id"]), scene.owner.token


def charge_of(client: GraphQLClient, token: str, appointment_id: str) -> Any:
    return client.data(APPOINTMENT, {"id": appointment_id}, token=token)["node"]["charge"]
