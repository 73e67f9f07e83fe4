"""Settings from the environment, production safety, and the CLI's manners."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from caseload.settings import Settings, SettingsError
from schema.build import create_schema

CLI = [sys.executable, "-m", "caseload.cli"]


def test_embedded_defaults_live_under_var(tmp_path: Path) -> None:
    settings = Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'caseload.db'}"
    assert settings.redis_url is None
    assert settings.smtp_url is None
    assert settings.mail_folder == tmp_path / "mail"
    assert settings.graphiql and settings.introspection


def test_development_generates_one_secret_and_keeps_it(tmp_path: Path) -> None:
    first = Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY is not set"):
        Settings.from_env({"CASELOAD_ENV": "production", "CASELOAD_VAR_DIR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()
    env = {**os.environ, "CASELOAD_ENV": "production", "CASELOAD_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([*CLI, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr


def test_production_turns_graphiql_and_introspection_off_unless_asked(tmp_path: Path) -> None:
    env = {"CASELOAD_ENV": "production", "SECRET_KEY": "x" * 40, "CASELOAD_VAR_DIR": str(tmp_path)}
    settings = Settings.from_env(env)
    assert not settings.graphiql and not settings.introspection
    opted_in = Settings.from_env({**env, "CASELOAD_GRAPHIQL": "1", "CASELOAD_INTROSPECTION": "1"})
    assert opted_in.graphiql and opted_in.introspection


def test_introspection_can_be_switched_off() -> None:
    query = "{ __schema { queryType { name } } }"
    closed = asyncio.run(create_schema(introspection=False).execute(query))
    assert closed.errors and "introspection" in closed.errors[0].message.lower()
    open_ = asyncio.run(create_schema(introspection=True).execute(query))
    assert open_.errors is None


@pytest.mark.parametrize(
    "command", ["serve", "worker", "scheduler", "sweep", "migrate", "export-schema", "demo"]
)
def test_every_command_explains_itself(command: str) -> None:
    result = subprocess.run([*CLI, command, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "usage: caseload" in result.stdout


def test_export_schema_prints_the_sdl() -> None:
    result = subprocess.run([*CLI, "export-schema"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "type Query {" in result.stdout and "registerPractice(" in result.stdout


def test_argon2_memory_defaults_to_64_mib_and_production_refuses_less_than_owasps_least(
    tmp_path: Path,
) -> None:
    env = {"CASELOAD_ENV": "production", "SECRET_KEY": "x" * 40, "CASELOAD_VAR_DIR": str(tmp_path)}
    assert Settings.from_env(env).argon2_memory_kib == 65536
    assert Settings.from_env({**env, "ARGON2_MEMORY_KIB": "19456"}).argon2_memory_kib == 19456
    with pytest.raises(SettingsError, match="ARGON2_MEMORY_KIB is 256: at least 19456"):
        Settings.from_env({**env, "ARGON2_MEMORY_KIB": "256"})
    development = {"CASELOAD_VAR_DIR": str(tmp_path), "ARGON2_MEMORY_KIB": "256"}
    assert Settings.from_env(development).argon2_memory_kib == 256


def test_trusted_proxies_are_addresses_and_ranges(tmp_path: Path) -> None:
    env = {"CASELOAD_VAR_DIR": str(tmp_path), "TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7, ::1"}
    assert [str(n) for n in Settings.from_env(env).trusted_proxies] == [
        "10.0.0.0/8", "192.0.2.7/32", "::1/128"]
    assert Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path)}).trusted_proxies == ()
