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


@pytest.mark.parametrize(("name", "value", "allowed"), [
    ("ACCESS_TOKEN_TTL_MINUTES", "abc", "a whole number of minutes from 1 to 525600"),
    ("ACCESS_TOKEN_TTL_MINUTES", "0", "a whole number of minutes from 1 to 525600"),
    ("CASELOAD_ENV", "prodution", "development or production"),
    ("MAX_BODY_BYTES", "-5", "a whole number of bytes from 1024 to 67108864"),
    ("RATE_LIMIT_ANONYMOUS", "sixty", "REQUESTS/SECONDS, both positive whole numbers, e.g. 60/60"),
    ("RATE_LIMIT_SIGNED_IN", "0/60",
     "REQUESTS/SECONDS, both positive whole numbers, e.g. 1200/60"),
    ("CASELOAD_GRAPHIQL", "maybe", "1 or 0"),
    ("CASELOAD_CLIENT_PAGES", "sometimes", "1 or 0"),
    ("CASELOAD_APP_URL", "caseload.example.com", "an http:// or https:// address"),
    ("SMTP_URL", "mail.example.com", "smtp://user:pass@host:587?starttls=true or smtps://…"),
])
def test_a_bad_value_is_refused_naming_the_variable_the_value_and_what_is_allowed(
    tmp_path: Path, name: str, value: str, allowed: str
) -> None:
    # when the environment holds a value the variable does not allow
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path), name: value})
    # then the one-line message says which, what, and what would do
    assert str(refused.value) == f"{name}={value!r} is not allowed: use {allowed}."
    # and nothing was set up on the way
    assert not (tmp_path / "secret_key").exists()


def test_every_bad_variable_is_named_at_once_and_no_password_is_shown(tmp_path: Path) -> None:
    # when two variables are wrong, one of them a URL with a password
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path), "MAX_BODY_BYTES": "lots",
                           "DATABASE_URL": "mysql://app:hunter2@db/caseload"})
    # then both are named, one a line, and the password is masked
    assert str(refused.value).splitlines() == [
        "DATABASE_URL='mysql://app:***@db/caseload' is not allowed: use "
        "postgresql://user:pass@host/db or sqlite+aiosqlite:///path.",
        "MAX_BODY_BYTES='lots' is not allowed: use a whole number of bytes from 1024 to 67108864.",
    ]
    assert "hunter2" not in str(refused.value)


def test_an_empty_value_means_the_default_and_the_mode_ignores_case(tmp_path: Path) -> None:
    settings = Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path), "MAX_BODY_BYTES": "",
                                  "CASELOAD_ENV": " Production ", "SECRET_KEY": "s" * 40})
    assert settings.max_body_bytes == 256 * 1024
    assert settings.production and not settings.graphiql and not settings.introspection


def test_the_cli_refuses_a_bad_setting_without_a_traceback(tmp_path: Path) -> None:
    # when the server is started with a misspelt mode
    env = {**os.environ, "CASELOAD_VAR_DIR": str(tmp_path), "CASELOAD_ENV": "prodution"}
    result = subprocess.run([*CLI, "serve"], env=env, capture_output=True, text=True, timeout=60)
    # then it exits 2 with the message alone: it does not run in development instead
    assert result.returncode == 2
    assert result.stderr == (
        "caseload: CASELOAD_ENV='prodution' is not allowed: use development or production.\n")
    assert not (tmp_path / "caseload.db").exists()


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


def test_start_up_makes_every_folder_it_needs(tmp_path: Path) -> None:
    # given a fresh folder and a secret key of its own (so nothing else makes var/)
    var_dir = tmp_path / "deep" / "var"
    env = {**os.environ, "CASELOAD_VAR_DIR": str(var_dir), "SECRET_KEY": "k" * 40}
    env.pop("DATABASE_URL", None)
    env.pop("SMTP_URL", None)
    # when the embedded database is migrated
    result = subprocess.run([*CLI, "migrate"], env=env, capture_output=True, text=True,
                            timeout=120)
    # then the folders were made and the database is there
    assert result.returncode == 0, result.stderr
    assert (var_dir / "caseload.db").is_file() and (var_dir / "mail").is_dir()


def test_a_folder_that_cannot_be_made_is_named_without_a_traceback(tmp_path: Path) -> None:
    # given a var folder that would have to live inside a file
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "CASELOAD_VAR_DIR": str(blocker / "var"), "SECRET_KEY": "k" * 40}
    env.pop("DATABASE_URL", None)
    # when the server is started, then it stops at once and says which folder and why
    result = subprocess.run([*CLI, "serve"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        f"caseload: cannot make the folder {blocker / 'var'}: Not a directory. Set "
        "CASELOAD_VAR_DIR (or DATABASE_URL) to a place this user may write.\n")
