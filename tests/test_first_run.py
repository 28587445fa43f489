"""The first run exactly as the README tells it: `cp .env.example .env`, then `make run`."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from tests import forked_cli
from tests.bot_api_emulator import BotApiEmulator

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
TOKEN = "424242:first-run-token"


def _settings_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def _clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any Backchannel setting, plus `extra`."""
    names = _settings_names()
    env = {key: value for key, value in os.environ.items() if key not in names}
    return {**env, **extra}


@pytest.fixture
def copied_example(tmp_path: Path) -> Path:
    """A folder holding `.env`, a byte-for-byte copy of the shipped `.env.example`."""
    shutil.copyfile(EXAMPLE, tmp_path / ".env")
    assert (tmp_path / ".env").read_bytes() == EXAMPLE.read_bytes()
    return tmp_path


@pytest.mark.subprocess
@pytest.mark.parametrize("command", ["console", "run"])
def test_console_starts_from_the_copied_example(copied_example: Path, command: str) -> None:
    # Forked with the bot already imported (tests/forked_cli.py): what is tested is the copied
    # .env, read at start-up as ever; the Telegram-mode test below and tests/test_console.py
    # start `python -m bot.cli run` afresh.
    result = forked_cli.run_cli(
        [command], cwd=copied_example, env=_clean_env(), input="/status\n", timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Configuration error" not in result.stderr
    assert "Backchannel: where the talks stand" in result.stdout
    assert (copied_example / "data" / "backchannel.db").is_file()


@pytest.mark.subprocess
def test_telegram_mode_starts_from_the_copied_example(copied_example: Path) -> None:
    with BotApiEmulator() as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=copied_example,
            env=_clean_env(BOT_TOKEN=TOKEN, BOT_API_BASE_URL=server.url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            server.push_text("/status")
            (reply,) = server.wait_for_call("sendMessage", timeout=60)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Configuration error" not in stderr
    assert "Backchannel: where the talks stand" in reply.params["text"]


def test_every_empty_line_in_dotenv_means_the_default(tmp_path: Path) -> None:
    names = sorted(_settings_names())
    env = tmp_path / ".env"
    env.write_text("".join(f"{name}=\n" for name in names))
    assert load_settings(_env_file=env) == load_settings(_env_file=None)


def test_empty_token_exported_means_console_even_with_one_in_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text(f"BOT_TOKEN={TOKEN}\nDATABASE_PATH=other.db\n")
    monkeypatch.setenv("BOT_TOKEN", "")
    monkeypatch.setenv("DATABASE_PATH", " ")
    settings = load_settings(_env_file=env)
    # The environment wins over .env, and empty there means "the default" as well.
    assert settings.bot_token is None
    assert settings.database_path == Path("data/backchannel.db")


def test_empty_webhook_settings_exported_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "")
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    monkeypatch.setenv("WEBHOOK_PORT", "")
    settings = load_settings(_env_file=None)
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert settings.webhook_port == 8443
