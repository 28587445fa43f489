"""SIGTERM while a reply is being sent: the bot finishes it, then exits cleanly."""

import os
import signal
import threading

import pytest

import storage
from storage.models import Actor
from tests import forked_cli
from tests.bot_api_emulator import BotApiEmulator

pytestmark = pytest.mark.subprocess

TOKEN = "616161:shutdown-test"


def test_sigterm_finishes_the_reply_in_flight(tmp_path) -> None:
    db = storage.open_database(tmp_path / "bot.db")
    storage.seed_if_empty(db)
    aid = storage.find_channel(db, "aid")
    for number in range(30):
        storage.record_status(
            db, channel_id=aid.id, kind="note", phase="partial_agreement",
            summary=f"note {number:02d} " + "x" * 400, actor=Actor(id=1, name="A"),
        )  # fmt: skip
    db.close()
    with BotApiEmulator() as server:
        gate = server.gates["sendMessage"] = threading.Event()
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": server.url,
            "DATABASE_PATH": str(tmp_path / "bot.db"),
        }
        # A process of its own, forked with the bot already imported (tests/forked_cli.py).
        process = forked_cli.popen_cli(["run"], cwd=tmp_path, env=env)
        try:
            server.push_text("/history aid 30")
            server.wait_for_call("sendMessage")  # first part is on the wire, unanswered
            process.send_signal(signal.SIGTERM)
            gate.set()
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        parts = [call.params["text"] for call in server.of("sendMessage")]
    assert process.returncode == 0, stderr
    assert len(parts) >= 3
    assert "note 00" in parts[-1] and "note 29" in parts[0]
