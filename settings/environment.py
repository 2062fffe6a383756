"""Every setting the project reads from the environment, typed and checked in one place (pydantic-settings).

Each part reads its values through `current()`, so a bad value is found by whichever part needs it first;
commands that do work (`trova chat`, `trova serve`, ...) call `current()` before anything starts, so a
misspelt setting stops them with one line naming it (exit 2) instead of failing later or being silently
replaced by the default. Command-line options that also read the environment (`--model`/`TROVA_MODEL`,
`--base-url`, `--online-eval-rate`, ...) are checked by the CLI itself and are not repeated here.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from settings.errors import SettingError

PREFIX = "TROVA_"


@dataclass(frozen=True)
class RateLimits:
    """Per-client limits on what anyone can do without being anyone yet, per hour."""

    register: int = 20  # seller registrations
    create: int = 120  # drafts and listings created


def parse_rate_limits(raw: str) -> RateLimits | None:
    """`off` (None), or `register=N,create=N` (either or both; the other keeps its default)."""
    text = raw.strip().lower()
    if text in ("off", "none", "0"):
        return None
    values: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, number = part.partition("=")
        if name.strip() not in ("register", "create") or not number.strip().isdigit():
            raise ValueError(f"{part!r} is not register=N or create=N (or off)")
        if name.strip() in values:  # which one would hold is a guess: say so instead
            raise ValueError(f"{name.strip()} is given twice; give each limit once")
        values[name.strip()] = int(number)
    return RateLimits(**values)


def parse_forwarded_ips(raw: str) -> str:
    """`*`, or comma-separated IP addresses and networks (10.0.0.0/8). uvicorn takes anything else as a
    literal that no TCP client's address ever equals: a mistyped proxy would silently be trusted never."""
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    if not entries:
        raise ValueError("is empty: give the proxies' addresses, comma-separated, or '*'")
    if entries == ["*"]:
        return raw
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False) if "/" in entry else ipaddress.ip_address(entry)
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, or '*' for any)"
            ) from None
    return raw


def database_url_problem(url: str) -> str | None:
    """Why `url` cannot hold the marketplace as written (None: it can, as far as the URL tells): not SQLite or
    PostgreSQL, or a SQLite file in a folder that does not exist (SQLite would fail later, unable to open it)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "is not a database URL (e.g. sqlite:///path/to/file.db or postgresql://user@host:5432/db)"
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres"):
        return (
            f"names {backend}: Trova keeps its marketplace in SQLite (sqlite:///path/to/file.db) or "
            "PostgreSQL (postgresql://user:password@host:5432/dbname)"
        )
    database = parsed.database or ""
    if backend == "sqlite" and database not in ("", ":memory:") and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        if not folder.is_dir():
            return (
                f"its file's folder {folder} does not exist: create it, or name a file in a folder that does"
            )
    return None


ADMIN_TOKEN_MIN = 16
SECRET = ("DATABASE_URL", PREFIX + "TOKEN", PREFIX + "ADMIN_TOKEN")  # never echoed in an error

PositiveFinite = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class Settings(BaseSettings):
    """The environment's settings; unset or empty, each has its default (README: Configuration)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore")

    home: Path | None = None  # TROVA_HOME: the data directory (None: the user's data directory)
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    token: SecretStr | None = None  # the seller's bearer token, used as is
    admin_token: SecretStr | None = None
    rate_limits: Annotated[RateLimits | None, NoDecode] = RateLimits()
    traces: bool = True  # on/off, yes/no, true/false, 1/0
    trace_retention_days: PositiveFinite = 14.0
    trace_max_mb: PositiveFinite = 500.0
    session_idle_days: PositiveFinite = 30.0
    review_random_share: Share = 0.05
    experiments_dir: Path | None = None

    @field_validator("rate_limits", mode="before")
    @classmethod
    def _rate_limits(cls, value: object) -> object:
        return parse_rate_limits(value) if isinstance(value, str) else value

    @field_validator("home")
    @classmethod
    def _home(cls, value: Path | None) -> Path | None:
        if value is not None and value.exists() and not value.is_dir():
            raise ValueError(
                "is a file, not a folder: the data directory must be a folder (or not exist yet)"
            )
        return value

    @field_validator("experiments_dir")
    @classmethod
    def _experiments_dir(cls, value: Path | None) -> Path | None:
        # A file here read as "no experiments: write one in <file>/NAME.yaml", which cannot be done.
        if value is not None and value.exists() and not value.is_dir():
            raise ValueError("is a file, not a folder: experiments are the *.yaml files in a folder")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        # The value is not echoed: a mistyped URL can still carry a password.
        problem = database_url_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("admin_token")
    @classmethod
    def _admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Anyone who guesses it runs the admin pages (reviews, experiments): a short one is guessable.
        if value is not None and len(value.get_secret_value().strip()) < ADMIN_TOKEN_MIN:
            raise ValueError(
                f"is too short: an admin token needs at least {ADMIN_TOKEN_MIN} characters (leave it unset "
                "and trova serve makes one, or: python -c 'import secrets; print(secrets.token_urlsafe(24))')"
            )
        return value


def data_home() -> Path:
    """The data directory's path: `TROVA_HOME`, else the user's data directory (not created here: the
    marketplace and the agent each make it as they need it)."""
    import platformdirs

    return current().home or Path(platformdirs.user_data_dir("trova", appauthor=False))


def unusable_home(root: Path, error: OSError) -> SettingError:
    """The data directory could not be made (a folder that cannot be written, a file in its path): a bad
    setting named as such, exit 2, rather than a traceback from whichever command first needed it."""
    where = f"TROVA_HOME={str(root)!r}" if current().home is not None else f"the data directory {root}"
    reason = error.strerror or str(error)
    return SettingError(
        f"{where}: cannot make the folder ({reason}); point TROVA_HOME at a folder you can write"
    )


def variable(field: str) -> str:
    """The environment variable a field of `Settings` is read from."""
    info = Settings.model_fields.get(field)
    if info is None:
        return field  # an error's location is the alias itself (DATABASE_URL)
    alias = info.validation_alias
    return alias if isinstance(alias, str) else PREFIX + field.upper()


def current() -> Settings:
    """The settings as the environment has them now (read on each call: tests and `serve` set them)."""
    try:
        return Settings()
    except ValidationError as e:
        problems = []
        for error in e.errors():
            name = variable(str(error["loc"][0])) if error["loc"] else "a setting"
            shown = "" if name in SECRET else f"={os.environ.get(name, '')!r}"
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}{shown}: {message}")
        raise SettingError("; ".join(problems)) from None
