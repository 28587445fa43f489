"""Scheduling glue: one recurring JobQueue job that starts a run when subscribers are due.

There is never one job per subscriber. Every minute the job looks for due subscribers (an
index lookup on next_due_at) and, unless a run is already going, starts one in the
background; the run streams them in batches. The first tick comes right at start-up, so
digests that came due while the bot was down go out at once. Instant alerts have a second
recurring job of the same kind (every few seconds, see digests.alerts).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlite_utils import Database
from telegram.ext import Application, Job

import storage
from bot.config import Settings
from bot.context import DB_KEY, SETTINGS_KEY, BotContext
from bot.jobs.outbox import TelegramOutbox
from bot.telegram_bot import BackchannelBot
from digests import alerts, publishing, runner
from digests.sender import DigestSender, RateLimits
from storage.timestamps import utc_now

log = logging.getLogger(__name__)

StopCheck = Callable[[], bool]

JOB_NAME = "digests"
ALERT_JOB_NAME = "alerts"
PUBLISH_JOB_NAME = "publishing"
TICK_SECONDS = 60
SERVICE_KEY = "digest_service"


class DigestService:
    """The sender and its limits, shared by scheduled runs, /digestnow and the CLI.

    The lock lets only one run send at a time, so no subscriber is handled by two runs at
    once and the rate limit holds across them.
    """

    def __init__(
        self, db: Database, bot: BackchannelBot, settings: Settings, sender: DigestSender
    ) -> None:
        self.db, self.bot, self.settings, self.sender = db, bot, settings, sender
        self.lock = asyncio.Lock()
        # Alerts have their own lock, so a long digest run never delays them; both share the
        # sender, so together they stay within Telegram's limits.
        self.alert_lock = asyncio.Lock()
        # Channel posts and corrections: their own lock, the same paced sender.
        self.publish_lock = asyncio.Lock()
        self.publish_background: asyncio.Task[Any] | None = None
        self.alert_retry = alerts.RetryLater()
        self.alert_background: asyncio.Task[Any] | None = None
        # The run started last in the background (kept so it can be awaited, e.g. in tests).
        self.background: asyncio.Task[Any] | None = None

    @classmethod
    def create(cls, db: Database, bot: BackchannelBot, settings: Settings) -> DigestService:
        """A service with a real rate limiter configured from settings."""
        limits = RateLimits(settings.digest_rate_limit)
        return cls(db, bot, settings, DigestSender(TelegramOutbox(bot), limits))

    @property
    def busy(self) -> bool:
        """A run is sending right now."""
        return self.lock.locked()

    async def send_due(
        self, now: datetime | None = None, should_stop: StopCheck = runner.never
    ) -> runner.RunReport:
        """Send everything due (waits for a run in progress to finish first)."""
        async with self.lock:
            return await runner.send_due(
                self.db, self.sender, now=now, workers=self.settings.digest_workers,
                should_stop=should_stop,
            )  # fmt: skip

    async def send_to_all(
        self, now: datetime | None = None, should_stop: StopCheck = runner.never
    ) -> runner.RunReport:
        """Send every active subscriber their digest now, keeping their schedules."""
        async with self.lock:
            return await runner.send_to_all(
                self.db, self.sender, now=now, workers=self.settings.digest_workers,
                should_stop=should_stop,
            )  # fmt: skip

    async def publish(self) -> publishing.PublishReport:
        """Post new phase changes to the linked channel and edit in corrections (one at a time)."""
        async with self.publish_lock:
            return await publishing.publish(self.db, self.sender, self.settings.timezone)

    async def send_alerts(self, should_stop: StopCheck = runner.never) -> alerts.AlertReport:
        """Alert every opted-in chat that is behind (one run at a time)."""
        async with self.alert_lock:
            report = await alerts.send_alerts(
                self.db, self.sender, skip=self.alert_retry.held, should_stop=should_stop
            )
            self.alert_retry.hold(report.failed)
            return report


def service(application: Application) -> DigestService:
    """The application's digest service, created on first use."""
    found = application.bot_data.get(SERVICE_KEY)
    if found is None:
        db, settings = application.bot_data[DB_KEY], application.bot_data[SETTINGS_KEY]
        found = application.bot_data[SERVICE_KEY] = DigestService.create(
            db, application.bot, settings
        )
    return found


def install(application: Application) -> Job:
    """Register the recurring digest and alert jobs; call before the application starts."""
    if application.job_queue is None:
        raise RuntimeError("the digest job needs python-telegram-bot[job-queue]")
    # `first=0` alone does not run at start-up: the scheduler starts after start-up has
    # talked to Telegram, and APScheduler then puts the first run a whole interval later.
    # So the first run time is given outright, and a late run is never dropped as "missed"
    # (a tick only looks for chats that are behind, so running it late is always right).
    catch_up = {"next_run_time": utc_now(), "misfire_grace_time": None, "coalesce": True}
    application.job_queue.run_repeating(
        alert_tick, interval=alerts.ALERT_TICK_SECONDS, first=0, name=ALERT_JOB_NAME,
        job_kwargs=catch_up,
    )  # fmt: skip
    application.job_queue.run_repeating(
        publish_tick, interval=alerts.ALERT_TICK_SECONDS, first=0, name=PUBLISH_JOB_NAME,
        job_kwargs=dict(catch_up),
    )  # fmt: skip
    return application.job_queue.run_repeating(
        tick, interval=TICK_SECONDS, first=0, name=JOB_NAME, job_kwargs=catch_up
    )


async def publish_tick(context: BotContext) -> None:
    """Start a background publishing run if a post or a correction is waiting."""
    digest_service = service(context.application)
    if digest_service.publish_lock.locked() or not storage.publishing_pending(context.db):
        return
    digest_service.publish_background = context.application.create_task(
        digest_service.publish(), name="digests:publishing"
    )


async def alert_tick(context: BotContext) -> None:
    """Start a background alert run if a chat is behind and no alert run is going."""
    digest_service = service(context.application)
    if digest_service.alert_lock.locked():
        return
    if not storage.alerts_pending(context.db, storage.latest_change_id(context.db)):
        return
    run = digest_service.send_alerts(stopped_with(context.application))
    digest_service.alert_background = context.application.create_task(run, name="digests:alerts")


async def tick(context: BotContext) -> None:
    """Start a background run if anyone is due and no run is going; return at once."""
    application = context.application
    digest_service = service(application)
    if digest_service.busy or not storage.due_subscribers(context.db, utc_now(), 1):
        return
    digest_service.background = application.create_task(
        _run(application, digest_service), name="digests:due"
    )


async def _run(application: Application, digest_service: DigestService) -> None:
    # Stop between two subscribers once the application shuts down (SIGTERM) instead of
    # holding the shutdown for a whole run; the rest go out after the restart.
    await digest_service.send_due(should_stop=stopped_with(application))


def stopped_with(application: Application) -> StopCheck:
    """A stop check for runs inside a running application: true once it begins stopping."""
    return lambda: not application.running
