"""Source watch glue: one recurring poll job, batched inbox notices and the weekly nudge.

There is never a job per feed: every minute one job asks storage which feeds are due (an
index range scan) and, unless a cycle is already running, starts one in the background, so
the job itself returns at once and readers never wait for a poll. After each cycle, admins
who opted in (/inbox notify on) get at most one notice per SOURCES_NOTIFY_MINUTES.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application, Job

import storage
from bot.config import Settings
from bot.context import DB_KEY, SETTINGS_KEY, BotContext
from language.i18n import texts
from render.formatting import is_stale
from render.sources import notice_text, nudge_text
from sources.fetch import FetchLimits
from sources.poller import PollConfig, Poller, PollReport, SourceOutcome, process_pipeline
from storage.timestamps import utc_now

log = logging.getLogger(__name__)

JOB_NAME = "sources"
NUDGE_JOB_NAME = "sources:nudge"
TICK_SECONDS = 60
SERVICE_KEY = "source_service"
NUDGE_TIME = dt.time(9, 0)
NUDGE_WEEKDAY = 0  # Monday


def poll_config(settings: Settings) -> PollConfig:
    """Poll limits from settings (private addresses only when explicitly allowed)."""
    limits = FetchLimits(allow_private=settings.sources_allow_private)
    return PollConfig(limits=limits, concurrency=settings.sources_concurrency)


class SourceService:
    """The poller of a running bot, and the one background cycle it may run at a time."""

    def __init__(self, application: Application, poller: Poller) -> None:
        self.application, self.poller = application, poller
        self.lock = asyncio.Lock()
        self.background: asyncio.Task[Any] | None = None

    async def cycle(self, now: datetime | None = None) -> PollReport:
        """Poll what is due, then send notices (one cycle at a time)."""
        async with self.lock:
            moment = now or utc_now()
            report = await self.poller.poll_due(moment)
            await send_notices(self.application, moment)
            return report

    async def first_poll(self, source: storage.Source) -> SourceOutcome | None:
        """Poll a just-added feed now, so the admin learns at once whether it works.

        None when a cycle is running (it, or the next one, will poll the feed).
        """
        if self.lock.locked():
            return None
        async with self.lock:
            report = await self.poller.poll([source], utc_now())
        return report.outcomes[0] if report.outcomes else None


def service(application: Application) -> SourceService:
    """The application's source service, created on first use."""
    found = application.bot_data.get(SERVICE_KEY)
    if found is None:
        db, settings = application.bot_data[DB_KEY], application.bot_data[SETTINGS_KEY]
        pipeline = process_pipeline() if settings.sources_pipeline == "process" else None
        found = SourceService(application, Poller(db, poll_config(settings), pipeline=pipeline))
        application.bot_data[SERVICE_KEY] = found
    return found


async def shutdown(application: Application) -> None:
    """Stop the poller (HTTP client, pipeline worker) if it was started."""
    found = application.bot_data.pop(SERVICE_KEY, None)
    if found is not None:
        await found.poller.aclose()


def install(application: Application) -> Job:
    """Register the poll job and the weekly nudge; call before the application starts."""
    if application.job_queue is None:
        raise RuntimeError("the source job needs python-telegram-bot[job-queue]")
    application.job_queue.run_daily(
        weekly_nudge, NUDGE_TIME.replace(tzinfo=application.bot_data[SETTINGS_KEY].zone),
        days=(NUDGE_WEEKDAY,), name=NUDGE_JOB_NAME,
    )  # fmt: skip
    catch_up = {"next_run_time": utc_now(), "misfire_grace_time": None, "coalesce": True}
    return application.job_queue.run_repeating(
        tick, interval=TICK_SECONDS, first=0, name=JOB_NAME, job_kwargs=catch_up
    )


async def tick(context: BotContext) -> None:
    """Start a background cycle if a feed is due and none is running; return at once.

    The service (its HTTP client and pipeline worker) is created by the first cycle: a bot
    with no feed due starts neither (they cost a CA bundle load and a process pool's locks and
    resource tracker at every start).
    """
    running = context.application.bot_data.get(SERVICE_KEY)
    if running is not None and running.lock.locked():
        return
    due = storage.next_poll_time(context.db)
    watchers = storage.inbox_watchers(context.db)
    if (due is None or due > utc_now()) and not watchers:
        return
    source_service = service(context.application)
    source_service.background = context.application.create_task(
        source_service.cycle(), name="sources:poll"
    )


async def send_notices(application: Application, now: datetime) -> int:
    """Tell opted-in admins about new pending items, at most once per notice interval."""
    db, settings = application.bot_data[DB_KEY], application.bot_data[SETTINGS_KEY]
    spacing = timedelta(minutes=settings.sources_notify_minutes)
    channels = {c.id: c for c in storage.list_channels(db)}
    watchers = storage.inbox_watchers(db)
    languages = storage.languages_of(db, [watcher.user_id for watcher in watchers])
    sent = 0
    for watcher in watchers:
        if watcher.last_notified_at is not None and now - watcher.last_notified_at < spacing:
            continue
        counts = storage.new_pending_counts(db, watcher.last_item_id)
        if not counts:
            continue
        latest = storage.latest_item_id(db)
        try:
            _ = texts(languages.get(watcher.user_id, settings.default_language))
            await application.bot.send_message(watcher.user_id, notice_text(counts, channels, _))
        except TelegramError as error:
            log.warning("inbox notice to %s failed: %s", watcher.user_id, error)
            continue
        storage.mark_notified(db, watcher.user_id, last_item_id=latest, at=now)
        sent += 1
    return sent


def stale_with_pending(db: Any, now: datetime) -> list[tuple[storage.Channel, datetime, int]]:
    """Stale channels that have items waiting in the inbox, in display order."""
    counts = storage.inbox_counts(db)
    return [
        (status.channel, status.last_touched, counts[status.channel.id])
        for status in storage.current_statuses(db)
        if counts.get(status.channel.id) and is_stale(status.last_touched, now)
    ]


async def weekly_nudge(context: BotContext) -> None:
    """Monday morning: list stale channels and their pending items to opted-in admins."""
    now = datetime.now(context.settings.zone)
    stale = stale_with_pending(context.db, now)
    if not stale:
        return
    watchers = storage.inbox_watchers(context.db)
    languages = storage.languages_of(context.db, [watcher.user_id for watcher in watchers])
    by_language: dict[str, str] = {}
    for watcher in watchers:
        language = languages.get(watcher.user_id, context.settings.default_language)
        if language not in by_language:
            by_language[language] = nudge_text(stale, now, context.settings.zone, texts(language))
        html = by_language[language]
        try:
            await context.bot.send_message(watcher.user_id, html)
        except TelegramError as error:
            log.warning("weekly nudge to %s failed: %s", watcher.user_id, error)
