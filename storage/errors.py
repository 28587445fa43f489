"""Small, specific exceptions so callers can tell "not found" from a real failure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.models import StatusEntry


class StorageError(Exception):
    """Base class for every error storage raises on purpose."""


class ChannelNotFoundError(StorageError):
    """No active channel has this slug or alias; carries the name that was asked for."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no channel named {name!r}")
        self.name = name


class UnknownPhaseError(StorageError):
    """The phase is not on the ladder; carries the name that was asked for."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no phase named {name!r}")
        self.name = name


class ChannelExistsError(StorageError):
    """A command name (slug or alias) is already taken by a channel, archived ones included."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the command {name!r} is already taken")
        self.name = name


class UndoRefusedError(StorageError):
    """/undo cannot revert anything; `reason` says why, `entry` is the change it looked at.

    Reasons: "nothing" (no change of yours), "too_old", "superseded" (`newer` is the later
    change on that channel) and "first_status" (a channel is never left without a status).
    """

    def __init__(
        self, reason: str, entry: StatusEntry | None = None, newer: StatusEntry | None = None
    ) -> None:
        super().__init__(f"cannot undo: {reason}")
        self.reason = reason
        self.entry = entry
        self.newer = newer


class NotSubscribedError(StorageError):
    """The chat has no active digest subscription; carries the chat id."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(f"chat {chat_id} is not subscribed")
        self.chat_id = chat_id


class RestoreRefusedError(StorageError):
    """A history restore needs a database without any history; carries how many entries it has."""

    def __init__(self, entries: int) -> None:
        super().__init__(f"the database already has {entries} history entries")
        self.entries = entries


class DatabaseReplacedError(StorageError):
    """The database file was deleted, moved or replaced at its path after it was opened.

    Writes are refused: SQLite would write to the old file, which nobody will open again.
    """

    def __init__(self, path: Path, *, vanished: bool) -> None:
        what = "no longer exists" if vanished else "is no longer the file that was opened"
        super().__init__(f"the database file {path} {what}; writes refused until a restart")
        self.path = path
        self.vanished = vanished
