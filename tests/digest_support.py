"""Helpers for digest tests: a clock that sleeps instantly, limits that never wait, data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import pytest

import storage
from bot.jobs.outbox import TelegramOutbox
from digests.builder import DigestBuilder
from digests.sender import DigestSender
from render.splitting import TELEGRAM_LIMIT
from storage.models import Actor
from tests.conftest import NOW

EDITOR = Actor(id=900, name="Editor")
START = datetime.fromisoformat(NOW)
# 08:00 in Kyiv (UTC+2 in November) on the day after NOW.
FIRST_DUE = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """Monotonic time that moves only when someone sleeps; records every sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class RecordingLimits:
    """Rate limits that let everything through at once and remember who asked."""

    acquired: list[int] = field(default_factory=list)

    async def acquire(self, chat_id: int) -> None:
        self.acquired.append(chat_id)


def make_sender(bot, clock: FakeClock | None = None, **options) -> DigestSender:
    clock = clock or FakeClock()
    return DigestSender(
        TelegramOutbox(bot), RecordingLimits(), sleep=clock.sleep, clock=clock, **options
    )


def set_status(db, slug: str, phase: str, summary: str, kind: str = "status", **extra):
    channel = storage.find_channel(db, slug)
    return storage.record_status(
        db, channel_id=channel.id, kind=kind, phase=phase, summary=summary, actor=EDITOR, **extra
    )


def add_subscriber(db, chat_id: int, channels: list[str] | None = None, **options):
    ids = None if channels is None else [storage.find_channel(db, c).id for c in channels]
    subscriber = storage.subscribe(
        db,
        chat_id,
        chat_type="private" if chat_id > 0 else "supergroup",
        channel_ids=ids,
        digest_time=options.get("at", time(8, 0)),
        timezone=options.get("zone", "Europe/Kyiv"),
        now=options.get("now", START),
    )
    if "quiet" in options:
        subscriber = storage.set_quiet(db, chat_id, options["quiet"])
    return subscriber


def texts_to(api, chat_id: int) -> list[str]:
    return [p["text"] for p in api.sent() if p["chat_id"] == chat_id]


class SimulatedCrash(BaseException):
    """Stands for the process dying: BaseException, so no handler in the code catches it."""


def crash_for_chat(
    monkeypatch: pytest.MonkeyPatch,
    sender: DigestSender,
    crash_point: str,
    record_name: str,
    chat_id: int,
) -> None:
    """Make delivery to `chat_id` die before sending, or after sending but before the storage
    function `record_name` (which moves the watermark) runs."""
    real_send, real_post = sender.send, sender.post
    real_record = getattr(storage, record_name)

    def crashing(real: Callable[..., Awaitable[object]]) -> Callable[..., Awaitable[object]]:
        async def call(to: int, *rest: object) -> object:
            if to == chat_id:
                raise SimulatedCrash
            return await real(to, *rest)

        return call

    def crashing_record(db: object, to: int, **kwargs: object) -> object:
        if to == chat_id:
            raise SimulatedCrash
        return real_record(db, to, **kwargs)

    if crash_point == "before send":
        # Digests send through `send`, alerts through `post` (which returns the message id).
        monkeypatch.setattr(sender, "send", crashing(real_send))
        monkeypatch.setattr(sender, "post", crashing(real_post))
    else:
        monkeypatch.setattr(storage, record_name, crashing_record)


def builder_for(db, lowest: int = 0, limit: int = TELEGRAM_LIMIT) -> DigestBuilder:
    """A builder over every change after `lowest`, as a run at FIRST_DUE makes it."""
    upto = storage.latest_change_id(db)
    return DigestBuilder(
        storage.changes_between(db, lowest, upto),
        storage.list_channels(db),
        storage.phase_ladder(db),
        lowest=lowest,
        upto=upto,
        now=FIRST_DUE,
        limit=limit,
    )
