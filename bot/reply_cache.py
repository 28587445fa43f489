"""Rendered replies, reused until the data or the date changes.

Reader commands are answered thousands of times between two admin updates. Their text depends
only on the database contents and on today's date (for "updated N days ago"), so a reply is
cached under exactly those, plus whatever else the caller says it depends on.
"""

from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from cachetools import LRUCache
from sqlite_utils import Database

import storage

CACHE_KEY = "reply_cache"
Rendered = TypeVar("Rendered")


class ReplyCache:
    """A small LRU of rendered replies or pages, keyed by (what, data version, local date)."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._entries: LRUCache[Hashable, object] = LRUCache(maxsize=max_entries)

    def get(
        self, db: Database, today: date, what: Hashable, render: Callable[[], Rendered]
    ) -> Rendered:
        """The cached reply for `what`, rendering it only when the data or date moved on."""
        key = (what, storage.data_version(db), today)
        cached = self._entries.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        rendered = render()
        self._entries[key] = rendered
        return rendered
