"""Digests that came due while the bot was down go out at start-up, not a minute later."""

import asyncio
from datetime import UTC, datetime

from bot.app import build_application
from bot.jobs import scheduling as jobs
from tests.conftest import TEST_TOKEN
from tests.digest_support import add_subscriber, make_sender, set_status


async def test_first_tick_runs_at_start_up_even_after_a_slow_start(
    settings, db, api, frozen_time
) -> None:
    add_subscriber(db, 501, now=datetime(2026, 11, 24, 3, tzinfo=UTC))  # due at 06:00 today
    set_status(db, "aid", "negotiating", "news from the night")
    application = build_application(settings, db, token=TEST_TOKEN, request=api)
    job = jobs.install(application)  # as `backchannel run` does, before anything starts
    installed_at = datetime.now(UTC)
    async with application:
        jobs.service(application).sender = make_sender(application.bot)
        frozen_time.shift(5)  # start-up talked to a slow Telegram for a few seconds
        await application.start()
        assert job.next_t is not None and job.next_t <= installed_at
        service = jobs.service(application)
        for _ in range(200):  # let the scheduler's first wake-up run on the loop
            if service.background is not None:
                break
            await asyncio.sleep(0)
        assert service.background is not None, "no digest run at start-up"
        await service.background
        await application.stop()
    assert "news from the night" in api.sent()[-1]["text"]
