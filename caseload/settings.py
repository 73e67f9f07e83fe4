"""Settings from the environment, each with an embedded default."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from caseload.ratelimit import Limit

PUBLISHABLE_KEY_LIMIT = Limit(600, 60)
REQUEST_TIMEOUT_SECONDS = 5.0


class SettingsError(Exception):
    """The environment asks for something that cannot run (production without a secret)."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


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
    request_timeout_seconds: float = REQUEST_TIMEOUT_SECONDS

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def mail_folder(self) -> Path:
        return self.var_dir / "mail"

    @property
    def embedded_database(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("CASELOAD_ENV", "development").strip().lower()
        var_dir = Path(env.get("CASELOAD_VAR_DIR", "var")).resolve()
        production = mode == "production"
        return cls(
            env=mode,
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL")
            or f"sqlite+aiosqlite:///{var_dir / 'caseload.db'}",
            redis_url=env.get("REDIS_URL") or None,
            redis_namespace=env.get("REDIS_NAMESPACE") or "caseload",
            smtp_url=env.get("SMTP_URL") or None,
            secret_key=_secret_key(env.get("SECRET_KEY"), var_dir, production),
            graphiql=_flag(env.get("CASELOAD_GRAPHIQL"), not production),
            introspection=_flag(env.get("CASELOAD_INTROSPECTION"), not production),
            app_url=env.get("CASELOAD_APP_URL", "http://127.0.0.1:8000").rstrip("/"),
            mail_from=env.get("MAIL_FROM", "Caseload <no-reply@caseload.local>"),
            token_ttl=timedelta(minutes=int(env.get("ACCESS_TOKEN_TTL_MINUTES", "480"))),
            expose_sql_count=_flag(env.get("CASELOAD_SQL_COUNT"), False),
            rate_limit_anonymous=Limit.parse(env.get("RATE_LIMIT_ANONYMOUS", "60/60")),
            rate_limit_signed_in=Limit.parse(env.get("RATE_LIMIT_SIGNED_IN", "1200/60")),
            max_body_bytes=int(env.get("MAX_BODY_BYTES", str(256 * 1024))),
            rate_limit_publishable_key=Limit.parse(
                env.get("RATE_LIMIT_PUBLISHABLE_KEY", "600/60")),
            request_timeout_seconds=_seconds(env.get("REQUEST_TIMEOUT_SECONDS")),
        )


def _seconds(given: str | None) -> float:
    try:
        seconds = float(given) if given else REQUEST_TIMEOUT_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 3600:
        raise SettingsError(
            f"REQUEST_TIMEOUT_SECONDS={given!r}: give a number of seconds above 0, e.g. 5.")
    return seconds


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
