"""A digest run: stream subscribers in batches, build, send, then record, one subscriber at a time.

The order inside `_deliver` is what makes digests crash-proof: the watermark and next due
time move in one statement only after Telegram accepted the message. Killed before that, the
subscriber is still due and gets the digest on restart (the one message in flight may arrive
twice); killed after, the digest is recorded and not sent again. A digest of several messages
records each accepted part, so a restart resumes after the last one Telegram took instead of
sending the whole digest again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from sqlite_utils import Database

import storage
from digests.builder import Digest, DigestBuilder
from digests.corrections import Corrections
from digests.sender import DigestSender, Outcome
from language.i18n import ENGLISH, Texts, texts
from storage.schedule import next_due
from storage.timestamps import utc_now

_WATERMARK = attrgetter("watermark")

log = logging.getLogger(__name__)

BATCH_SIZE = 500
RETRY_DELAY = timedelta(minutes=15)


def never() -> bool:
    """The default stop check: run to the end."""
    return False


@dataclass
class RunReport:
    """What a run did, for logs, the admin who asked and the CLI."""

    delivered: int = 0
    nothing_new: int = 0
    deactivated: int = 0
    failed: int = 0
    distinct_digests: int = 0

    def summary(self, _: Texts | None = None) -> str:
        """One line, e.g. "12 delivered, 3 with nothing new (quiet), 1 deactivated, 0 failed";
        in English for logs and the CLI, in the admin's language for /digestnow."""
        _ = _ or texts(ENGLISH)
        return _(
            "{delivered} delivered, {nothing_new} with nothing new (quiet), "
            "{deactivated} deactivated, {failed} to retry",
            delivered=self.delivered, nothing_new=self.nothing_new,
            deactivated=self.deactivated, failed=self.failed,
        )  # fmt: skip


class ChangeWindow:
    """The changes one run needs, read once and widened only when an older watermark shows up."""

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        upto = storage.latest_change_id(db)
        channels, ladder = storage.list_channels(db), storage.phase_ladder(db)
        self.builder = DigestBuilder([], channels, ladder, lowest=upto, upto=upto, now=now)
        # Changes undone after the chats were told of them: read once per run, see corrections.
        self.corrections = Corrections(db, channels, ladder)

    def reaching(self, lowest: int | None) -> ChangeWindow:
        """Read every change after `lowest` now (the oldest due watermark), in one go."""
        if lowest is not None and lowest < self.builder.lowest:
            older = storage.changes_between(self.db, lowest, self.builder.lowest)
            self.builder.extend(older, lowest)
        return self

    def covering(self, subscribers: list[storage.Subscriber]) -> DigestBuilder:
        """The run's builder, holding every change newer than these subscribers' watermarks."""
        return self.reaching(min(map(_WATERMARK, subscribers), default=None)).builder


async def send_due(
    db: Database,
    sender: DigestSender,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    should_stop: Callable[[], bool] = never,
    default_language: str = ENGLISH,
) -> RunReport:
    """Send every digest due at `now`, then move each subscriber to their next day.

    A subscriber who missed several days gets one digest covering all of them, and their
    next one comes at their next hour after `now`. Each digest is in its chat's language
    (`default_language` for chats whose language is not known).
    """
    run_at = now or utc_now()
    previous: set[int] = set()

    def next_batch() -> list[storage.Subscriber]:
        nonlocal previous
        batch = storage.due_subscribers(db, run_at, batch_size)
        ids = {subscriber.chat_id for subscriber in batch}
        if ids <= previous:  # nothing left, or nothing could be moved on
            return []
        previous = ids
        return batch

    window = ChangeWindow(db, run_at).reaching(storage.lowest_due_watermark(db, run_at))
    return await _run(
        db, sender, run_at, next_batch, workers, should_stop, "digest run", True, window,
        default_language,
    )  # fmt: skip


async def send_to_all(
    db: Database,
    sender: DigestSender,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    should_stop: Callable[[], bool] = never,
    default_language: str = ENGLISH,
) -> RunReport:
    """Send every active subscriber their digest now, keeping their daily schedule (admin)."""
    run_at = now or utc_now()
    after: int | None = None

    def next_batch() -> list[storage.Subscriber]:
        nonlocal after
        batch = storage.active_subscribers(db, after, batch_size)
        if batch:
            after = batch[-1].chat_id
        return batch

    label = "digest for everyone"
    window = ChangeWindow(db, run_at)
    return await _run(
        db, sender, run_at, next_batch, workers, should_stop, label, False, window,
        default_language,
    )  # fmt: skip


async def _run(
    db: Database,
    sender: DigestSender,
    run_at: datetime,
    next_batch: Callable[[], list[storage.Subscriber]],
    workers: int,
    should_stop: Callable[[], bool],
    label: str,
    reschedule: bool,
    window: ChangeWindow,
    default_language: str,
) -> RunReport:
    """Deliver batch after batch until none is left or the run is told to stop; chats whose
    language is not known read `default_language`."""
    report = RunReport()
    recorder = _Recorder(db, workers)
    try:
        while not should_stop() and (batch := next_batch()):
            builder = window.covering(batch)
            await _deliver_all(
                db, sender, batch, builder, run_at, report, workers, should_stop, reschedule,
                recorder, default_language, window.corrections,
            )  # fmt: skip
    finally:
        recorder.close()
    report.distinct_digests = window.builder.distinct_digests
    log.info("%s: %s", label, report.summary())
    return report


class _Recorder:
    """Records delivered digests, several workers' in one commit, each waiting for its own.

    A worker sends its next digest only once the previous one is committed, so at most one
    accepted message per worker is ever unrecorded: what a crash may repeat. With several
    workers, waiting workers share one commit, so its disk sync (milliseconds) is paid once
    for every answer that arrived meanwhile; and with a database file the commit goes
    through `writer`, a second connection used in a thread, so the event loop goes on
    sending (and answering readers) during the sync. With one worker each delivery is
    committed on `db` at once, as it always was.
    """

    def __init__(self, db: Database, workers: int) -> None:
        self.db, self.batched = db, workers > 1
        self.writer = storage.writer_connection(db) if self.batched else None
        self._waiting: list[tuple[storage.subscribers.Delivery, asyncio.Future[None]]] = []
        self._committing: asyncio.Task[None] | None = None

    async def record(
        self,
        chat_id: int,
        watermark: int,
        next_due_at: datetime | None,
        delivered_at: datetime | None,
    ) -> None:
        """Return once this delivery is committed; raise what its commit raised."""
        if not self.batched:
            storage.record_delivery(
                self.db, chat_id, watermark=watermark, next_due_at=next_due_at,
                delivered_at=delivered_at,
            )  # fmt: skip
            return
        done = asyncio.get_running_loop().create_future()
        self._waiting.append(((chat_id, watermark, next_due_at, delivered_at), done))
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit())
        await done

    async def _commit(self) -> None:
        while self._waiting:
            await asyncio.sleep(0)  # workers whose answers are in already join this commit
            batch, self._waiting = self._waiting, []
            deliveries = [delivery for delivery, _ in batch]
            try:
                if self.writer is not None:
                    await asyncio.to_thread(storage.record_deliveries, self.writer, deliveries)
                else:
                    storage.record_deliveries(self.db, deliveries)
            except asyncio.CancelledError:
                for _, done in batch + self._waiting:
                    done.cancel()
                raise
            except BaseException as error:  # the waiting workers fail as the commit did
                failed = batch if isinstance(error, Exception) else batch + self._waiting
                if failed is not batch:
                    self._waiting = []  # no commit follows a crash: nobody waits for one
                for _, done in failed:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    def close(self) -> None:
        """Close the writer connection (every recorded delivery is committed by now)."""
        if self.writer is not None:
            self.writer.close()


async def _deliver_all(
    db: Database,
    sender: DigestSender,
    batch: list[storage.Subscriber],
    builder: DigestBuilder,
    run_at: datetime,
    report: RunReport,
    workers: int,
    should_stop: Callable[[], bool],
    reschedule: bool,
    recorder: _Recorder,
    default_language: str,
    corrections: Corrections,
) -> None:
    slots = asyncio.Semaphore(max(1, workers))
    ids = [subscriber.chat_id for subscriber in batch]
    alerted = storage.alerted_entries(db, ids)
    corrections.covering(batch, alerted)
    # One query per batch; the builder renders each language once and shares it.
    languages = storage.languages_of(db, ids)

    halted = False  # a worker was stopped by more than an error (cancelled, a crash)

    async def one(subscriber: storage.Subscriber) -> None:
        nonlocal halted
        async with slots:
            if halted or should_stop():
                return
            try:
                language = languages.get(subscriber.chat_id, default_language)
                marks = alerted.get(subscriber.chat_id)
                digest = builder.build(subscriber, marks, language)
                digest = corrections.amend(digest, subscriber, marks, language)
                await _deliver(db, sender, subscriber, digest, run_at, report, reschedule, recorder)
            except Exception:
                # One broken subscriber must not stop the run; try them again later.
                log.exception("digest for chat %s failed", subscriber.chat_id)
                report.failed += 1
                if reschedule:
                    storage.postpone(db, subscriber.chat_id, run_at + RETRY_DELAY)
            except BaseException:
                # No worker takes a new subscriber after that: nothing more goes out that
                # the run could not record.
                halted = True
                raise

    if workers <= 1:
        for subscriber in batch:
            await one(subscriber)
        return
    tasks = [asyncio.ensure_future(one(subscriber)) for subscriber in batch]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        # Whatever stopped one worker (a crash, a shutdown) stops them all: nobody sends a
        # digest the run could no longer record.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _deliver(
    db: Database,
    sender: DigestSender,
    subscriber: storage.Subscriber,
    digest: Digest,
    run_at: datetime,
    report: RunReport,
    reschedule: bool,
    recorder: _Recorder,
) -> None:
    following = (
        next_due(run_at, subscriber.digest_time, subscriber.timezone) if reschedule else None
    )
    if digest.empty and subscriber.quiet:
        await recorder.record(subscriber.chat_id, digest.upto, following, None)
        report.nothing_new += 1
        return
    parts, done = digest.parts, 0
    fingerprint = _fingerprint(parts) if len(parts) > 1 else None
    if subscriber.parts_sent and subscriber.parts_hash == fingerprint:
        done = min(subscriber.parts_sent, len(parts))  # the same digest, cut short: resume it
        log.info("digest for chat %s resumes at part %d of %d", subscriber.chat_id, done + 1,
                 len(parts))  # fmt: skip

    def progress(number: int) -> None:
        # Not after the last part: record_delivery below clears the progress anyway.
        if fingerprint is not None and done + number < len(parts):
            storage.record_parts_sent(
                db, subscriber.chat_id, upto=digest.upto, digest=fingerprint, sent=done + number
            )

    outcome = await sender.send(subscriber.chat_id, parts[done:], progress)
    if outcome is Outcome.DELIVERED:
        await recorder.record(subscriber.chat_id, digest.upto, following, utc_now())
        report.delivered += 1
    elif outcome is Outcome.GONE:
        storage.deactivate(db, subscriber.chat_id, "unreachable")
        report.deactivated += 1
    else:
        report.failed += 1
        if reschedule:
            storage.postpone(db, subscriber.chat_id, run_at + RETRY_DELAY)


def _fingerprint(parts: tuple[str, ...]) -> str:
    """Identifies a digest's exact text, to resume it only if it would be sent unchanged."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def preview(
    db: Database,
    subscriber: storage.Subscriber,
    now: datetime | None = None,
    language: str = ENGLISH,
) -> Digest:
    """The digest this subscriber would get now, without sending or recording anything."""
    alerted = storage.alerted_entries(db, [subscriber.chat_id])
    window = ChangeWindow(db, now or utc_now())
    digest = window.covering([subscriber]).build(
        subscriber, alerted.get(subscriber.chat_id), language
    )
    corrections = window.corrections.covering([subscriber], alerted)
    return corrections.amend(digest, subscriber, alerted.get(subscriber.chat_id), language)


def preview_since(
    db: Database, since: datetime, zone: str, now: datetime | None = None, language: str = ENGLISH
) -> Digest:
    """Every channel's changes that happened since `since`, as a digest (operators' preview).

    By event time, not by watermark: "the last 24 hours" means what happened in them.
    """
    upto = storage.latest_change_id(db)
    builder = DigestBuilder(
        storage.changes_dated_since(db, since),
        storage.list_channels(db),
        storage.phase_ladder(db),
        lowest=0,
        upto=upto,
        now=now or utc_now(),
    )
    return builder.build_for(None, 0, zone, language=language)


def build_due(
    db: Database,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    window: ChangeWindow | None = None,
) -> Iterator[tuple[storage.Subscriber, Digest]]:
    """Every digest due at `now`, built but neither sent nor recorded (previews, benchmarks).

    Pass a `window` to read its builder's counts afterwards.
    """
    if window is None:
        window = ChangeWindow(db, now or utc_now())
    window.reaching(storage.lowest_due_watermark(db, window.builder.now))
    last: storage.Subscriber | None = None
    while batch := storage.due_subscribers(db, window.builder.now, batch_size, after=last):
        builder = window.covering(batch)
        alerted = storage.alerted_entries(db, [subscriber.chat_id for subscriber in batch])
        for subscriber in batch:
            yield subscriber, builder.build(subscriber, alerted.get(subscriber.chat_id))
        last = batch[-1]
