"""Exports: rows from storage, CSV/JSON files, /export for admins only, and the CLI."""

import csv
import io
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

import bot.cli.main
import storage
from bot.cli.offline_api import OfflineBotApi
from render.export_files import to_csv, to_json
from storage.models import Actor
from tests.chart_support import png_size
from tests.conftest import ADMIN_ID, Chat

COLUMNS = [
    "channel", "kind", "phase", "summary", "source_label", "source_url", "source_grade",
    "changed_at", "recorded_at", "actor_id", "actor_name", "reverted_at", "reverted_by",
]  # fmt: skip
EDITOR = Actor(id=ADMIN_ID, name="Editor Ölga")
TRICKY = 'Convoy, "trucks" & 🚛\nsecond line'


@pytest.fixture
def history(db, frozen_time) -> None:
    """Seeded statuses (1 Jan 2025), then a status and a note recorded a day apart."""
    aid = storage.find_channel(db, "aid")
    storage.record_status(
        db, channel_id=aid.id, kind="status", phase="negotiating", summary=TRICKY, actor=EDITOR,
        source_url="https://example.org/a", source_grade="official",
    )  # fmt: skip
    frozen_time.shift(86400)
    storage.record_status(
        db, channel_id=storage.find_channel(db, "swaps").id, kind="note", phase="implementing",
        summary="Second swap this month", actor=EDITOR,
    )  # fmt: skip


def test_export_rows_are_oldest_first_with_every_column(db, history) -> None:
    rows = storage.export_rows(db)
    assert list(storage.EXPORT_COLUMNS) == COLUMNS
    assert [row.channel for row in rows] == [
        "summit", "aid", "ceasefire", "exchanges", "corridors", "reconstruction", "aid",
        "exchanges",
    ]  # fmt: skip
    aid = rows[-2]
    assert (aid.kind, aid.phase, aid.summary, aid.source_grade) == (
        "status", "negotiating", TRICKY, "official",
    )  # fmt: skip
    assert aid.changed_at == datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert (aid.actor_id, aid.actor_name) == (ADMIN_ID, "Editor Ölga")
    assert rows[-1].kind == "note" and rows[0].actor_id is None


@pytest.mark.parametrize(("days_back", "count"), [(None, 8), (800, 8), (1, 2), (0, 1)])
def test_export_since_keeps_later_entries(db, history, days_back, count) -> None:
    now = datetime.now(UTC)
    since = None if days_back is None else now - timedelta(days=days_back)
    assert len(storage.export_rows(db, since=since)) == count


def test_csv_reads_back_exactly(db, history) -> None:
    rows = storage.export_rows(db)
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows), newline="")))
    assert list(parsed[0]) == COLUMNS
    assert len(parsed) == len(rows)
    assert parsed[-2]["summary"] == TRICKY
    assert parsed[-2]["changed_at"] == "2026-11-24T12:00:00+00:00"
    assert parsed[0]["actor_id"] == "" and parsed[0]["source_url"] == ""
    assert parsed[-1]["recorded_at"] == "2026-11-25T12:00:00+00:00"


def test_json_is_an_array_of_objects_in_column_order(db, history) -> None:
    data = json.loads(to_json(storage.export_rows(db)))
    assert [list(item) for item in data] == [COLUMNS] * len(data)
    assert data[-2]["summary"] == TRICKY and data[-2]["actor_id"] == ADMIN_ID
    assert data[0]["actor_id"] is None and data[0]["source_url"] is None
    assert data[0]["changed_at"] == "2025-01-01T00:00:00+00:00"


def test_empty_history_exports_headers_only() -> None:
    assert to_csv([]).splitlines() == [",".join(COLUMNS)]
    assert json.loads(to_json([])) == []


async def test_admin_gets_csv_and_json_documents(app, api: OfflineBotApi, history) -> None:
    admin = Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Admin")
    assert await admin.send("/export") == []
    documents = api.uploads("sendDocument")
    assert [call.files["document"].filename for call in documents] == [
        "backchannel-history-2026-11-25.csv",
        "backchannel-history-2026-11-25.json",
    ]
    assert all(call.params["chat_id"] == ADMIN_ID for call in documents)
    assert documents[0].params["caption"] == "Full history as CSV: 8 entries, oldest first."
    csv_text = documents[0].files["document"].content.decode("utf-8")
    json_text = documents[1].files["document"].content.decode("utf-8")
    assert csv_text == to_csv(storage.export_rows(app.bot_data["db"]))
    assert json.loads(json_text)[-1]["summary"] == "Second swap this month"


async def test_non_admin_is_refused_and_logged(
    any_chat: Chat, api: OfflineBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        reply = await any_chat.ask("/export")
    assert reply.startswith("Sorry, only Backchannel admins can use that command")
    assert api.uploads("sendDocument") == []
    assert "refused admin action export_history to user 501" in caplog.text


async def test_export_is_not_offered_to_readers(private_chat: Chat, api: OfflineBotApi) -> None:
    assert "/export" not in await private_chat.ask("/help")
    (menu,) = [m for m in api.sent("setMyCommands") if "language_code" not in m]
    assert "export" not in [command["command"] for command in menu["commands"]]


@pytest.fixture
def cli(settings, db, monkeypatch: pytest.MonkeyPatch):
    """Run `backchannel ...` against the test database; returns the exit code."""
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    monkeypatch.setattr(bot.cli.main, "configure_logging", lambda *args: None)
    return lambda *argv: bot.cli.main.main(list(argv))


def test_cli_export_to_stdout(cli, history, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("export", "--format", "json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 8
    assert cli("export", "--since", "2026-11-25") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(COLUMNS) and lines[1].startswith("exchanges,note,")


def test_cli_export_to_file(cli, db, history, tmp_path, capsys) -> None:
    target = tmp_path / "out" / "history.csv"
    target.parent.mkdir()
    assert cli("export", "--format", "csv", "--output", str(target)) == 0
    assert target.read_bytes().decode("utf-8") == to_csv(storage.export_rows(db))
    assert f"Wrote 8 entries to {target}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--since", "last week"], "'last week' is not a date like 2026-01-31"),
        (["export", "--format", "xml"], "invalid choice: 'xml'"),
        (["timeline", "--days", "0"], "days must be a whole number from 1 to 3650"),
    ],
)
def test_cli_rejects_bad_options(cli, argv, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(*argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "file", "height"),
    [
        (["timeline", "prisoners", "--days", "30"], "timeline-exchanges.png", 896),
        (["timeline", "--output", "all.png"], "all.png", 1000),
    ],
)
def test_cli_timeline_writes_a_png(cli, tmp_path, argv, file, height) -> None:
    assert cli(*argv) == 0
    assert png_size((tmp_path / file).read_bytes()) == (1080, height)


def test_cli_timeline_unknown_channel(cli, capsys) -> None:
    assert cli("timeline", "ceasfire") == 2
    assert "Did you mean ceasefire?" in capsys.readouterr().err


def test_cli_without_database(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "missing.db"))
    monkeypatch.setattr(bot.cli.main, "configure_logging", lambda *args: None)
    assert bot.cli.main.main(["export"]) == 1
    assert "There is no database at" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


# The console draws in the bot's own chart pool: worker processes.
@pytest.mark.subprocess
async def test_console_saves_and_announces_files(settings, db) -> None:
    from bot.cli.console import CONSOLE_USER_ID, run_console

    admin_console = settings.model_copy(update={"admin_ids": frozenset({CONSOLE_USER_ID})})
    out = io.StringIO()
    stdin = io.StringIO("/timeline aid 7\n/export\n")
    await run_console(admin_console, db, stdin=stdin, stdout=out)
    saved = settings.database_path.parent / "console"
    shown = out.getvalue()
    photo = re.escape(f"saved to {saved / 'timeline-aid.png'}]")
    assert re.search(rf"bot> \[photo: timeline-aid\.png, \d+ KB, {photo}", shown)
    assert "Civilian humanitarian aid access, last 7 days" in shown
    assert "[document: backchannel-history-2026-11-24.json, " in shown
    assert png_size((saved / "timeline-aid.png").read_bytes()) == (1080, 896)
    assert len(json.loads((saved / "backchannel-history-2026-11-24.json").read_text())) == 6
