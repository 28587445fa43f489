"""Opening the SQLite database the way every part of Backchannel needs it."""

import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.migrations import migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class _ImmediateConnection(sqlite3.Connection):
    """A connection whose explicit transactions take the write lock when they begin.

    sqlite-utils' `atomic()` sends a plain (deferred) BEGIN. Such a transaction reads first
    and asks for the write lock at its first write; if another process (the CLI, a backup)
    committed in between, SQLite answers "database is locked" at once, without waiting out
    the busy timeout, because waiting could not help. BEGIN IMMEDIATE waits for the lock up
    front, so writers queue for up to BUSY_TIMEOUT_MS instead of failing.
    """

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        """Run one statement, turning a bare BEGIN into BEGIN IMMEDIATE."""
        # Checked by length first: every query passes here, and only a short one can be BEGIN.
        if len(sql) < 16 and sql.strip().rstrip(";").upper() == "BEGIN":
            sql = "BEGIN IMMEDIATE"
        return super().execute(sql, *args)


def open_database(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database, in WAL mode.

    WAL lets readers keep answering while an admin or the digest job writes, and the busy
    timeout turns brief write contention into a short wait instead of "database is locked".
    Pass ":memory:" for a private in-memory database (tests).
    """
    # check_same_thread=False: work handed to a thread (backups, CLI helpers) may reuse it.
    if str(path) == ":memory:":
        db = Database(
            sqlite3.connect(":memory:", check_same_thread=False, factory=_ImmediateConnection)
        )
    else:
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        db = Database(
            sqlite3.connect(str(file), check_same_thread=False, factory=_ImmediateConnection)
        )
        # The timeout first: switching to WAL needs a lock another process may hold.
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    pending = [migration.name for migration in migrations.pending(db)]
    if pending:
        log.info("applying migrations: %s", ", ".join(pending))
        migrations.apply(db)
    return db


def data_version(db: Database) -> tuple[int, int]:
    """A value that changes whenever any connection commits a change to the database.

    `PRAGMA data_version` moves on commits by other connections (the CLI, a second process);
    `total_changes` counts this connection's own writes. Together they let callers cache
    anything derived from the data and know exactly when it went stale.
    """
    (version,) = db.execute("PRAGMA data_version").fetchone()
    return version, db.conn.total_changes


def database_file(db: Database) -> Path | None:
    """The file behind an open database, or None for an in-memory one.

    Parts of the bot that need a connection of their own (the status page's worker thread)
    open the same file rather than share this connection across threads.
    """
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def writer_connection(db: Database) -> Database | None:
    """A second connection to `db`'s file, for writes made from another thread.

    None for an in-memory database, which no second connection can see. Writes through it
    and through `db` queue for SQLite's write lock (busy timeout), as two processes do.
    """
    path = database_file(db)
    return None if path is None else open_database(path)
