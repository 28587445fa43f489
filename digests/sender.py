"""Delivering digests within Telegram's limits, telling permanent failures from passing ones.

Telegram allows about 30 messages a second overall and 20 a minute to one group, and answers
429 with retry_after beyond that. The sender spaces messages under those limits (aiolimiter),
pauses everyone when Telegram still says "retry after", retries network trouble with backoff,
and reports a chat that blocked the bot or no longer exists as gone, so it is not retried
forever. Sleep and clock are injected so tests never wait.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.telegram_bot import BackchannelBot

# Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) instead of a
# deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

log = logging.getLogger(__name__)

GROUP_MESSAGES_PER_MINUTE = 20
# Stay a little under the configured limit: a server counting per whole second must never see
# one message too many because of timer jitter.
SAFETY_MARGIN = 0.95
BURST_SHARE = 0.04
_GONE_MARKERS = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")

Sleep = Callable[[float], Awaitable[None]]


class Outcome(enum.Enum):
    """What happened to one digest."""

    DELIVERED = "delivered"
    GONE = "gone"  # blocked the bot, left the group, or the chat was deleted
    RETRY_LATER = "retry later"


class RateLimits:
    """Waits until a message to `chat_id` fits both the overall and the per-group limit."""

    def __init__(
        self,
        per_second: float,
        *,
        group_per_minute: int = GROUP_MESSAGES_PER_MINUTE,
        group_period: float = 60.0,
    ) -> None:
        # A small bucket (4% of a second's worth) absorbs the event loop's millisecond timer
        # overshoot, while a burst plus the steady rate still stays under the limit in any
        # one-second window; a bucket of a whole second would double it at the start.
        rate = per_second * SAFETY_MARGIN
        burst = max(1, int(per_second * BURST_SHARE))
        self._overall = AsyncLimiter(burst, burst / rate)
        self._group_rate = (group_per_minute, group_period)
        self._groups: OrderedDict[int, tuple[AsyncLimiter, float]] = OrderedDict()

    async def acquire(self, chat_id: int) -> None:
        """Return when a message to this chat may be sent now."""
        if chat_id < 0:  # groups and channels have negative ids
            await self._group(chat_id).acquire()
        await self._overall.acquire()

    def _group(self, chat_id: int) -> AsyncLimiter:
        now = time.monotonic()
        period = self._group_rate[1]
        # Forget groups idle for a full period: their bucket is empty again, and a run over
        # many groups must not keep one limiter per group in memory.
        while self._groups and next(iter(self._groups.values()))[1] < now - period:
            self._groups.popitem(last=False)
        limiter = self._groups.pop(chat_id, (AsyncLimiter(*self._group_rate), now))[0]
        self._groups[chat_id] = (limiter, now)
        return limiter


class DigestSender:
    """Sends one digest (one or more messages) and says whether it arrived."""

    def __init__(
        self,
        bot: BackchannelBot,
        limits: RateLimits,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        attempts: int = 5,
        first_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_flood_waits: int = 10,
    ) -> None:
        self.bot, self.limits, self.sleep, self.clock = bot, limits, sleep, clock
        self.attempts, self.first_backoff, self.max_backoff = attempts, first_backoff, max_backoff
        self.max_flood_waits = max_flood_waits
        self._resume_at = 0.0
        self.flood_waits = 0

    async def send(self, chat_id: int, parts: Sequence[str]) -> Outcome:
        """Send every part in order; stop at the first part that cannot be delivered."""
        for part in parts:
            outcome = await self._send_part(chat_id, part)
            if outcome is not Outcome.DELIVERED:
                return outcome
        return Outcome.DELIVERED

    async def _send_part(self, chat_id: int, html: str) -> Outcome:
        failures = flood_waits = 0
        while True:
            await self._wait_for_flood_control()
            await self.limits.acquire(chat_id)
            try:
                await self.bot.send_html(chat_id, html)
                return Outcome.DELIVERED
            except RetryAfter as error:
                flood_waits += 1
                self.flood_waits += 1
                self._resume_at = max(self._resume_at, self.clock() + _seconds(error))
                log.warning("flood control: pausing digests for %.0f s", _seconds(error))
                if flood_waits > self.max_flood_waits:
                    return Outcome.RETRY_LATER
            except Forbidden as error:
                log.info("digest to %s refused (%s): deactivating", chat_id, error.message)
                return Outcome.GONE
            except ChatMigrated:
                log.warning("chat %s became a supergroup; it must /subscribe again", chat_id)
                return Outcome.GONE
            except BadRequest as error:  # before NetworkError: BadRequest subclasses it
                if any(marker in error.message.lower() for marker in _GONE_MARKERS):
                    log.info("digest to %s: %s: deactivating", chat_id, error.message)
                    return Outcome.GONE
                log.error("digest to %s rejected: %s", chat_id, error.message)
                return Outcome.RETRY_LATER
            except NetworkError as error:  # includes TimedOut and 5xx answers
                failures += 1
                if failures >= self.attempts:
                    log.warning("digest to %s failed %d times: %s", chat_id, failures, error)
                    return Outcome.RETRY_LATER
                await self.sleep(min(self.first_backoff * 2 ** (failures - 1), self.max_backoff))
            except TelegramError as error:
                log.error("digest to %s failed: %s", chat_id, error)
                return Outcome.RETRY_LATER

    async def _wait_for_flood_control(self) -> None:
        # Shared by every concurrent send: after a 429 nobody sends until the pause is over.
        while (remaining := self._resume_at - self.clock()) > 0:
            await self.sleep(remaining)


def _seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
