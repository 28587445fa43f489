"""One poll cycle: fetch every due feed, parse, match, deduplicate, store; report per source.

Called by one recurring job (never a job per feed) and by `backchannel sources poll --once`.
The expensive parts stay off the event loop's critical path: fetches are async I/O with at
most `concurrency` at once, and parsing and matching (CPU work) run in an executor (threads
by default, like asyncio.to_thread; a process pool keeps them off the GIL too) with at most
`parse_workers` at once. On the loop itself only short steps remain: a known-GUID lookup,
duplicate detection and one write transaction per feed.

A failed feed is retried later with exponential backoff (interval x 2^failures, at most
`max_backoff`); its error is kept for /sources, and no other feed is affected.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import storage
from sources.dedup import TitleIndex
from sources.feeds import MAX_ITEMS, FeedEntry, FeedError, ParsedFeed, parse_feed
from sources.fetch import Fetcher, FetchError, FetchLimits
from sources.matching import ChannelTerms, Match, Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollConfig:
    """Limits of one cycle; `limits` bound each fetch."""

    limits: FetchLimits = field(default_factory=FetchLimits)
    concurrency: int = 8
    parse_workers: int = 2
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
    error: str | None = None


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
    """Match entries to channels (CPU work: runs in the executor; picklable arguments)."""
    matcher = _matcher(channels)
    return [matcher.match(entry.title, entry.summary, allowed) for entry in entries]


def next_after_failure(source: storage.Source, now: datetime, max_backoff: timedelta) -> datetime:
    """Exponential backoff: the interval doubled per consecutive failure, capped."""
    failures = source.failures + 1
    delay = source.interval * (2 ** min(failures, 16))
    return now + min(delay, max_backoff)


class Poller:
    """Polls due feeds of one database; holds the shared HTTP client and executor."""

    def __init__(
        self,
        db: Database,
        config: PollConfig,
        *,
        fetcher: Fetcher | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.db, self.config = db, config
        self.fetcher = fetcher or Fetcher(config.limits)
        self.executor = executor
        self._fetching = asyncio.Semaphore(config.concurrency)
        self._parsing = asyncio.Semaphore(config.parse_workers)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.fetcher.aclose()

    async def poll_due(self, now: datetime) -> PollReport:
        """Poll every feed due at `now` (at most `batch`), concurrently within the limits."""
        due = storage.due_sources(self.db, now, self.config.batch)
        return await self.poll(due, now)

    async def poll(self, due: Sequence[storage.Source], now: datetime) -> PollReport:
        """Poll these feeds now, whatever their schedule."""
        report = PollReport()
        if not due:
            return report
        channels = tuple(channel_terms(self.db))
        titles = TitleIndex()
        since = now - self.config.dedup_window
        for item_id, cluster_id, key in storage.recent_title_keys(
            self.db, since, self.config.dedup_memory
        ):
            titles.add(item_id, cluster_id, key)
        outcomes = await asyncio.gather(
            *(self._poll_one(source, now, channels, titles) for source in due)
        )
        report.outcomes.extend(outcomes)
        log.info(
            "source poll: %d feeds, %d new items, %d failed",
            report.polled, report.new_items, report.failed,
        )  # fmt: skip
        return report

    async def _in_executor(self, function: Any, *args: Any) -> Any:
        async with self._parsing:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.executor, function, *args)

    async def _poll_one(
        self,
        source: storage.Source,
        now: datetime,
        channels: tuple[ChannelTerms, ...],
        titles: TitleIndex,
    ) -> SourceOutcome:
        try:
            return await self._fetch_and_store(source, now, channels, titles)
        except (FetchError, FeedError) as error:
            return self._failed(source, now, str(error))
        except Exception as error:  # one broken feed must never stop the others
            log.exception("source %s: unexpected error while polling", source.id)
            return self._failed(source, now, f"internal error: {type(error).__name__}")

    def _failed(self, source: storage.Source, now: datetime, reason: str) -> SourceOutcome:
        log.warning("source %s: %s", source.id, reason)
        storage.record_poll_failure(
            self.db, source.id, now=now, error=reason,
            next_poll_at=next_after_failure(source, now, self.config.max_backoff),
        )  # fmt: skip
        return SourceOutcome(source.id, error=reason)

    async def _fetch_and_store(
        self,
        source: storage.Source,
        now: datetime,
        channels: tuple[ChannelTerms, ...],
        titles: TitleIndex,
    ) -> SourceOutcome:
        async with self._fetching:
            fetched = await self.fetcher.fetch(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
        if fetched.status == 304:
            self._succeeded(
                source, now, fetched.etag, fetched.last_modified, None, source.warnings, 0
            )
            return SourceOutcome(source.id, not_modified=True)
        parsed: ParsedFeed = await self._in_executor(
            parse_feed, fetched.body, now, self.config.max_items
        )
        known = storage.known_guids(self.db, source.id, [e.guid for e in parsed.entries])
        fresh = [entry for entry in parsed.entries if entry.guid not in known]
        matches: list[Match] = []
        if fresh:
            matches = await self._in_executor(
                match_entries, fresh, channels, tuple(source.channel_ids)
            )
        items = [
            self._new_item(entry, match, titles)
            for entry, match in zip(fresh, matches, strict=True)
        ]
        stored = storage.store_items(self.db, source.id, items, now)
        for item_id, item in stored:
            titles.add(item_id, item.cluster_id or item_id, item.title_key)
        warnings = "; ".join(parsed.warnings) or None
        self._succeeded(
            source, now, fetched.etag, fetched.last_modified, parsed.title, warnings, len(stored)
        )
        return SourceOutcome(source.id, new_items=len(stored))

    def _new_item(self, entry: FeedEntry, match: Match, titles: TitleIndex) -> storage.NewItem:
        # A short GUID ("123") is only unique within its feed; only URI-like ones are compared.
        guid = entry.guid if ":" in entry.guid or len(entry.guid) >= 20 else ""
        cluster = storage.cluster_by_link_or_guid(self.db, entry.link, guid)
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

    def _succeeded(
        self,
        source: storage.Source,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
        warnings: str | None,
        new_items: int,
    ) -> None:
        storage.record_poll_success(
            self.db, source.id, now=now, next_poll_at=now + source.interval, etag=etag,
            last_modified=last_modified, title=title, warnings=warnings, items_seen=new_items,
        )  # fmt: skip
