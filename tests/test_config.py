"""Settings: defaults, .env parsing, and one clear line for every bad value."""

import subprocess
import sys
from datetime import time

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_without_env(tmp_path) -> None:
    settings = load_settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.database_path.as_posix() == "data/backchannel.db"
    assert settings.api_root == "https://api.telegram.org"
    assert settings.timezone == "Europe/Kyiv" and settings.digest_time == time(8, 0)


def test_values_come_from_dotenv_file(tmp_path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "BOT_TOKEN=123:abc\nADMIN_IDS=11, 22\nBOT_API_BASE_URL=http://127.0.0.1:8081/\n"
        "TIMEZONE=UTC\nDIGEST_TIME=07:30\nLOG_LEVEL=debug\n"
    )
    settings = load_settings(_env_file=env)
    assert settings.bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)
    assert settings.admin_ids == {11, 22}
    assert settings.api_root == "http://127.0.0.1:8081"
    assert settings.digest_time == time(7, 30) and settings.log_level == "DEBUG"


def test_environment_overrides_dotenv(tmp_path, monkeypatch) -> None:
    env = tmp_path / ".env"
    env.write_text("TIMEZONE=UTC\n")
    monkeypatch.setenv("TIMEZONE", "Europe/Berlin")
    assert load_settings(_env_file=env).timezone == "Europe/Berlin"


def test_empty_token_means_console(tmp_path) -> None:
    env = tmp_path / ".env"
    env.write_text("BOT_TOKEN=\n")
    assert load_settings(_env_file=env).bot_token is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ADMIN_IDS=12,bob", "Configuration error in ADMIN_IDS: 'bob' is not a numeric"),
        ("TIMEZONE=Mars/Olympus", "Configuration error in TIMEZONE: unknown IANA time zone"),
        ("DIGEST_TIME=8am", "Configuration error in DIGEST_TIME: '8am' is not a time like 08:00"),
        ("DIGEST_TIME=25:00", "Configuration error in DIGEST_TIME"),
        ("BOT_API_BASE_URL=telegram", "Configuration error in BOT_API_BASE_URL"),
        ("LOG_LEVEL=chatty", "Configuration error in LOG_LEVEL: 'chatty' is not one of"),
    ],
)
def test_bad_value_names_the_variable(tmp_path, line, message) -> None:
    env = tmp_path / ".env"
    env.write_text(line + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=env)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.subprocess
def test_cli_stops_with_one_line_on_bad_value(tmp_path) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Nowhere/Land\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        cwd=tmp_path,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error in TIMEZONE: unknown IANA time zone 'Nowhere/Land', e.g. Europe/Kyiv"
    ]
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("typed", ["7:5", "24:00", "07:60", "0730", "\u0660\u0667:\u0663\u0660"])
def test_digest_time_is_read_exactly_as_digesttime_reads_it(tmp_path, typed) -> None:
    # One HH:MM parser for the setting, /digesttime and the CLI: what one refuses, all refuse.
    from storage.schedule import parse_hhmm

    assert parse_hhmm(typed) is None
    env = tmp_path / ".env"
    env.write_text(f"DIGEST_TIME={typed}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="DIGEST_TIME"):
        load_settings(_env_file=env)
