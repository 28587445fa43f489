"""Timeline charts for the bot: a few fixed windows, one shared cache, drawn in a worker pool.

Drawing a chart takes seconds at scale, so it must be rare, shared and out of everyone's way:
- Charts come in a few windows (7, 30, 90, 365 days, all history); a typed day count snaps
  to the nearest window at or above it. Any number of readers asking for "the last 20 days"
  or "the last 30" then share one picture instead of each drawing their own.
- A chart is kept until the history it shows changes (or the day does, since "today" is drawn
  on it); readers asking while it is being drawn wait for that same drawing.
- Drawing happens in worker processes (bot/charts/drawing.py); waiting for it holds no update
  slot, and a person waits for at most one chart at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, MutableMapping
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from functools import partial

from cachetools import LRUCache
from sqlite_utils import Database

import storage
from bot.charts.drawing import ALL_HISTORY, ChartJob, draw, gather, started_pool
from bot.traffic.concurrency import slot_released
from language.i18n import ENGLISH, Texts
from language.i18n import texts as texts_of
from render.charts import MAX_ROWS, OVERVIEW_HEADING, period_words
from render.formatting import channel_title

DEFAULT_DAYS = 90
WINDOWS = (7, 30, 90, 365)  # days; anything longer is drawn as all history
CACHE_SIZE = 32
CHARTS_KEY = "charts"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChartWindow:
    """One of the windows charts are drawn for: a number of days, or None for all history."""

    days: int | None

    def label(self, _: Texts) -> str:
        """How captions and charts name the window, in the reader's language."""
        if self.days is None:
            return _(ALL_HISTORY)
        return period_words(self.days, _)


def snap(days: int) -> ChartWindow:
    """The smallest window that shows at least `days` days."""
    return ChartWindow(next((window for window in WINDOWS if window >= days), None))


@dataclass(frozen=True)
class ChartRequest:
    """A chart to draw: the cache key saying which picture it is, and the worker's job."""

    key: Hashable
    job: ChartJob


def _request(
    db: Database, kind: str, channels: list[storage.Channel], days: int | None,
    now: datetime, zone: tzinfo, heading: str | None, _: Texts,
) -> ChartRequest:  # fmt: skip
    """Key and job for a chart of `channels`; only index lookups happen here, on the loop.
    Readers of one language share a chart; each language is drawn apart."""
    ladder = storage.phase_ladder(db)
    # Each channel's own latest id: a new entry or an /undo on any one of them changes the key.
    shown = tuple((channel.id, channel_title(channel, _)) for channel in channels)
    latest = tuple(storage.latest_entry_id(db, channel.id) for channel in channels)
    today = now.astimezone(zone).date()
    key = (kind, shown, latest, days, today, ladder, _.language)
    job = ChartJob(
        storage.database_file(db), shown, days, now, zone, ladder, heading, language=_.language
    )
    if job.database is None:
        # A worker cannot open an in-memory database: read here, draw there.
        window, series = gather(job, db)
        job = replace(job, window=window, series=series)
    return ChartRequest(key, job)


def channel_request(
    db: Database, channel: storage.Channel, *, days: int | None, now: datetime, zone: tzinfo,
    texts: Texts | None = None,
) -> ChartRequest:  # fmt: skip
    """One channel's timeline over `days` (None: all history), in `texts`' language (English
    when not given: the command line)."""
    _ = texts or texts_of(ENGLISH)
    return _request(db, "channel", [channel], days, now, zone, None, _)


def overview_request(
    db: Database, *, days: int | None, now: datetime, zone: tzinfo, texts: Texts | None = None
) -> tuple[ChartRequest, int, int]:
    """Every active channel in one panel, a row each; returns (request, channels drawn,
    channels)."""
    _ = texts or texts_of(ENGLISH)
    channels = storage.list_channels(db)
    shown = channels[:MAX_ROWS]
    request = _request(db, "overview", shown, days, now, zone, OVERVIEW_HEADING, _)
    return request, len(shown), len(channels)


def draw_now(request: ChartRequest) -> bytes:
    """Draw in this process and thread, for the command line where nobody else waits."""
    return draw(request.job)


class ChartDrawer:
    """The bot's charts: cached, drawn once however many ask at once, in a worker pool.

    `executor` replaces the process pool (tests pass threads); the drawer then leaves it to
    its owner. Otherwise the pool starts at the first chart not in the cache, in a thread: a
    fresh pool's fork server imports matplotlib (about 1.3 s), and started on the event loop
    it froze every reader's reply for that long.
    """

    def __init__(self, executor: Executor | None = None, cache_size: int = CACHE_SIZE) -> None:
        self._executor, self._owns_executor = executor, executor is None
        self._cache: MutableMapping[Hashable, bytes] = LRUCache(maxsize=cache_size)
        self._drawing: dict[Hashable, asyncio.Future[bytes]] = {}
        self._waiting: set[int] = set()
        self._starting: asyncio.Future[Executor] | None = None
        self._closed = False

    def cached(self, request: ChartRequest) -> bytes | None:
        """The chart if it was drawn already and is still current."""
        return self._cache.get(request.key)

    def drawing_for(self, person: int) -> bool:
        """Whether this person is already waiting for a chart."""
        return person in self._waiting

    async def draw(self, request: ChartRequest, person: int | None = None) -> bytes:
        """The chart, drawing it unless it is cached or already being drawn for someone.

        While it is drawn the caller holds no update slot, and `person` counts as waiting.
        """
        if (png := self.cached(request)) is not None:
            return png
        future = self._drawing.get(request.key)
        if future is None:
            executor = await self._pool()
            # Someone else may have asked for the same chart while the pool started.
            future = self._drawing.get(request.key) or self._submit(request, executor)
        if person is not None:
            self._waiting.add(person)
        try:
            async with slot_released():
                # Shielded: one reader giving up must not cancel the others' chart.
                return await asyncio.shield(future)
        finally:
            if person is not None:
                self._waiting.discard(person)

    async def _pool(self) -> Executor:
        """The executor, starting the process pool off the loop the first time (once, however
        many readers ask at once; shielded, so a reader giving up does not leak a pool)."""
        if self._executor is not None:
            return self._executor
        if self._starting is None:
            self._starting = asyncio.ensure_future(asyncio.to_thread(started_pool))
            self._starting.add_done_callback(self._pool_started)
        return await asyncio.shield(self._starting)

    def _pool_started(self, starting: asyncio.Future[Executor]) -> None:
        self._starting = None
        if starting.cancelled() or starting.exception() is not None:
            return
        pool = starting.result()
        if self._closed:  # the bot stopped while the pool was starting
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            self._executor = pool

    def _submit(self, request: ChartRequest, executor: Executor) -> asyncio.Future[bytes]:
        try:
            future = asyncio.get_running_loop().run_in_executor(executor, draw, request.job)
        except (BrokenExecutor, RuntimeError):
            self._forget_broken_pool()
            raise
        self._drawing[request.key] = future
        future.add_done_callback(partial(self._drawn, request.key))
        return future

    def _drawn(self, key: Hashable, future: asyncio.Future[bytes]) -> None:
        self._drawing.pop(key, None)
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            self._cache[key] = future.result()
        elif isinstance(error, BrokenExecutor):
            self._forget_broken_pool()

    def _forget_broken_pool(self) -> None:
        """A worker died (killed, out of memory): start a fresh pool for the next chart."""
        if self._owns_executor and self._executor is not None:
            log.warning("chart workers stopped unexpectedly; starting new ones")
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def shutdown(self) -> None:
        """Stop the worker pool this drawer started (charts being drawn are abandoned)."""
        self._closed = True
        if self._owns_executor and self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
