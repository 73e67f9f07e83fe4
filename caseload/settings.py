"""Settings from the environment, each with an embedded default."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from caseload.client_address import Network, parse_networks
from caseload.ratelimit import Limit
from resolvers.shared.limits import DEFAULT_SIGN_IN_FAILURES

PUBLISHABLE_KEY_LIMIT = Limit(600, 60)
COST_LIMIT = Limit(100_000, 60)  # query cost points per window, per caller
MAX_TTL = 60 * 24 * 365  # a year of minutes
ARGON2_MEMORY_KIB = 65536
ARGON2_PRODUCTION_MINIMUM_KIB = 19456  # OWASP's least for Argon2id
REQUEST_TIMEOUT_SECONDS = 5.0
OUTBOX_REDISPATCH_AFTER = timedelta(seconds=30)
OUTBOX_MAX_ATTEMPTS = 10
DEFAULT_APP_URL = "http://127.0.0.1:8000"


class SettingsError(Exception):
    """The environment asks for something that cannot run: each line names the variable,
    the value given and what is allowed."""


class _Environment(BaseSettings):
    """Every variable Caseload reads, validated at start. Values come in as the mapping
    given to Settings.from_env (os.environ by default); an empty value means unset."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # from_env hands over the whole environment itself

    env: Literal["development", "production"] = Field("development", alias="CASELOAD_ENV")
    var_dir: Path = Field(Path("var"), alias="CASELOAD_VAR_DIR")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    redis_namespace: str = Field("caseload", alias="REDIS_NAMESPACE", pattern=r"^[\w.:-]+$")
    smtp_url: str | None = Field(None, alias="SMTP_URL")
    secret_key: str | None = Field(None, alias="SECRET_KEY")
    graphiql: bool | None = Field(None, alias="CASELOAD_GRAPHIQL")
    introspection: bool | None = Field(None, alias="CASELOAD_INTROSPECTION")
    app_url: str = Field(DEFAULT_APP_URL, alias="CASELOAD_APP_URL")
    client_pages: bool | None = Field(None, alias="CASELOAD_CLIENT_PAGES")
    mail_from: str = Field("Caseload <no-reply@caseload.local>", alias="MAIL_FROM", min_length=3)
    token_ttl_minutes: int = Field(480, alias="ACCESS_TOKEN_TTL_MINUTES", ge=1, le=MAX_TTL)
    expose_sql_count: bool = Field(False, alias="CASELOAD_SQL_COUNT")
    rate_limit_anonymous: Limit = Field(Limit(60, 60), alias="RATE_LIMIT_ANONYMOUS")
    rate_limit_signed_in: Limit = Field(Limit(1200, 60), alias="RATE_LIMIT_SIGNED_IN")
    rate_limit_publishable_key: Limit = Field(
        PUBLISHABLE_KEY_LIMIT, alias="RATE_LIMIT_PUBLISHABLE_KEY")
    max_body_bytes: int = Field(256 * 1024, alias="MAX_BODY_BYTES", ge=1024, le=64 * 2**20)
    rate_limit_cost: Limit = Field(COST_LIMIT, alias="RATE_LIMIT_COST")
    outbox_redispatch_seconds: int = Field(30, alias="OUTBOX_REDISPATCH_SECONDS", ge=1,
                                           le=24 * 3600)
    outbox_max_attempts: int = Field(OUTBOX_MAX_ATTEMPTS, alias="OUTBOX_MAX_ATTEMPTS", ge=1,
                                     le=100)
    rate_limit_without_redis: Literal["local", "refuse-anonymous"] = Field(
        "local", alias="RATE_LIMIT_WITHOUT_REDIS")
    trusted_proxies: tuple[Network, ...] = Field((), alias="TRUSTED_PROXIES")
    sign_in_failures: Limit = Field(DEFAULT_SIGN_IN_FAILURES, alias="SIGN_IN_FAILURES")
    argon2_memory_kib: int = Field(ARGON2_MEMORY_KIB, alias="ARGON2_MEMORY_KIB", ge=64,
                                   le=4 * 2**20)
    request_timeout_seconds: float = Field(REQUEST_TIMEOUT_SECONDS,
                                           alias="REQUEST_TIMEOUT_SECONDS", gt=0, lt=3600,
                                           allow_inf_nan=False)
    log_format: Literal["text", "json"] = Field("text", alias="CASELOAD_LOG_FORMAT")
    metrics: bool | None = Field(None, alias="CASELOAD_METRICS")
    metrics_token: str | None = Field(None, alias="METRICS_TOKEN", min_length=16)

    @field_validator("env", "log_format", mode="before")
    @classmethod
    def _mode(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "rate_limit_anonymous", "rate_limit_signed_in", "rate_limit_publishable_key",
        "rate_limit_cost", "sign_in_failures", mode="before",
    )
    @classmethod
    def _limit(cls, value: object) -> object:
        return Limit.parse(value) if isinstance(value, str) else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        return parse_networks(value) if isinstance(value, str) else value

    @field_validator("database_url", "redis_url", "smtp_url", "app_url")
    @classmethod
    def _scheme(cls, value: str | None, info: ValidationInfo) -> str | None:
        schemes = _SCHEMES[info.field_name or ""]
        if value is not None and urlsplit(value).scheme not in schemes:
            raise ValueError("unknown scheme")
        return value


_SCHEMES = {
    "database_url": ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite", "postgres", "postgresql",
                     "postgresql+asyncpg", "postgresql+psycopg2"),
    "redis_url": ("redis", "rediss", "unix"),
    "smtp_url": ("smtp", "smtps"),
    "app_url": ("http", "https"),
}
# What each variable allows, for the message that refuses a value.
ALLOWED = {
    "CASELOAD_ENV": "development or production",
    "CASELOAD_VAR_DIR": "a folder path",
    "DATABASE_URL": "postgresql://user:pass@host/db or sqlite+aiosqlite:///path",
    "REDIS_URL": "redis://host:6379/0 (or rediss://, unix://)",
    "REDIS_NAMESPACE": "letters, digits and . : _ -",
    "SMTP_URL": "smtp://user:pass@host:587?starttls=true or smtps://…",
    "CASELOAD_GRAPHIQL": "1 or 0",
    "CASELOAD_INTROSPECTION": "1 or 0",
    "CASELOAD_SQL_COUNT": "1 or 0",
    "CASELOAD_CLIENT_PAGES": "1 or 0",
    "CASELOAD_APP_URL": "an http:// or https:// address",
    "MAIL_FROM": "a sender address, e.g. Caseload <no-reply@example.com>",
    "ACCESS_TOKEN_TTL_MINUTES": f"a whole number of minutes from 1 to {MAX_TTL}",
    "RATE_LIMIT_ANONYMOUS": "REQUESTS/SECONDS, both positive whole numbers, e.g. 60/60",
    "RATE_LIMIT_SIGNED_IN": "REQUESTS/SECONDS, both positive whole numbers, e.g. 1200/60",
    "RATE_LIMIT_PUBLISHABLE_KEY": "REQUESTS/SECONDS, both positive whole numbers, e.g. 600/60",
    "MAX_BODY_BYTES": f"a whole number of bytes from 1024 to {64 * 2**20}",
    "RATE_LIMIT_COST": "COST/SECONDS, both positive whole numbers, e.g. 100000/60",
    "OUTBOX_REDISPATCH_SECONDS": "a whole number of seconds from 1 to 86400",
    "OUTBOX_MAX_ATTEMPTS": "a whole number of attempts from 1 to 100",
    "RATE_LIMIT_WITHOUT_REDIS": "local or refuse-anonymous",
    "REQUEST_TIMEOUT_SECONDS": "a number of seconds above 0 and below 3600, e.g. 5",
    "TRUSTED_PROXIES": "addresses or CIDR ranges, comma-separated, e.g. 10.0.0.0/8, 192.0.2.7",
    "SIGN_IN_FAILURES": "FAILURES/SECONDS, both positive whole numbers, e.g. 5/900",
    "CASELOAD_LOG_FORMAT": "text or json",
    "CASELOAD_METRICS": "1 or 0",
    "METRICS_TOKEN": "a secret of at least 16 characters, sent as Authorization: Bearer",
    "ARGON2_MEMORY_KIB": f"a whole number of KiB from 64 to {4 * 2**20} "
                         f"({ARGON2_PRODUCTION_MINIMUM_KIB} at least in production)",
}


def _read(environ: Mapping[str, str]) -> _Environment:
    given = {k: v for k, v in environ.items() if k in ALLOWED or k == "SECRET_KEY"}
    try:
        return _Environment.model_validate({k: v for k, v in given.items() if v.strip()})
    except ValidationError as error:
        lines = [_refusal(e, given) for e in error.errors()]
        raise SettingsError("\n".join(lines)) from None


def _refusal(error: Any, given: Mapping[str, str]) -> str:
    name = str(error["loc"][0]) if error["loc"] else "?"
    shown = "***" if name in _SECRETS else _without_password(given.get(name, ""))
    return f"{name}={shown!r} is not allowed: use {ALLOWED.get(name, 'a valid value')}."


_SECRETS = {"METRICS_TOKEN"}


def _without_password(value: str) -> str:
    """A URL's password never reaches a log, even in a refusal."""
    parts = urlsplit(value)
    if parts.password is None:
        return value
    return value.replace(f":{parts.password}@", ":***@", 1)


@dataclass(frozen=True)
class Settings:
    env: str
    var_dir: Path
    database_url: str
    redis_url: str | None
    redis_namespace: str
    smtp_url: str | None
    secret_key: str
    graphiql: bool
    introspection: bool
    app_url: str
    mail_from: str
    token_ttl: timedelta
    expose_sql_count: bool
    rate_limit_anonymous: Limit
    rate_limit_signed_in: Limit
    max_body_bytes: int
    rate_limit_publishable_key: Limit = PUBLISHABLE_KEY_LIMIT
    rate_limit_cost: Limit = COST_LIMIT
    outbox_redispatch_after: timedelta = OUTBOX_REDISPATCH_AFTER
    outbox_max_attempts: int = OUTBOX_MAX_ATTEMPTS
    refuse_anonymous_without_redis: bool = False
    trusted_proxies: tuple[Network, ...] = ()
    sign_in_failures: Limit = DEFAULT_SIGN_IN_FAILURES
    argon2_memory_kib: int = ARGON2_MEMORY_KIB
    request_timeout_seconds: float = REQUEST_TIMEOUT_SECONDS
    client_pages: bool = True
    log_format: str = "text"
    metrics: bool = True
    metrics_token: str | None = None
    tracing: bool = False

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def mail_folder(self) -> Path:
        return self.var_dir / "mail"

    @property
    def embedded_database(self) -> bool:
        return self.database_url.startswith("sqlite")

    def make_folders(self) -> None:
        """Every folder the settings name, made before anything opens a file in one; a folder
        that cannot be made stops start-up with what and why (SettingsError)."""
        folders = [self.var_dir]
        if self.embedded_database:
            database = make_url(self.database_url).database
            if database and database != ":memory:":
                folders.append(Path(database).parent)
        if not self.smtp_url:
            folders.append(self.mail_folder)
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise SettingsError(
                    f"cannot make the folder {folder}: {error.strerror or error}. Set "
                    "CASELOAD_VAR_DIR (or DATABASE_URL) to a place this user may write."
                ) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Reads and validates the environment; SettingsError names every bad variable."""
        read = _read(os.environ if environ is None else environ)
        var_dir = read.var_dir.resolve()
        production = read.env == "production"
        return cls(
            env=read.env,
            var_dir=var_dir,
            database_url=read.database_url or f"sqlite+aiosqlite:///{var_dir / 'caseload.db'}",
            redis_url=read.redis_url,
            redis_namespace=read.redis_namespace,
            smtp_url=read.smtp_url,
            secret_key=_secret_key(read.secret_key, var_dir, production),
            graphiql=read.graphiql if read.graphiql is not None else not production,
            introspection=(read.introspection if read.introspection is not None
                           else not production),
            app_url=read.app_url.rstrip("/"),
            mail_from=read.mail_from,
            token_ttl=timedelta(minutes=read.token_ttl_minutes),
            expose_sql_count=read.expose_sql_count,
            rate_limit_anonymous=read.rate_limit_anonymous,
            rate_limit_signed_in=read.rate_limit_signed_in,
            max_body_bytes=read.max_body_bytes,
            rate_limit_publishable_key=read.rate_limit_publishable_key,
            rate_limit_cost=read.rate_limit_cost,
            outbox_redispatch_after=timedelta(seconds=read.outbox_redispatch_seconds),
            outbox_max_attempts=read.outbox_max_attempts,
            refuse_anonymous_without_redis=read.rate_limit_without_redis == "refuse-anonymous",
            trusted_proxies=read.trusted_proxies,
            sign_in_failures=read.sign_in_failures,
            argon2_memory_kib=_argon2_memory(read.argon2_memory_kib, production),
            request_timeout_seconds=read.request_timeout_seconds,
            client_pages=_client_pages(read),
            log_format=read.log_format,
            # Off in production unless asked for, or protected by a token.
            metrics=(read.metrics if read.metrics is not None
                     else not production or read.metrics_token is not None),
            metrics_token=read.metrics_token,
            tracing=tracing_wanted(os.environ if environ is None else environ),
        )


def _client_pages(read: _Environment) -> bool:
    """Caseload serves the pages its emails link to while the links point at Caseload: by
    default. A deployment whose front end serves them sets CASELOAD_APP_URL to it, and the
    pages step aside; CASELOAD_CLIENT_PAGES=1 keeps them at an address of Caseload's own."""
    if read.client_pages is not None:
        return read.client_pages
    return "app_url" not in read.model_fields_set


_OTLP_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_wanted(environ: Mapping[str, str]) -> bool:
    """OpenTelemetry's own variables decide: OTEL_TRACES_EXPORTER names an exporter (otlp,
    console) or an OTLP endpoint is set; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none
    turn it off whatever else is set."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = trace_exporters(environ)
    if exporters:
        return exporters != ["none"]
    return any(environ.get(name, "").strip() for name in _OTLP_ENDPOINTS)


TRACE_EXPORTERS = ("otlp", "console", "none")


def trace_exporters(environ: Mapping[str, str]) -> list[str]:
    given = environ.get("OTEL_TRACES_EXPORTER", "")
    exporters = [e.strip().lower() for e in given.split(",") if e.strip()]
    if set(exporters) - set(TRACE_EXPORTERS):
        raise SettingsError(f"OTEL_TRACES_EXPORTER={given!r} is not allowed: use otlp, "
                            "console or none (comma-separated).")
    return exporters


def log_format(environ: Mapping[str, str] | None = None) -> str:
    """CASELOAD_LOG_FORMAT alone, checked as from_env checks it: logging is set up before
    any command reads the rest (and so before anything is made under CASELOAD_VAR_DIR)."""
    environ = os.environ if environ is None else environ
    return _read({k: v for k, v in environ.items() if k == "CASELOAD_LOG_FORMAT"}).log_format


def _argon2_memory(kib: int, production: bool) -> int:
    if production and kib < ARGON2_PRODUCTION_MINIMUM_KIB:
        raise SettingsError(
            f"ARGON2_MEMORY_KIB is {kib}: at least {ARGON2_PRODUCTION_MINIMUM_KIB} in "
            "production (64 anywhere)."
        )
    return kib


def _secret_key(given: str | None, var_dir: Path, production: bool) -> str:
    if given:
        if production and len(given) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters in production.")
        return given
    if production:
        raise SettingsError(
            "SECRET_KEY is not set. In production Caseload refuses to start without one: "
            "set SECRET_KEY to a long random string (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')."
        )
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
