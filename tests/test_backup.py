"""`backchannel backup PATH`: an online, consistent copy while the bot holds the database."""

import sqlite3
import subprocess

import pytest

import storage
from storage.models import Actor
from tests import forked_cli

pytestmark = pytest.mark.subprocess


def run_cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """The CLI in a process of its own (forked with the bot already imported: forked_cli)."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_PATH": str(tmp_path / "live.db")}
    return forked_cli.run_cli(list(args), cwd=tmp_path, env=env)


def test_backup_while_a_writer_holds_an_open_transaction(tmp_path) -> None:
    live = storage.open_database(tmp_path / "live.db")
    storage.seed_if_empty(live)
    channel = storage.find_channel(live, "aid")
    storage.record_status(
        live, channel_id=channel.id, kind="note", phase="partial_agreement",
        summary="committed before the backup", actor=Actor(id=1, name="A"),
    )  # fmt: skip
    live.execute("BEGIN")
    live.execute(
        "INSERT INTO audit_log (at, actor_name, action) VALUES ('2026-01-01', 'x', 'uncommitted')"
    )
    result = run_cli(tmp_path, "backup", str(tmp_path / "copy.db"))
    live.execute("ROLLBACK")
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    summaries = {row[0] for row in copy.execute("SELECT summary FROM status_history")}
    assert "committed before the backup" in summaries
    assert copy.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'uncommitted'"
    ).fetchone() == (0,)
    restored = storage.open_database(tmp_path / "copy.db")
    assert len(storage.current_statuses(restored)) == 6


def test_backup_refuses_to_overwrite(tmp_path) -> None:
    storage.open_database(tmp_path / "live.db").close()
    (tmp_path / "taken.db").write_bytes(b"precious")
    result = run_cli(tmp_path, "backup", str(tmp_path / "taken.db"))
    assert result.returncode == 1
    assert "already exists; choose a new file name" in result.stderr
    assert (tmp_path / "taken.db").read_bytes() == b"precious"


def test_backup_of_missing_database_says_so(tmp_path) -> None:
    result = run_cli(tmp_path, "backup", str(tmp_path / "copy.db"))
    assert result.returncode == 1 and "there is no database at" in result.stderr
