"""Small derived data (channels, the phase ladder) kept until the database changes.

Every reader command needs the channel list and the ladder; they change only when an admin
edits something. Results are remembered per connection under `data_version`, which moves on
any commit from any connection, so a cached value is never served after a change.

While the bot handles an update (`storage.one_version_check`), other connections' commits
are checked for once, at the update's start, instead of at every lookup (a cold channel
reply made six checks). The connection's own writes still count at once, so an update that
writes and then reads sees its write. A commit by another process (the CLI) made before the
update is seen by all of it; one made while the update is being handled may be seen only by
the next update. No reply can promise more: the same commit a moment later, after the reply
was rendered, would be missing from it just the same.
"""

from collections.abc import Callable, Hashable
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlite_utils import Database

from storage.database import data_version

Value = TypeVar("Value")
_memos: WeakKeyDictionary[Database, tuple[tuple[int, int], dict[Hashable, object]]] = (
    WeakKeyDictionary()
)


def memoized(db: Database, key: Hashable, compute: Callable[[], Value]) -> Value:
    """`compute()` once per data version of `db`; callers must not mutate what it returns."""
    if db.conn.in_transaction:
        # Inside a transaction the data may be mid-change: compute fresh, remember nothing.
        return compute()
    version = data_version(db)
    entry = _memos.get(db)
    if entry is None or entry[0] != version:
        entry = (version, {})
        _memos[db] = entry
    values = entry[1]
    found = values.get(key, _MISSING)
    if found is _MISSING:
        if len(values) >= MAX_VALUES:
            # Per-chat values (a chat's language) between two writes: bounded, like any cache.
            values.clear()
        found = values[key] = compute()
    return found  # type: ignore[return-value]


MAX_VALUES = 10_000
_MISSING = object()
