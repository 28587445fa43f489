"""Rendered replies, reused until the data or the date changes.

Reader commands are answered thousands of times between two admin updates. Their text depends
only on the database contents and on today's date (for "updated N days ago"), so a reply is
cached under exactly those, plus whatever else the caller says it depends on.
"""

from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from sqlite_utils import Database

import storage

CACHE_KEY = "reply_cache"
Rendered = TypeVar("Rendered")


class ReplyCache:
    """Rendered replies or pages of the current data version and local date, by `what`.

    The data version only moves forward (`storage.data_version`), so once it moved, or the
    date did, no reply kept from before can be asked for again: they are all dropped at once,
    and a miss after a change costs a dict insert, not an LRU's bookkeeping and eviction of
    a dead entry (which every cold reply paid when the versions were part of each key).
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._entries: dict[Hashable, object] = {}
        self._generation: tuple[object, date] | None = None

    def get(
        self, db: Database, today: date, what: Hashable, render: Callable[[], Rendered]
    ) -> Rendered:
        """The cached reply for `what`, rendering it only when the data or date moved on."""
        generation = (storage.data_version(db), today)
        entries = self._entries
        if generation != self._generation:
            entries.clear()
            self._generation = generation
        cached = entries.get(what)
        if cached is not None:
            return cached  # type: ignore[return-value]
        rendered = render()
        if len(entries) >= self.max_entries:
            # Only between two changes, and only with that many different pages asked for.
            entries.clear()
        entries[what] = rendered
        return rendered

    def __len__(self) -> int:
        """How many replies are kept (for tests)."""
        return len(self._entries)
