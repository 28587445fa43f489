"""Settings from `.env` and the environment, validated once at start-up and passed down."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.schedule import parse_hhmm

DEFAULT_API_BASE_URL = "https://api.telegram.org"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Everything an operator can configure; names match the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("data/backchannel.db")
    bot_api_base_url: HttpUrl = HttpUrl(DEFAULT_API_BASE_URL)
    timezone: str = "Europe/Kyiv"
    # Language for people whose Telegram app says neither Ukrainian nor English.
    default_language: Literal["en", "uk"] = "en"
    # The status page's public address (absolute links in its Atom feeds); optional.
    site_url: str | None = None
    # Serve the status page live on this port (127.0.0.1 unless WEB_HOST says otherwise).
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    digest_time: time = time(8, 0)
    log_level: str = Field(default="INFO")
    webhook_url: HttpUrl | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    flood_rate: float = Field(default=1.0, gt=0)
    flood_burst: int = Field(default=8, ge=1)
    digest_rate_limit: float = Field(default=30.0, gt=0, le=1000)
    digest_workers: int = Field(default=1, ge=1, le=64)
    # Updates handled at once (1: one by one); one person's updates stay in order either way.
    concurrent_updates: int = Field(default=32, ge=1, le=1024)
    # Source watch: feeds on private, loopback or link-local networks are refused unless this
    # is true (tests, closed networks); fetches at once; default poll interval; notice spacing.
    sources_allow_private: bool = False
    sources_concurrency: int = Field(default=8, ge=1, le=64)
    sources_interval_minutes: int = Field(default=15, ge=1, le=1440)
    sources_notify_minutes: int = Field(default=30, ge=1, le=1440)
    # Where a feed is parsed, matched and stored: a separate low-priority process (readers
    # never wait, see bench/sources_bench.py) or a thread of the bot (tests, tiny machines).
    sources_pipeline: Literal["process", "thread"] = "process"

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, values: Any) -> Any:
        """`NAME=` (in .env or the environment) means "not set": the default applies.

        `.env.example` lists every setting, many of them empty, and people copy it as it is.
        Not pydantic-settings' `env_ignore_empty`: that lets an empty variable in the
        environment fall through to `.env`, so `BOT_TOKEN= make run` would still serve
        Telegram with the token in `.env`. Here the environment still wins, and empty wins
        as "the default" (no token: the console).
        """
        if isinstance(values, dict):
            return {
                key: value
                for key, value in values.items()
                if not (isinstance(value, str) and not value.strip())
            }
        return values

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: Any) -> Any:
        """An empty BOT_TOKEN= line in .env means "no token": open the console."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as a secret token."""
        if value is not None and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: Any) -> Any:
        """Accept the comma-separated form people write in .env files."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a numeric Telegram user id")
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Fail at start-up, not at the first digest, on a misspelt zone."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}, e.g. Europe/Kyiv") from error
        return value

    @field_validator("digest_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: Any) -> Any:
        """Digest time is written HH:MM, 24-hour clock, read exactly as /digesttime reads it."""
        if isinstance(value, str):
            parsed = parse_hhmm(value)
            if parsed is None:
                raise ValueError(f"{value[:20]!r} is not a time like 08:00")
            return parsed
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """Only the standard logging level names."""
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"{value!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone as an object."""
        return ZoneInfo(self.timezone)

    @property
    def api_root(self) -> str:
        """The Bot API server root without a trailing slash (self-hosted servers differ)."""
        return str(self.bot_api_base_url).rstrip("/")


class ConfigError(Exception):
    """A setting has a bad value; the message is one line naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning pydantic's report into one line that names the variable."""
    try:
        return Settings(**overrides)
    except OSError as error:
        # e.g. a root-owned .env that systemd can read (EnvironmentFile=) but the bot cannot.
        reason = (error.strerror or str(error)).lower()
        raise ConfigError(
            f"Cannot read {error.filename} ({reason}): let this user read it, e.g. "
            f"chgrp backchannel {error.filename} && chmod 640 {error.filename}"
        ) from None
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"Configuration error in {variable}: {message}") from None
