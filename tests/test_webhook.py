"""Webhook mode over real HTTP on 127.0.0.1: the secret token is required, before any body.

`backchannel run --webhook` runs as a process of its own, forked with the bot already imported
(tests/forked_cli.py); tests/test_first_run.py starts the entry point afresh.
"""

import json
import os
import select
import signal
import socket
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import forked_cli
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
        process = forked_cli.popen_cli(["run", "--webhook"], cwd=tmp_path, env=env)
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
    result = forked_cli.run_cli(["run", "--webhook"], cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET" in result.stderr


ATTACK_BODY = 95 * 1024 * 1024
CHUNK = 256 * 1024


def peak_memory_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def stream_post(port: int, length: int, headers: dict[str, str], chunked: bool = False) -> int:
    """POST `length` bytes in chunks, stopping as soon as the server answers or hangs up.

    Returns the HTTP status the server sent, or 0 if it closed without one.
    """
    head = ["POST /telegram/hook HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    chunk = b"x" * CHUNK
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        sent = 0
        try:
            while sent < length:
                readable, _, _ = select.select([connection], [], [], 0)
                if readable:
                    break  # the server answered (or hung up) before taking the body
                if chunked:
                    connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    connection.sendall(chunk)
                sent += len(chunk)
            answer = connection.recv(1024)
        except TimeoutError:
            return 0  # the server neither took the body nor answered
        except (BrokenPipeError, ConnectionResetError):
            try:
                answer = connection.recv(1024)
            except OSError:
                answer = b""
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else 0


class StderrReader(threading.Thread):
    """Reads a process's stderr to the end, so the pipe never fills while the test is busy."""

    def __init__(self, stream, needle: str) -> None:
        super().__init__(daemon=True)
        self.stream, self.needle = stream, needle
        self.lines: list[str] = []
        self.seen = threading.Event()

    def run(self) -> None:
        for line in self.stream:
            self.lines.append(line)
            if self.needle in line:
                self.seen.set()


def test_unauthenticated_and_oversized_bodies_are_refused_unread(tmp_path) -> None:
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
        process = forked_cli.popen_cli(["run", "--webhook"], cwd=tmp_path, env=env)
        reader = StderrReader(process.stderr, "Webhook Server started")
        reader.start()
        try:
            assert reader.seen.wait(timeout=120), "".join(reader.lines)
            assert post_update(port, "/status", secret=SECRET) == 200
            server.wait_for_call("sendMessage")
            before = peak_memory_kb(process.pid)
            with ThreadPoolExecutor(10) as pool:
                attacks = list(pool.map(lambda _: stream_post(port, ATTACK_BODY, {}), range(10)))
            grown_mb = (peak_memory_kb(process.pid) - before) / 1024
            secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            too_big = stream_post(port, 2 * 1024 * 1024, secret)
            too_big_chunked = stream_post(port, 2 * 1024 * 1024, secret, chunked=True)
            assert post_update(port, "/help", secret=SECRET) == 200  # still serving
            server.wait_for_call("sendMessage", count=2)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            reader.join(timeout=30)
            process.stdout.close()
            process.stderr.close()
    assert grown_mb < 50, f"the bot grew by {grown_mb:.0f} MB"
    assert attacks == [403] * 10
    assert (too_big, too_big_chunked) == (413, 413)
    assert process.returncode == 0, "".join(reader.lines)
