"""Webhook mode over real HTTP on 127.0.0.1: the secret token is required."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.bot_api_emulator import BotApiEmulator

pytestmark = pytest.mark.subprocess

TOKEN = "515151:webhook-test-token"
SECRET = "s3cret-Token_for-webhooks"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_log_line(stream, needle: str, limit: int = 2000) -> list[str]:
    """Read the bot's stderr until `needle` appears; return what was read."""
    seen = []
    for _ in range(limit):
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return seen
    pytest.fail(f"{needle!r} never logged; got {seen}")


def post_update(port: int, text: str, secret: str | None) -> int:
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "R"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram/hook",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json"},
    )
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_rejects_requests_without_the_secret(tmp_path) -> None:
    port = free_port()
    with BotApiEmulator() as server:
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": server.url,
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
            "LOG_LEVEL": "DEBUG",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--webhook"],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            early = wait_for_log_line(process.stderr, "Webhook Server started")
            (registered,) = server.wait_for_call("setWebhook")
            assert post_update(port, "/status", secret=None) == 403
            assert post_update(port, "/status", secret="wrong") == 403
            assert server.of("sendMessage") == []
            assert post_update(port, "/status", secret=SECRET) == 200
            (reply,) = server.wait_for_call("sendMessage")
        finally:
            process.send_signal(signal.SIGTERM)
            _, rest = process.communicate(timeout=30)
    stderr = "".join(early) + rest
    assert registered.params["url"] == "https://bot.example.org/telegram/hook"
    assert registered.params["secret_token"] == SECRET
    assert "Leader-level summit" in reply.params["text"]
    assert process.returncode == 0, stderr
    assert TOKEN not in stderr and SECRET not in stderr


def test_webhook_without_settings_says_what_is_missing(tmp_path) -> None:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "bot.db")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--webhook"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET" in result.stderr
