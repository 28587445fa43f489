"""Operator commands meeting a missing folder or an unusable database: one line, not a traceback.

Each case is what an operator types on a fresh machine or a misconfigured server. The answer is
one line on stderr saying what is wrong and what to do, and a non-zero exit code.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

import storage
from bot.cli.main import main
from tests import forked_cli

NOT_A_DATABASE = "Shopping list: milk, bread\n"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database as `backchannel run` leaves it (migrated and seeded, at the real time), made
    once for the module: each test gets a copy (`seeded_copy`), not ~0.1 s of seeding."""
    path = tmp_path_factory.mktemp("seeded") / "backchannel.db"
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    db.close()  # the last connection checkpoints the WAL: the one file is the whole database
    return path


def seeded_copy(seeded: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seeded, path)
    return path


@pytest.fixture
def live(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded database at DATABASE_PATH, as `backchannel run` leaves it."""
    path = seeded_copy(seeded, tmp_path / "data" / "backchannel.db")
    monkeypatch.setenv("DATABASE_PATH", str(path))
    return path


@pytest.fixture(autouse=True)
def serving_goes_nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` serves Telegram (it has a token), but never reaches a real server."""
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:9")


def one_line_failure(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI in-process; assert it failed with exactly one line on stderr; return it.

    `run` is run with a token (serving Telegram); without one it is `console`, tested as such.
    """
    with pytest.MonkeyPatch.context() as patch:
        if argv[0] == "run":
            patch.setenv("BOT_TOKEN", "424242:never-used")
        code = main(list(argv))
    err = capsys.readouterr().err
    assert code != 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_backup_into_a_new_folder_as_the_readme_shows(live: Path, capsys) -> None:
    assert main(["backup", "backups/b1.db"]) == 0
    assert "Backed up" in capsys.readouterr().out
    copy = sqlite3.connect("backups/b1.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM channels").fetchone() == (6,)


def test_export_and_timeline_into_a_new_folder(live: Path, capsys) -> None:
    assert main(["export", "--output", "exports/2026/history.csv"]) == 0
    assert Path("exports/2026/history.csv").read_text().startswith("channel,kind,phase")
    assert main(["timeline", "aid", "--output", "charts/aid.png"]) == 0
    assert Path("charts/aid.png").read_bytes().startswith(b"\x89PNG")
    err = capsys.readouterr().err
    assert "Wrote 6 entries to exports/2026/history.csv" in err
    assert "Wrote charts/aid.png" in err


@pytest.mark.parametrize("command", ["export", "timeline"])
def test_output_that_is_a_folder(live: Path, capsys, command: str) -> None:
    Path("charts").mkdir()
    line = one_line_failure(capsys, command, "--output", "charts")
    assert line == "charts is a folder: give a file name for --output, e.g. charts/out.csv" or (
        line == "charts is a folder: give a file name for --output, e.g. charts/out.png"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--output", "notes.txt/history.csv"],
        ["timeline", "--output", "notes.txt/chart.png"],
        ["backup", "notes.txt/b1.db"],
    ],
)
def test_output_under_a_file(live: Path, capsys, argv: list[str]) -> None:
    Path("notes.txt").write_text("not a folder")
    line = one_line_failure(capsys, *argv)
    assert "notes.txt is a file, not a folder" in line
    assert Path("notes.txt").read_text() == "not a folder"


@pytest.mark.parametrize(
    "argv",
    [
        ["export"],
        ["timeline"],
        ["set", "aid", "stalled", "Convoys halted"],
        ["note", "aid", "Convoy reached Kherson"],
        ["digest", "preview"],
        ["backup", "copy.db"],
        ["console"],
        ["run"],
    ],
)
def test_a_file_that_is_not_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, argv: list[str]
) -> None:
    Path("notes.db").write_text(NOT_A_DATABASE)
    monkeypatch.setenv("DATABASE_PATH", "notes.db")
    line = one_line_failure(capsys, *argv)
    assert "notes.db is not an SQLite database" in line
    assert "DATABASE_PATH" in line
    assert Path("notes.db").read_text() == NOT_A_DATABASE
    assert not Path("copy.db.partial").exists() and not Path("copy.db").exists()


@pytest.mark.parametrize(
    "argv", [["export"], ["set", "aid", "stalled", "Convoys halted"], ["console"], ["run"]]
)
def test_database_path_that_is_a_folder(
    monkeypatch: pytest.MonkeyPatch, capsys, argv: list[str]
) -> None:
    Path("data").mkdir()
    monkeypatch.setenv("DATABASE_PATH", "data")
    line = one_line_failure(capsys, *argv)
    assert line.startswith("Cannot open the database data: ")
    assert "DATABASE_PATH" in line


@pytest.mark.parametrize("argv", [["set", "aid", "stalled", "Convoys halted"], ["console"]])
def test_database_path_under_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys, argv: list[str]
) -> None:
    Path("notes.txt").write_text("not a folder")
    monkeypatch.setenv("DATABASE_PATH", "notes.txt/backchannel.db")
    line = one_line_failure(capsys, *argv)
    assert "notes.txt is a file, not a folder" in line and "DATABASE_PATH" in line


def test_backup_of_a_database_that_is_not_sqlite_keeps_nothing_half_written(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    Path("notes.db").write_text(NOT_A_DATABASE)
    monkeypatch.setenv("DATABASE_PATH", "notes.db")
    line = one_line_failure(capsys, "backup", "backups/copy.db")
    assert line.startswith("Backup failed: notes.db is not an SQLite database")
    assert list(Path("backups").iterdir()) == []


# Permissions: root ignores file modes, so as root the CLI runs without the capabilities that
# let it do so (what `setpriv --bounding-set=-dac_override,-dac_read_search` gives a command),
# exactly as an ordinary user would meet the problem. It runs as a process of its own, forked
# with the bot already imported (tests/forked_cli.py).
def _run_as_user(tmp_path: Path, database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_PATH": str(database)}
    return forked_cli.run_cli(list(args), cwd=tmp_path, env=env, as_user=True)


def _assert_one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture
def read_only_database(seeded: Path, tmp_path: Path) -> Path:
    """A seeded database file nobody may write (mode 444), in a writable folder."""
    path = seeded_copy(seeded, tmp_path / "data" / "backchannel.db")
    path.chmod(0o444)
    return path


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args", [("set", "aid", "stalled", "Convoys halted"), ("note", "aid", "Convoy arrived")]
)
def test_read_only_database(tmp_path: Path, read_only_database: Path, args) -> None:
    line = _assert_one_line(_run_as_user(tmp_path, read_only_database, *args))
    assert line.startswith(f"The database {read_only_database} is read-only for this user")
    assert "writable" in line


@pytest.mark.subprocess
def test_database_in_a_read_only_folder(tmp_path: Path, read_only_database: Path) -> None:
    read_only_database.chmod(0o644)
    read_only_database.parent.chmod(0o555)
    try:
        for args in [("export",), ("set", "aid", "stalled", "Convoys halted")]:
            line = _assert_one_line(_run_as_user(tmp_path, read_only_database, *args))
            assert f"The database {read_only_database} is read-only for this user" in line
    finally:
        read_only_database.parent.chmod(0o755)


@pytest.mark.subprocess
def test_new_database_in_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        for database in [locked / "backchannel.db", locked / "sub" / "backchannel.db"]:
            line = _assert_one_line(_run_as_user(tmp_path, database, "set", "aid", "stalled", "x"))
            assert str(locked) in line and "DATABASE_PATH" in line
    finally:
        locked.chmod(0o755)


@pytest.mark.subprocess
def test_outputs_into_a_folder_that_cannot_be_written(
    tmp_path: Path, read_only_database: Path
) -> None:
    read_only_database.chmod(0o644)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        for args in [
            ("export", "--output", "locked/history.csv"),
            ("timeline", "--output", "locked/charts/all.png"),
            ("backup", "locked/b1.db"),
        ]:
            line = _assert_one_line(_run_as_user(tmp_path, read_only_database, *args))
            assert "locked" in line and "permission" in line.lower(), line
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("name", ["photo.csv", "photo.json", "photo.yaml"])
def test_import_of_a_file_that_is_not_text(live: Path, capsys, name: str) -> None:
    Path(name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    line = one_line_failure(capsys, "import", name)
    assert line == (
        f"{name}: line 1 is not UTF-8 text; save the file as UTF-8 and try again "
        "(nothing was imported)."
    )


@pytest.mark.subprocess
def test_dotenv_this_user_cannot_read(tmp_path: Path, read_only_database: Path) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=UTC\n")
    (tmp_path / ".env").chmod(0o000)
    for args in [("export",), ("run",)]:
        line = _assert_one_line(_run_as_user(tmp_path, read_only_database, *args))
        assert line.startswith("Cannot read .env (permission denied): ")
        assert "chmod 640" in line
