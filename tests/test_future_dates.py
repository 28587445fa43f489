"""Dates ahead of the clock: refused on every path that writes one (the clock is NOW).

Readers would otherwise see "Date: 1 Jan 2030 · updated today" on a status nobody can know.
One day ahead is allowed, so an admin east of UTC can date something "today" local time.
"""

from __future__ import annotations

import json

import pytest

import storage
from tests.admin_support import rows
from tests.cli_support import cli_runner

FUTURE = "is in the future: a date may be at most one day ahead of now (2026-11-24 12:00 UTC)."


@pytest.fixture
def cli(settings, monkeypatch, capsys):
    return cli_runner(settings.database_path, monkeypatch, capsys)


@pytest.mark.parametrize("at", ["2030-01-01", "2026-11-25T12:00:01Z", "2026-11-26"])
def test_cli_set_refuses_a_future_date(cli, db, at: str) -> None:
    before = rows(db, "status_history")
    code, out, err = cli("set", "ceasefire", "negotiating", "Talks", "--at", at)
    assert code == 1 and out == ""
    assert "Nothing was changed" in err and FUTURE in err
    assert rows(db, "status_history") == before


def test_cli_set_accepts_up_to_a_day_ahead(cli, db) -> None:
    code, _, _ = cli("set", "ceasefire", "negotiating", "Talks", "--at", "2026-11-25T12:00Z")
    assert code == 0
    entry = storage.history(db, storage.find_channel(db, "ceasefire").id, 1)[0]
    assert entry.changed_at.isoformat() == "2026-11-25T12:00:00+00:00"


@pytest.mark.parametrize("suffix", ["csv", "yaml", "json"])
def test_import_refuses_a_future_date(cli, db, tmp_path, suffix: str) -> None:
    file = tmp_path / f"updates.{suffix}"
    row = {"channel": "aid", "kind": "note", "summary": "Convoy", "changed_at": "2030-01-01"}
    if suffix == "csv":
        file.write_text("channel,kind,summary,changed_at\naid,note,Convoy,2030-01-01\n")
    elif suffix == "yaml":
        file.write_text("- {channel: aid, kind: note, summary: Convoy, changed_at: 2030-01-01}\n")
    else:
        file.write_text(json.dumps([row]))
    before = rows(db, "status_history")
    code, _, err = cli("import", str(file))
    assert code == 1 and f"row 1: “2030-01-01T00:00:00+00:00” {FUTURE}" in err
    assert rows(db, "status_history") == before


@pytest.mark.parametrize("column", ["changed_at", "recorded_at", "reverted_at"])
def test_restore_refuses_a_future_date(cli, db, tmp_path, column: str) -> None:
    data = json.loads(cli("export", "--format", "json")[1])
    data.append({**data[0], "kind": "note", column: "2030-01-01T00:00:00+00:00"})
    if column == "reverted_at":
        data[-1]["reverted_by"] = "Olena"
    file, restored = tmp_path / "future.json", tmp_path / "restored.db"
    file.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = cli("import", str(file), "--into-empty", database=restored)
    assert code == 1 and out == ""
    assert f"row 7: “2030-01-01T00:00:00+00:00” {FUTURE}" in err
    assert storage.history_count(storage.open_database(restored)) == 0
