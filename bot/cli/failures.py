"""One line for an operator who met a file or database problem, instead of a traceback.

The CLI's commands meet the same few problems on a fresh or misconfigured machine: a folder in
the way or not writable, DATABASE_PATH naming a folder or some other file, a read-only
database. The operator needs what is wrong and what to do, in one line; the traceback says
neither (it is still logged at DEBUG).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

HINT = "check DATABASE_PATH (in .env or the environment)"


def explain(error: sqlite3.Error | OSError, database: Path) -> str:
    """What went wrong and what to do, in one line; `database` is DATABASE_PATH."""
    if isinstance(error, sqlite3.Error):
        return _database_problem(str(error), database)
    return _file_problem(error, database)


def _database_problem(message: str, database: Path) -> str:
    if "not a database" in message:
        return (
            f"{database} is not an SQLite database: {HINT}, or move that file aside so a new "
            "database is created there."
        )
    if "readonly" in message or "read-only" in message:
        return (
            f"The database {database} is read-only for this user: make the file and its "
            "folder writable (SQLite keeps -wal and -shm files beside it), or run as the "
            "user who owns it."
        )
    if "unable to open" in message:
        return (
            f"Cannot open the database {database}: {HINT}; it must name a file (not a folder) "
            "in a folder this user can write."
        )
    if "locked" in message or "busy" in message:
        return f"The database {database} is busy in another process; try again in a moment."
    if "full" in message or "I/O" in message:
        return f"Cannot write the database {database} ({message}): check the disk and its space."
    return f"The database {database} cannot be used ({message}): {HINT}."


def _file_problem(error: OSError, database: Path) -> str:
    path = Path(str(error.filename)) if error.filename is not None else None
    reason = (error.strerror or str(error)).lower()
    if path is None:
        return f"Cannot go on: {reason}."
    about_database = path == database or path in database.parents
    where = f" (DATABASE_PATH is {database})" if about_database else ""
    if isinstance(error, NotADirectoryError | FileExistsError):
        blocker = _existing_ancestor(path)
        return f"{blocker} is a file, not a folder{where}: choose another path."
    if isinstance(error, IsADirectoryError):
        return f"{path} is a folder, not a file{where}: give a file name."
    if isinstance(error, PermissionError):
        return (
            f"Permission denied for {path}{where}: choose a folder this user can write, "
            f"or let this user write to {path.parent}."
        )
    return f"Cannot use {path}{where}: {reason}."


def _existing_ancestor(path: Path) -> Path:
    """The nearest part of `path` that exists: the file standing where a folder should be."""
    for candidate in [path, *path.parents]:
        if candidate.exists():
            return candidate
    return path
