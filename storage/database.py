"""Opening the SQLite database the way every part of Backchannel needs it."""

import asyncio
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.errors import DatabaseReplacedError
from storage.migrations import migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


# Statements that can change the database; anything else (SELECT, PRAGMA, ...) only reads.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN", "CREATE", "DROP", "ALTER")


@dataclass(frozen=True)
class FileIdentity:
    """Which file the connection opened: its path, device and inode, and whether it was new.

    SQLite keeps writing to the file it opened even after that file was deleted or replaced
    at its path (a restore with `mv`, a clean-up script): every write would then look saved and
    be lost with the process. Comparing the path's identity before each write transaction (one
    `stat`) catches that at once.
    """

    path: Path
    device: int
    inode: int
    created: bool  # no file was at the path when it was opened

    def check(self) -> None:
        """Raise DatabaseReplacedError unless the path still names the opened file."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            raise DatabaseReplacedError(self.path, vanished=True) from None
        if (now.st_dev, now.st_ino) != (self.device, self.inode):
            raise DatabaseReplacedError(self.path, vanished=False)


class _ImmediateConnection(sqlite3.Connection):
    """A connection whose explicit transactions take the write lock when they begin.

    sqlite-utils' `atomic()` sends a plain (deferred) BEGIN. Such a transaction reads first
    and asks for the write lock at its first write; if another process (the CLI, a backup)
    committed in between, SQLite answers "database is locked" at once, without waiting out
    the busy timeout, because waiting could not help. BEGIN IMMEDIATE waits for the lock up
    front, so writers queue for up to BUSY_TIMEOUT_MS instead of failing.
    """

    identity: FileIdentity | None = None  # None: in memory, nothing to watch

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        """Run one statement, turning a bare BEGIN into BEGIN IMMEDIATE."""
        self._check_file(sql)
        # Checked by length first: every query passes here, and only a short one can be BEGIN.
        if len(sql) < 16 and sql.strip().rstrip(";").upper() == "BEGIN":
            sql = "BEGIN IMMEDIATE"
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        """Run one statement for each set of parameters, after the same file check."""
        self._check_file(sql)
        return super().executemany(sql, *args)

    def _check_file(self, sql: str) -> None:
        # Once per write transaction: inside one, the check at its start still holds.
        if (
            self.identity is not None
            and not self.in_transaction
            and sql.lstrip()[:7].upper().startswith(_WRITES)
        ):
            self.identity.check()


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
        created = not file.exists()
        conn = sqlite3.connect(str(file), check_same_thread=False, factory=_ImmediateConnection)
        db = Database(conn)
        if created:
            # Said at every start that creates one: after the first, the database went missing.
            # INFO, not WARNING: importing into a new file is routine for the CLI.
            log.info("no database file at %s: created a new, empty one", file)
        info = file.stat()
        conn.identity = FileIdentity(file, info.st_dev, info.st_ino, created)
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


def file_identity(db: Database) -> FileIdentity | None:
    """The file this database was opened from (None in memory)."""
    return getattr(db.conn, "identity", None)


def data_version(db: Database) -> tuple[int, int]:
    """A value that changes whenever any connection commits a change to the database.

    `PRAGMA data_version` moves on commits by other connections (the CLI, a second process);
    `total_changes` counts this connection's own writes. Together they let callers cache
    anything derived from the data and know exactly when it went stale.

    Inside `one_version_check()` the PRAGMA is asked once per connection (see there); this
    connection's own writes are always counted at once.
    """
    check = _version_check.get()
    if check is not None and check.owner is _running_task():
        version = check.versions.get(db.conn)
        if version is None:
            (version,) = db.execute("PRAGMA data_version").fetchone()
            check.versions[db.conn] = version
    else:
        (version,) = db.execute("PRAGMA data_version").fetchone()
    return version, db.conn.total_changes


class _VersionCheck:
    """The other connections' data version as seen once, at the start of one update."""

    __slots__ = ("owner", "versions")

    def __init__(self, owner: asyncio.Task[Any] | None) -> None:
        self.owner = owner
        self.versions: dict[sqlite3.Connection, int] = {}


_version_check: ContextVar[_VersionCheck | None] = ContextVar(
    "backchannel_version_check", default=None
)


def _running_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop in this thread
        return None


@contextmanager
def one_version_check() -> Iterator[None]:
    """Within this block, ask each connection for other connections' commits only once.

    The bot handles each update inside one (`bot.app.BackchannelApplication`): a cold reply
    consults half a dozen memos and the reply cache, and each used to run its own
    `PRAGMA data_version`. What it promises is unchanged where it matters:
    - this connection's own writes (`total_changes`) are seen at once, mid-block too, so a
      handler that writes and then reads never gets a memo from before its write;
    - a commit by another connection or process made before the block began is seen by
      everything in it, since the first check in the block comes after that commit;
    - a commit by another process made *while* the block runs may go unseen by memos and
      cached replies until the next block (the next update). No reply could promise to see it
      anyway: had it come a moment later, after the reply was read, it would not be in the
      reply either. Plain queries (everything not memoised) still read the latest data.
    Only the task that entered the block uses the shared check: a task it starts (a
    /digestnow run, which may last minutes) and threads check for themselves every time.
    """
    token = _version_check.set(_VersionCheck(_running_task()))
    try:
        yield
    finally:
        _version_check.reset(token)


def database_file(db: Database) -> Path | None:
    """The file behind an open database, or None for an in-memory one.

    Parts of the bot that need a connection of their own (the status page's worker thread,
    the chart workers) open the same file rather than share this connection across threads.
    """
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def open_reader(path: Path | str) -> Database:
    """A read-only connection of its own, for slow reads away from the bot's connection.

    The bot's connection lives on the event loop thread; a long read there (a chart over ten
    years of history) would stall every reader. A worker thread or process reads through its
    own connection instead, seeing only committed data, and cannot write by mistake.
    """
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    db = Database(sqlite3.connect(uri, uri=True, check_same_thread=False))
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def writer_connection(db: Database) -> Database | None:
    """A second connection to `db`'s file, for writes made from another thread.

    None for an in-memory database, which no second connection can see. Writes through it
    and through `db` queue for SQLite's write lock (busy timeout), as two processes do.
    """
    path = database_file(db)
    return None if path is None else open_database(path)
