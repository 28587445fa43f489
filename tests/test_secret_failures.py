"""Every way `backchannel` can fail, as a real process: the token's secret part never shows.

Each test runs the CLI against the Bot API emulator (or a port nobody listens on) with a
recognisable token and webhook secret, then looks for their secret parts in stdout, stderr,
every file the process wrote, and the replies it sent.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests import forked_cli
from tests.bot_api_emulator import BotApiEmulator, Faults

TOKEN = "987654:AAH-recognisable-Secret_part-42"
SECRET_PART = TOKEN.split(":")[1]
HOOK_SECRET = "hook-Secret_recognisable-77"
pytestmark = pytest.mark.subprocess

REJECTED = "Telegram rejected BOT_TOKEN (401): check the token from @BotFather"


def unreachable_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def environment(tmp_path: Path, api_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "WEBHOOK_SECRET": HOOK_SECRET,
        "BOT_API_BASE_URL": api_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "LOG_LEVEL": "DEBUG",
    }


def assert_no_secret(tmp_path: Path, *outputs: str) -> None:
    """Neither secret in the outputs nor in any file under `tmp_path`."""
    for output in outputs:
        assert SECRET_PART not in output and HOOK_SECRET not in output, output
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_PART.encode() not in data and HOOK_SECRET.encode() not in data, path


def run_cli(tmp_path: Path, api_url: str, *command: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own, forked with the bot already imported (forked_cli)."""
    return forked_cli.run_cli(
        list(command), cwd=tmp_path, env=environment(tmp_path, api_url), timeout=120
    )


@pytest.mark.parametrize("command", [("run",), ("digest", "send-due")])
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, REJECTED),
        # A valid token behind a misconfigured proxy whose 404 page echoes the path.
        (404, "Telegram rejected BOT_TOKEN (404 Not Found from http://127.0.0.1:"),
        (500, "cannot reach the Bot API at http://127.0.0.1:"),
    ],
)
def test_start_up_failure_is_one_line_without_the_token(
    tmp_path, command, status, expected
) -> None:
    with BotApiEmulator(Faults(status=status)) as server:
        result = run_cli(tmp_path, server.url, *command)
        assert server.of("getMe"), "the bot never asked"
    assert result.returncode != 0
    assert result.stderr.rstrip().splitlines()[-1].startswith(expected), result.stderr
    assert "telegram.error." not in result.stderr  # no traceback of the failure itself
    assert_no_secret(tmp_path, result.stdout, result.stderr)


@pytest.mark.parametrize("command", [("run",), ("digest", "send-due")])
def test_unreachable_api_is_one_line_without_the_token(tmp_path, command) -> None:
    url = unreachable_url()
    result = run_cli(tmp_path, url, *command)
    assert result.returncode != 0
    last = result.stderr.rstrip().splitlines()[-1]
    assert last.startswith(f"cannot reach the Bot API at {url}: "), result.stderr
    assert "Traceback" not in result.stderr
    assert_no_secret(tmp_path, result.stdout, result.stderr)


def start(tmp_path: Path, api_url: str, *command: str) -> forked_cli.PipedCliProcess:
    """The CLI as its own process, stdout and stderr piped (forked_cli)."""
    return forked_cli.popen_cli(list(command), cwd=tmp_path, env=environment(tmp_path, api_url))


def read_until(process: forked_cli.PipedCliProcess, needle: str) -> str:
    """The process's stderr up to the first line containing `needle`."""
    assert process.stderr is not None
    seen = []
    while line := process.stderr.readline():
        seen.append(line)
        if needle in line:
            return "".join(seen)
    pytest.fail(f"{needle!r} never logged; got {''.join(seen)}")


def finish(process: forked_cli.PipedCliProcess, sig: signal.Signals) -> tuple[int, str, str]:
    process.send_signal(sig)
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, stdout, stderr


def test_network_drop_mid_run_then_sigterm(tmp_path) -> None:
    with BotApiEmulator() as server:
        process = start(tmp_path, server.url, "run")
        early = read_until(process, "Application started")
        server.drop_connections()
        early += read_until(process, "error while handling an update")  # polling failed
        code, stdout, rest = finish(process, signal.SIGTERM)
    assert code == 0, early + rest
    assert_no_secret(tmp_path, stdout, early, rest)


def test_crash_in_a_handler_then_sigterm(tmp_path) -> None:
    # The proxy answers replies with a 404 page that echoes the path, token included.
    with BotApiEmulator(Faults(send_status=404)) as server:
        process = start(tmp_path, server.url, "run")
        early = read_until(process, "Application started")
        server.push_text("/status")
        early += read_until(process, "error while handling an update")
        code, stdout, rest = finish(process, signal.SIGTERM)
        replies = [str(call.params) for call in server.calls]
    assert code == 0, early + rest
    assert "Traceback" in early + rest  # the error is logged in full, redacted
    assert_no_secret(tmp_path, stdout, early, rest, *replies)


def test_ctrl_c_while_serving_stops_cleanly(tmp_path) -> None:
    with BotApiEmulator() as server:
        process = start(tmp_path, server.url, "run")
        early = read_until(process, "Application started")
        code, stdout, rest = finish(process, signal.SIGINT)
    assert code == 0, early + rest
    assert_no_secret(tmp_path, stdout, early, rest)


def test_ctrl_c_during_digest_send_due_is_one_line(tmp_path) -> None:
    with BotApiEmulator() as server:
        server.gates["getMe"] = gate = threading.Event()
        process = start(tmp_path, server.url, "digest", "send-due")
        server.wait_for_call("getMe")  # start-up is waiting for Telegram
        code, stdout, stderr = finish(process, signal.SIGINT)
        gate.set()
    assert code == 130, stderr
    assert stderr.rstrip().splitlines()[-1] == "Interrupted."
    assert "Traceback" not in stderr
    assert_no_secret(tmp_path, stdout, stderr)


def test_sigterm_while_starting_up_leaves_no_secret(tmp_path) -> None:
    with BotApiEmulator() as server:
        server.gates["getMe"] = gate = threading.Event()
        process = start(tmp_path, server.url, "run")
        server.wait_for_call("getMe")
        code, stdout, stderr = finish(process, signal.SIGTERM)
        gate.set()
    assert code == 0, stderr
    assert_no_secret(tmp_path, stdout, stderr)
