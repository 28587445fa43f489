"""Timeline charts from the database: gather the data, render off the event loop, cache.

Rendering takes a noticeable fraction of a second, so it runs in a worker thread while the
bot keeps answering others, and the PNG is kept until the history it shows changes (or the
day does, since "today" is drawn on it). Shared by /timeline and `backchannel timeline`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable, MutableMapping
from datetime import datetime, timedelta, tzinfo

from cachetools import LRUCache
from sqlite_utils import Database

import storage
from language.i18n import ENGLISH, Texts
from language.i18n import texts as texts_of
from render.charts import MAX_PANELS, Series, Window, render_channel, render_overview
from render.formatting import channel_title

DEFAULT_DAYS = 90
MAX_DAYS = 3650
CACHE_SIZE = 32
OVERVIEW_HEADING = "Backchannel"

ChartCache = MutableMapping[Hashable, bytes]

# Matplotlib does not promise thread safety; one render at a time is fast enough.
_render_lock = threading.Lock()


def new_cache() -> ChartCache:
    """A small cache of rendered charts; least recently used ones are dropped first."""
    return LRUCache(maxsize=CACHE_SIZE)


def channel_series(
    db: Database, channel: storage.Channel, since: datetime, texts: Texts | None = None
) -> Series:
    """What one channel's chart shows from `since` on (titled in `texts`' language)."""
    return Series(
        title=channel_title(channel, texts or texts_of(ENGLISH)),
        start_status=storage.status_at(db, channel.id, since),
        entries=tuple(storage.history_since(db, channel.id, since)),
    )


def _render_locked(render: Callable[..., bytes], *args: object) -> bytes:
    with _render_lock:
        return render(*args)


def _hit(cache: ChartCache | None, key: Hashable) -> bytes | None:
    return cache.get(key) if cache is not None else None


async def _render(cache: ChartCache | None, key: Hashable, render: Callable[[], bytes]) -> bytes:
    """Render in a worker thread (the database was already read on the loop) and keep it."""
    png = await asyncio.to_thread(_render_locked, render)
    if cache is not None:
        cache[key] = png
    return png


async def channel_chart(
    db: Database,
    channel: storage.Channel,
    *,
    days: int,
    now: datetime,
    zone: tzinfo,
    cache: ChartCache | None = None,
    texts: Texts | None = None,
) -> bytes:
    """One channel's timeline as PNG bytes in `texts`' language (English by default), from
    the cache while its history is unchanged."""
    _ = texts or texts_of(ENGLISH)
    ladder = storage.phase_ladder(db)
    today = now.astimezone(zone).date()
    latest = storage.latest_entry_id(db, channel.id)
    key = ("channel", channel.id, channel.title, latest, days, today, ladder, _.language)
    if (png := _hit(cache, key)) is not None:
        return png
    window = Window(now - timedelta(days=days), now, zone)
    series = channel_series(db, channel, window.since, _)
    return await _render(cache, key, lambda: render_channel(series, ladder, window, _))


async def overview_chart(
    db: Database,
    *,
    days: int,
    now: datetime,
    zone: tzinfo,
    cache: ChartCache | None = None,
    texts: Texts | None = None,
) -> tuple[bytes, int, int]:
    """Every active channel as small multiples in `texts`' language (English by default);
    returns (png, channels drawn, channels)."""
    _ = texts or texts_of(ENGLISH)
    ladder = storage.phase_ladder(db)
    channels = storage.list_channels(db)
    shown = channels[:MAX_PANELS]
    today = now.astimezone(zone).date()
    # Each channel's own latest id: an /undo on any one of them changes the key.
    names = tuple(
        (channel.id, channel.title, storage.latest_entry_id(db, channel.id)) for channel in shown
    )
    key = ("overview", names, days, today, ladder, _.language)
    if (png := _hit(cache, key)) is not None:
        return png, len(shown), len(channels)
    window = Window(now - timedelta(days=days), now, zone)
    series = [channel_series(db, channel, window.since, _) for channel in shown]
    png = await _render(
        cache, key, lambda: render_overview(series, ladder, window, OVERVIEW_HEADING, _)
    )
    return png, len(shown), len(channels)
