"""Online backups: a consistent copy of the live database without stopping the bot."""

import sqlite3
from contextlib import closing
from pathlib import Path

from storage.errors import StorageError


class BackupError(StorageError):
    """The backup could not be written; the message says what to do instead."""


def backup_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` with SQLite's backup API; returns the copy's size in bytes.

    The backup API reads a consistent snapshot even while the bot writes (WAL mode), and the
    copy is written to a temporary file and renamed, so a crash never leaves a half backup
    under the target name.
    """
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    # The folder is created as `mkdir -p` would; an OSError (a file in the way, no permission)
    # names the path, and the CLI turns it into one line.
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch()  # fails here, with the path, when the folder is not writable
    try:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(_unreadable(source, error)) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    partial.rename(target)
    return target.stat().st_size


def _unreadable(source: Path, error: sqlite3.DatabaseError) -> str:
    """Why the live database could not be copied, and what to check."""
    if "not a database" in str(error):
        return f"{source} is not an SQLite database; check DATABASE_PATH"
    return f"could not copy {source} ({error}); check DATABASE_PATH and the file's permissions"
