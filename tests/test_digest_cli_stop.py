"""`backchannel digest send-due` stopped by SIGTERM (cron's or systemd's time-out) mid-run."""

import os
import signal
import threading
from datetime import UTC, datetime, timedelta

import pytest

import storage
from tests.bot_api_emulator import BotApiEmulator
from tests.digest_support import add_subscriber, set_status
from tests.forked_cli import start_cli

pytestmark = pytest.mark.subprocess

TOKEN = "717171:send-due-stop-test"
CHATS = range(2001, 2021)


def test_sigterm_stops_send_due_between_digests_and_the_rest_go_next_run(tmp_path) -> None:
    db = storage.open_database(tmp_path / "bot.db")
    storage.seed_if_empty(db)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    for chat_id in CHATS:
        add_subscriber(db, chat_id, ["aid"], now=long_ago)
    set_status(db, "aid", "negotiating", "Convoys resume")
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        # No pacing to wait out: the 19 digests of the second run took 0.6 s at the default 30
        # a second (tests/test_digest_runs.py tests the pacing).
        "DIGEST_RATE_LIMIT": "1000",
    }
    out = tmp_path / "out.txt"
    with BotApiEmulator() as server:
        env["BOT_API_BASE_URL"] = server.url
        gate = server.gates["sendMessage"] = threading.Event()
        process = start_cli(["digest", "send-due"], cwd=tmp_path, env=env, stdout=out)
        try:
            server.wait_for_call("sendMessage")  # the first digest is on the wire, unanswered
            process.send_signal(signal.SIGTERM)
            gate.set()
            code = process.wait(60)
        finally:
            if process.poll() is None:
                process.kill()
        first_run = {chat for chat, _ in server.delivered}
        assert code == 0, out.read_text()
        said = out.read_text()
        assert "Stopped early (SIGTERM)" in said
        assert f"{len(first_run)} delivered" in said
        assert 1 <= len(first_run) < len(CHATS)
        # What went out is recorded; the rest are still due and the next run sends them once.
        for chat_id in CHATS:
            sent = storage.get_subscriber(db, chat_id).last_digest_at is not None
            assert sent == (chat_id in first_run)
        server.gates.clear()
        second = start_cli(["digest", "send-due"], cwd=tmp_path, env=env, stdout=out)
        assert second.wait(60) == 0
        chats = [chat for chat, _ in server.delivered]
    assert sorted(chats) == list(CHATS)
    db.close()


def test_sigterm_while_send_due_waits_for_telegram_stops_at_once(tmp_path) -> None:
    db = storage.open_database(tmp_path / "bot.db")
    storage.seed_if_empty(db)
    add_subscriber(db, 2001, ["aid"], now=datetime.now(UTC) - timedelta(days=3))
    set_status(db, "aid", "negotiating", "Convoys resume")
    env = {**os.environ, "BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "bot.db")}
    out = tmp_path / "out.txt"
    with BotApiEmulator() as server:
        env["BOT_API_BASE_URL"] = server.url
        gate = server.gates["getMe"] = threading.Event()  # Telegram does not answer yet
        process = start_cli(["digest", "send-due"], cwd=tmp_path, env=env, stdout=out)
        try:
            server.wait_for_call("getMe")
            process.send_signal(signal.SIGTERM)
            code = process.wait(20)  # before the gate opens: it did not wait for Telegram
        finally:
            gate.set()
            if process.poll() is None:
                process.kill()
        assert server.of("sendMessage") == []
    assert code == 0
    assert "Stopped (SIGTERM) before sending anything" in out.read_text()
    assert storage.get_subscriber(db, 2001).last_digest_at is None
    db.close()
