"""One poll cycle: fetch every due feed, parse, match, deduplicate, store; report per source.

Called by one recurring job (never a job per feed) and by `backchannel sources poll --once`.
Readers must never wait for a poll, so the event loop only does what is async: fetching,
at most `concurrency` feeds at once. Everything else for a feed (parsing, matching,
duplicate detection, one write transaction) is CPU and disk work done by one pipeline
worker with its own database connection, one feed after another: a thread by default (like
asyncio.to_thread, bounded to one), or a separate process (`ProcessPipeline`), which keeps
that work off the bot's GIL as well; the benchmark shows why the bot uses the process.

A failed feed is retried later with exponential backoff (interval x 2^failures, at most
`max_backoff`); its error is kept for /sources, and no other feed is affected.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import storage
from language.i18n import ENGLISH, N_, texts
from sources.dedup import TitleIndex
from sources.feeds import MAX_ITEMS, FeedEntry, FeedError, parse_feed
from sources.fetch import Fetcher, FetchError, FetchLimits, FetchResult
from sources.matching import ChannelTerms, Match, Matcher
from storage.stored_messages import readable, to_stored
from storage.values import Problem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollConfig:
    """Limits of one cycle; `limits` bound each fetch."""

    limits: FetchLimits = field(default_factory=FetchLimits)
    concurrency: int = 8
    batch: int = 1000
    max_items: int = MAX_ITEMS
    max_backoff: timedelta = timedelta(hours=24)
    dedup_window: timedelta = timedelta(days=3)
    dedup_memory: int = 50_000


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one feed's poll did."""

    source_id: int
    new_items: int = 0
    not_modified: bool = False
    error: str | None = None  # as stored (storage.stored_messages): `readable` words it


@dataclass(slots=True)
class PollReport:
    """What a cycle did, for logs and the CLI."""

    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def polled(self) -> int:
        """Feeds fetched (or tried)."""
        return len(self.outcomes)

    @property
    def new_items(self) -> int:
        """Items added to the inbox."""
        return sum(outcome.new_items for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        """Feeds whose poll failed."""
        return sum(outcome.error is not None for outcome in self.outcomes)


def channel_terms(db: Database) -> list[ChannelTerms]:
    """The active channels as matching needs them."""
    return [
        ChannelTerms(c.id, c.slug, c.title, tuple(c.aliases), tuple(c.keywords))
        for c in storage.list_channels(db)
    ]


@functools.lru_cache(maxsize=4)
def _matcher(channels: tuple[ChannelTerms, ...]) -> Matcher:
    return Matcher(channels)


def match_entries(
    entries: Sequence[FeedEntry], channels: tuple[ChannelTerms, ...], allowed: tuple[int, ...]
) -> list[Match]:
    """Match entries to channels (the matcher, and its word scores, are kept per channels)."""
    matcher = _matcher(channels)
    return [matcher.match(entry.title, entry.summary, allowed) for entry in entries]


def next_after_failure(source: storage.Source, now: datetime, max_backoff: timedelta) -> datetime:
    """Exponential backoff: the interval doubled per consecutive failure, capped."""
    failures = source.failures + 1
    delay = source.interval * (2 ** min(failures, 16))
    return now + min(delay, max_backoff)


def database_file(db: Database) -> str:
    """The file behind a connection; polling needs one (the worker opens its own)."""
    row = db.execute("PRAGMA database_list").fetchone()
    if not row or not row[2]:
        raise ValueError("source polling needs a database file, not an in-memory database")
    return str(row[2])


# ---- The pipeline worker: everything below runs on the worker (thread or process) ----------


@dataclass
class _Worker:
    """A worker's connection and its memory of recent titles, per database file."""

    db: Database
    titles: TitleIndex = field(default_factory=TitleIndex)


_WORKERS: dict[str, _Worker] = {}


def _worker(path: str) -> _Worker:
    found = _WORKERS.get(path)
    if found is None:
        db = storage.open_database(path)
        # One fsync per checkpoint instead of per feed. WAL keeps the file consistent through
        # any crash; a power cut may lose the last feeds' items, and with them the ETags that
        # would skip them, so those are simply fetched again.
        db.execute("PRAGMA synchronous = NORMAL")
        found = _WORKERS[path] = _Worker(db)
    return found


def worker_due(path: str, now: datetime, batch: int, since: datetime, memory: int) -> list[Any]:
    """Start a cycle: the due feeds, and the titles of the last days for duplicates."""
    worker = _worker(path)
    worker.titles = TitleIndex()
    for item_id, cluster_id, key in storage.recent_title_keys(worker.db, since, memory):
        worker.titles.add(item_id, cluster_id, key)
    return storage.due_sources(worker.db, now, batch)


def worker_close(path: str) -> None:
    """Close the worker's connection (end of the poller's life)."""
    worker = _WORKERS.pop(path, None)
    if worker is not None:
        worker.db.close()


def worker_failed(path: str, source_id: int, now: datetime, reason: str, retry: datetime) -> None:
    """Record a failed poll."""
    storage.record_poll_failure(
        _worker(path).db, source_id, now=now, error=reason, next_poll_at=retry
    )


@dataclass(frozen=True, slots=True)
class FeedJob:
    """What the worker needs to handle one fetched feed (picklable)."""

    path: str
    source: storage.Source
    fetched: FetchResult
    now: datetime
    channels: tuple[ChannelTerms, ...]
    max_items: int
    max_backoff: timedelta


def worker_feed(job: FeedJob) -> SourceOutcome:
    """Parse, match, deduplicate and store one fetched feed; record the poll either way."""
    worker, source, now = _worker(job.path), job.source, job.now
    fetched = job.fetched
    try:
        if fetched.status == 304:
            entries, title, warnings = [], None, source.warnings
        else:
            parsed = parse_feed(fetched.body, now, job.max_items)
            entries, title = parsed.entries, parsed.title
            warnings = to_stored(parsed.warnings) if parsed.warnings else None
    except FeedError as error:
        retry = next_after_failure(source, now, job.max_backoff)
        stored_error = to_stored([error])
        storage.record_poll_failure(
            worker.db, source.id, now=now, error=stored_error, next_poll_at=retry
        )
        return SourceOutcome(source.id, error=stored_error)
    known = storage.known_guids(worker.db, source.id, [entry.guid for entry in entries])
    fresh = [entry for entry in entries if entry.guid not in known]
    matches = match_entries(fresh, job.channels, tuple(source.channel_ids)) if fresh else []
    links, guids = storage.clusters_of(
        worker.db, [e.link for e in fresh if e.link], [g for e in fresh if (g := _global_guid(e))]
    )
    items = [
        _new_item(entry, match, worker.titles, links, guids)
        for entry, match in zip(fresh, matches, strict=True)
    ]
    with worker.db.atomic():
        stored = storage.store_items(worker.db, source.id, items, now)
        storage.record_poll_success(
            worker.db, source.id, now=now, next_poll_at=now + source.interval,
            etag=fetched.etag, last_modified=fetched.last_modified, title=title,
            warnings=warnings, items_seen=len(stored),
        )  # fmt: skip
    for item_id, item in stored:
        worker.titles.add(item_id, item.cluster_id or item_id, item.title_key)
    return SourceOutcome(source.id, new_items=len(stored), not_modified=fetched.status == 304)


def _global_guid(entry: FeedEntry) -> str:
    """The GUID if it is meant to be unique across feeds (URI-like); "" for "123" and such."""
    return entry.guid if ":" in entry.guid or len(entry.guid) >= 20 else ""


def _new_item(
    entry: FeedEntry,
    match: Match,
    titles: TitleIndex,
    links: dict[str, int],
    guids: dict[str, int],
) -> storage.NewItem:
    cluster = links.get(entry.link or "") or guids.get(_global_guid(entry) or "\0")
    if cluster is None:
        cluster = titles.find(entry.title_key)
    return storage.NewItem(
        guid=entry.guid,
        link=entry.link,
        title=entry.title,
        title_key=entry.title_key,
        summary=entry.summary,
        published_at=entry.published_at,
        date_flag=entry.date_flag,
        channel_id=match.channel_id,
        score=match.score,
        cluster_id=cluster,
    )


# ---- The event-loop side -------------------------------------------------------------------


def thread_pipeline() -> Executor:
    """The default pipeline: one worker thread (bounded, like one asyncio.to_thread at a time)."""
    return ThreadPoolExecutor(1, thread_name_prefix="sources")


PIPELINE_NICENESS = 10


def _background_priority() -> None:
    # Polling is background work: with the process at a lower priority the OS runs the bot's
    # own process first whenever both want a core (2 cores are shared by everything here).
    os.nice(PIPELINE_NICENESS)


def process_pipeline() -> Executor:
    """A pipeline in its own, lower-priority process: parsing and writing never compete for
    the bot's GIL, and lose to the bot whenever both want the CPU."""
    return ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=_background_priority
    )


class Poller:
    """Polls due feeds of one database file; holds the HTTP client and the pipeline worker."""

    def __init__(
        self,
        db: Database,
        config: PollConfig,
        *,
        fetcher: Fetcher | None = None,
        pipeline: Executor | None = None,
    ) -> None:
        self.db, self.config = db, config
        self.path = database_file(db)
        self.fetcher = fetcher or Fetcher(config.limits)
        self.pipeline = pipeline or thread_pipeline()
        self._fetching = asyncio.Semaphore(config.concurrency)
        self._pipeline_used = False

    async def _call(self, function: Any, *args: Any) -> Any:
        self._pipeline_used = True
        return await asyncio.get_running_loop().run_in_executor(self.pipeline, function, *args)

    async def aclose(self) -> None:
        """Close the HTTP client, the worker's connection and the worker.

        A pipeline never given a job has no connection to close: a process pipeline would
        start its worker (a fresh interpreter importing the bot) only for that, and every stop
        of a bot with no feed due waited for it.
        """
        await self.fetcher.aclose()
        if self._pipeline_used:
            await self._call(worker_close, self.path)
        self.pipeline.shutdown(wait=False)

    async def poll_due(self, now: datetime) -> PollReport:
        """Poll every feed due at `now` (at most `batch`), concurrently within the limits."""
        return await self.poll(None, now)

    async def poll(self, due: Sequence[storage.Source] | None, now: datetime) -> PollReport:
        """Poll these feeds now whatever their schedule (None: the ones due at `now`)."""
        config = self.config
        since = now - config.dedup_window
        found = await self._call(
            worker_due, self.path, now, config.batch, since, config.dedup_memory
        )
        due = found if due is None else due
        report = PollReport()
        if not due:
            return report
        channels = tuple(channel_terms(self.db))
        outcomes = await asyncio.gather(*(self._poll_one(s, now, channels) for s in due))
        report.outcomes.extend(outcomes)
        log.info(
            "source poll: %d feeds, %d new items, %d failed",
            report.polled, report.new_items, report.failed,
        )  # fmt: skip
        return report

    async def _poll_one(
        self, source: storage.Source, now: datetime, channels: tuple[ChannelTerms, ...]
    ) -> SourceOutcome:
        try:
            async with self._fetching:
                fetched = await self.fetcher.fetch(
                    source.url, etag=source.etag, last_modified=source.last_modified
                )
            job = FeedJob(
                self.path, source, fetched, now, channels, self.config.max_items,
                self.config.max_backoff,
            )  # fmt: skip
            outcome: SourceOutcome = await self._call(worker_feed, job)
        except FetchError as error:
            outcome = await self._failed(source, now, error)
        except Exception as error:  # one broken feed must never stop the others
            log.exception("source %s: unexpected error while polling", source.id)
            internal = Problem(N_("internal error: {kind}"), kind=type(error).__name__)
            outcome = await self._failed(source, now, internal)
        if outcome.error:
            log.warning("source %s: %s", source.id, readable(outcome.error, texts(ENGLISH)))
        return outcome

    async def _failed(
        self, source: storage.Source, now: datetime, problem: Problem
    ) -> SourceOutcome:
        retry = next_after_failure(source, now, self.config.max_backoff)
        reason = to_stored([problem])
        await self._call(worker_failed, self.path, source.id, now, reason, retry)
        return SourceOutcome(source.id, error=reason)
