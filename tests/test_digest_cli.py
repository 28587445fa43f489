"""`backchannel digest preview|send-due` from the command line."""

import json
import threading
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl

import pytest

import storage
from bot.cli.main import main
from bot.cli.offline_api import BOT_USER
from tests.bot_api_emulator import SHUTDOWN_POLL_SECONDS
from tests.digest_support import add_subscriber, set_status


@pytest.fixture
def cli_db(tmp_path, monkeypatch, frozen_time, seeded_database):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.db"))
    db = seeded_database(tmp_path / "cli.db")
    yield db
    db.close()


def test_preview_of_every_channel_for_the_last_day(cli_db, capsys, frozen_time) -> None:
    frozen_time.shift(86400 * 2)
    set_status(cli_db, "aid", "negotiating", "Convoys <resume>")
    assert main(["digest", "preview"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Every channel, changes of the last 24 hours:")
    assert "Convoys <resume>" in out and "Civilian humanitarian aid access · /aid" in out
    assert "Leader-level summit" not in out  # seeded long before


def test_preview_of_the_last_day_goes_by_when_things_happened(cli_db, capsys) -> None:
    # A fresh database: the seed (dated 1 Jan 2025) was recorded just now.
    now = datetime.now(UTC)
    set_status(cli_db, "aid", "negotiating", "Typed in today, happened last week",
               changed_at=now - timedelta(days=7))  # fmt: skip
    set_status(cli_db, "corridors", "negotiating", "Route agreed this morning",
               changed_at=now - timedelta(hours=3))  # fmt: skip
    assert main(["digest", "preview"]) == 0
    out = capsys.readouterr().out
    assert "Route agreed this morning" in out
    assert "happened last week" not in out
    assert "Leader-level summit" not in out and "1 Jan 2025" not in out


def test_preview_of_a_quiet_day_says_so(cli_db, capsys) -> None:
    assert main(["digest", "preview"]) == 0
    out = capsys.readouterr().out
    assert "Nothing new" in out and "1 Jan 2025" not in out


def test_preview_of_one_chat_moves_nothing(cli_db, capsys) -> None:
    add_subscriber(cli_db, 42, ["aid"], at=time(7, 30))
    set_status(cli_db, "aid", "negotiating", "Convoys resume")
    before = storage.get_subscriber(cli_db, 42)
    assert main(["digest", "preview", "--chat", "42"]) == 0
    out = capsys.readouterr().out
    assert "Chat 42, active, next digest due 2026-11-25 05:30 UTC" in out
    assert "Convoys resume" in out
    assert storage.get_subscriber(cli_db, 42) == before
    assert main(["digest", "preview", "--chat", "43"]) == 1
    assert "never subscribed" in capsys.readouterr().err


def test_send_due_needs_a_token(cli_db, capsys) -> None:
    assert main(["digest", "send-due"]) == 2
    assert "needs BOT_TOKEN" in capsys.readouterr().err


def test_digest_needs_a_subcommand(cli_db, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["digest"])
    assert "preview" in capsys.readouterr().err


class _FakeTelegram(BaseHTTPRequestHandler):
    """Just enough Bot API over real HTTP for send-due: getMe and sendMessage."""

    sent: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        params = json.loads(body) if body.startswith("{") else dict(parse_qsl(body))
        method = self.path.rsplit("/", 1)[-1]
        result = BOT_USER if method == "getMe" else True
        if method == "sendMessage":
            self.sent.append(params)
            chat = {"id": int(params["chat_id"]), "type": "private"}
            result = {"message_id": len(self.sent), "date": 0, "chat": chat, "text": "x"}
        payload = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_telegram(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTelegram)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True
    )
    thread.start()
    _FakeTelegram.sent = []
    monkeypatch.setenv("BOT_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-TOKEN-never-sent-anywhere")
    yield _FakeTelegram.sent
    server.shutdown()
    server.server_close()


def test_send_due_sends_over_http_and_records(cli_db, fake_telegram, capsys, frozen_time) -> None:
    add_subscriber(cli_db, 42)
    add_subscriber(cli_db, 43, ["summit"])  # quiet, nothing new
    set_status(cli_db, "aid", "negotiating", "Convoys resume")
    assert main(["digest", "send-due"]) == 0
    assert fake_telegram == []  # nobody is due yet
    frozen_time.shift(86400)
    assert main(["digest", "send-due"]) == 0
    assert "1 delivered, 1 with nothing new" in capsys.readouterr().out
    (sent,) = fake_telegram
    assert int(sent["chat_id"]) == 42 and "Convoys resume" in sent["text"]
    assert main(["digest", "send-due"]) == 0
    assert len(fake_telegram) == 1
    assert storage.get_subscriber(cli_db, 42).last_digest_at is not None


def test_preview_of_one_chat_is_in_that_chats_language(cli_db, capsys) -> None:
    add_subscriber(cli_db, 42, ["aid"], at=time(7, 30))
    storage.choose_language(cli_db, 42, "uk")
    set_status(cli_db, "aid", "negotiating", "Convoys resume")
    assert main(["digest", "preview", "--chat", "42"]) == 0
    out = capsys.readouterr().out
    assert "Chat 42, active" in out  # the operator's own lines stay English
    digest = out.split("\n\n", 1)[1]
    assert "Дайджест Backchannel" in digest and "1 зміна у 1 каналі" in digest  # noqa: RUF001
    assert "Convoys resume (англійською)" in digest  # the admin's words, marked
    assert "Backchannel digest" not in digest and "change" not in digest
