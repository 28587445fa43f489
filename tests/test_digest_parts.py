"""Big alerts and digests: an alert is one message; a long digest resumes where it stopped.

Importing 300 phase changes used to send 32 messages to every alert chat as one "alert", and a
crash in the middle of a multi-part digest sent the whole digest again after the restart.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import storage
from bot.cli.offline_api import ScriptedFailure
from digests import alerts, runner
from render.splitting import TELEGRAM_LIMIT, telegram_length
from tests.digest_support import (
    FIRST_DUE,
    FakeClock,
    SimulatedCrash,
    add_subscriber,
    make_sender,
    set_status,
    texts_to,
)

SERVER = ScriptedFailure(500, "Internal Server Error")
PHASES = ("negotiating", "stalled")


def import_changes(db, count: int, slugs=("aid", "ceasefire", "exchanges")) -> list[int]:
    """`count` phase changes with long summaries, spread over a few channels."""
    ids = []
    for number in range(count):
        slug = slugs[number % len(slugs)]
        phase = PHASES[(number // len(slugs)) % 2]
        entry = set_status(db, slug, phase, f"change {number:03d} " + "details " * 40)
        ids.append(entry.id)
    return ids


async def test_an_alert_is_one_message_that_points_to_history(db, api, app) -> None:
    add_subscriber(db, 501)
    storage.set_alerts(db, 501, None)
    ids = import_changes(db, 300)
    report = await alerts.send_alerts(db, make_sender(app.bot))
    (alert,) = texts_to(api, 501)
    assert report.sent == 1
    assert telegram_length(alert) <= TELEGRAM_LIMIT
    shown = alert.count("change ")
    assert 0 < shown < 300
    assert f"{300 - shown} more phase changes that do not fit in one alert" in alert
    assert "/history aid" in alert and "/history ceasefire" in alert
    assert storage.get_alerts(db, 501).watermark == ids[-1]  # nothing alerted twice
    # The digest marks as alerted only what the alert showed; it still lists all 300.
    assert len(storage.alerted_entries(db, [501])[501]) == shown


def long_digest_for(db, chat_id: int) -> None:
    add_subscriber(db, chat_id)
    import_changes(db, 40)


class FailAtPart:
    """Lets `part - 1` messages through, then makes Telegram fail (or the process die)."""

    def __init__(self, api, part: int, *, crash: bool) -> None:
        self.api, self.part, self.crash, self.real = api, part, crash, api.on_call
        api.on_call = self

    def __call__(self, method: str, params: dict) -> None:
        if method != "sendMessage":
            return
        accepted = len(self.api.sent())
        if self.crash and accepted == self.part:
            self.api.on_call = self.real
            raise SimulatedCrash  # Telegram took part N; the bot dies before hearing so
        if not self.crash and accepted == self.part - 1:
            self.api.on_call = self.real
            for _ in range(5):  # every attempt at part N fails: retried later
                self.api.fail_next("sendMessage", SERVER)


async def test_telegram_failing_at_part_n_resumes_from_part_n(db, api, app) -> None:
    long_digest_for(db, 501)
    (_, full), = [(s, d) for s, d in runner.build_due(db, FIRST_DUE)]  # fmt: skip
    assert len(full.parts) >= 4
    FailAtPart(api, 3, crash=False)
    report = await runner.send_due(db, make_sender(app.bot, FakeClock()), now=FIRST_DUE)
    assert report.failed == 1
    assert texts_to(api, 501) == list(full.parts[:2])
    assert storage.get_subscriber(db, 501).parts_sent == 2
    later = FIRST_DUE + runner.RETRY_DELAY
    await runner.send_due(db, make_sender(app.bot, FakeClock()), now=later)
    assert texts_to(api, 501) == list(full.parts)  # parts 3.. only, none twice
    after = storage.get_subscriber(db, 501)
    assert after.parts_sent == 0 and after.watermark == full.upto


async def test_crash_at_part_n_repeats_at_most_that_part(db, api, app) -> None:
    long_digest_for(db, 501)
    (_, full), = [(s, d) for s, d in runner.build_due(db, FIRST_DUE)]  # fmt: skip
    FailAtPart(api, 3, crash=True)
    with pytest.raises(SimulatedCrash):
        await runner.send_due(db, make_sender(app.bot), now=FIRST_DUE)
    # A change lands before the restart: the resumed digest stays the one that was cut short.
    news = set_status(db, "summit", "stalled", "Newer than the digest in flight")
    await runner.send_due(db, make_sender(app.bot), now=FIRST_DUE + timedelta(seconds=30))
    parts = list(full.parts)
    assert texts_to(api, 501) == [*parts[:3], *parts[2:]]  # only part 3 came twice
    assert storage.get_subscriber(db, 501).watermark == full.upto
    await runner.send_due(db, make_sender(app.bot), now=FIRST_DUE + timedelta(days=1))
    assert "Newer than the digest in flight" in texts_to(api, 501)[-1]
    assert storage.get_subscriber(db, 501).watermark == news.id
