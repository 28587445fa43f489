"""Small derived data (channels, the phase ladder, admins...) kept until its own tables change.

Every reader command needs the channel list and the ladder; they change only when an admin
edits something. Each memo belongs to a group of tables (`Group`); triggers on those tables
move the group's row in `data_versions` (migration m120), so a status change, a source poll
or a digest run, which write none of them, leave the memos alone, while any write to a
group's tables, by any connection or process (the CLI, a restore), retires that group's
values. The versions are read only when `data_version` (SQLite's `PRAGMA data_version`, which
moves on any commit by another connection, and this connection's own change count) moved:
one tiny SELECT after a commit, nothing at all between commits.

While the bot handles an update (`storage.one_version_check`), other connections' commits
are checked for once, at the update's start, instead of at every lookup (a cold channel
reply made six checks). The connection's own writes still count at once, so an update that
writes and then reads sees its write. A commit by another process (the CLI) made before the
update is seen by all of it; one made while the update is being handled may be seen only by
the next update. No reply can promise more: the same commit a moment later, after the reply
was rendered, would be missing from it just the same.
"""

from collections.abc import Callable, Hashable
from typing import Literal, TypeVar
from weakref import WeakKeyDictionary

from sqlite_utils import Database

from storage.database import data_version

Value = TypeVar("Value")
# The rows of `data_versions`, and which tables move each (storage/migrations.py):
# channels: channels (not their current status) and channel_commands; phases; admins;
# languages: chat_languages; subscriptions: who is subscribed to what, not digest progress.
Group = Literal["channels", "phases", "admins", "languages", "subscriptions"]


class _Memos:
    """One connection's remembered values, by group, and the versions they were read at."""

    __slots__ = ("seen", "values", "versions")

    def __init__(self) -> None:
        self.seen: tuple[int, int] | None = None  # `data_version` when `versions` was read
        self.versions: dict[str, int] = {}
        self.values: dict[str, dict[Hashable, object]] = {}


_memos: WeakKeyDictionary[Database, _Memos] = WeakKeyDictionary()


def memoized(db: Database, group: Group, key: Hashable, compute: Callable[[], Value]) -> Value:
    """`compute()` once per version of `group`'s tables; callers must not mutate the result.

    `compute` must read only the tables of `group`: a value read from others would be kept
    across their changes.
    """
    if db.conn.in_transaction:
        # Inside a transaction the data may be mid-change: compute fresh, remember nothing.
        return compute()
    memos = _memos.get(db)
    if memos is None:
        memos = _memos[db] = _Memos()
    seen = data_version(db)
    if seen != memos.seen:
        _revalidate(db, memos, seen)
    values = memos.values.get(group)
    if values is None:
        values = memos.values[group] = {}
    found = values.get(key, _MISSING)
    if found is _MISSING:
        if len(values) >= MAX_VALUES:
            # Per-chat values (a chat's language) between two writes: bounded, like any cache.
            values.clear()
        found = values[key] = compute()
    return found  # type: ignore[return-value]


def _revalidate(db: Database, memos: _Memos, seen: tuple[int, int]) -> None:
    # Read after `seen`: a commit in between makes the versions newer than `seen`, never older,
    # and values computed from here on are at least as new as these versions.
    versions = dict(db.execute("SELECT name, version FROM data_versions").fetchall())
    for group, values in memos.values.items():
        if versions.get(group) != memos.versions.get(group):
            values.clear()
    memos.versions = versions
    memos.seen = seen


MAX_VALUES = 10_000
_MISSING = object()
