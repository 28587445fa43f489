"""Delivering digests within Telegram's limits, telling permanent failures from passing ones.

Telegram allows about 30 messages a second overall and 20 a minute to one group, and answers
429 with retry_after beyond that. The sender spaces messages under those limits (aiolimiter),
pauses everyone when Telegram still says "retry after", retries network trouble with backoff,
and reports a chat that blocked the bot or no longer exists as gone, so it is not retried
forever. Sleep and clock are injected so tests never wait.

The sender knows nothing of Telegram's library: it sends through `HtmlOutbox` (one method,
"send this HTML to this chat"), which `bot.jobs.outbox` implements by translating Telegram's errors
into the four kinds below. So digests can be built, sent and tested without `telegram`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from aiolimiter import AsyncLimiter

log = logging.getLogger(__name__)

GROUP_MESSAGES_PER_MINUTE = 20
# Stay a little under the configured limit: a server counting per whole second must never see
# one message too many because of timer jitter.
SAFETY_MARGIN = 0.95
BURST_SHARE = 0.04

Sleep = Callable[[float], Awaitable[None]]


class HtmlOutbox(Protocol):
    """Where digests go: the bot implements it for Telegram, tests and benchmarks likewise."""

    async def send_html(self, chat_id: int, html: str) -> int | None:
        """Send one HTML message and return its id, or raise a `DeliveryError` kind below."""

    async def edit_html(self, chat_id: int, message_id: int, html: str) -> None:
        """Replace the text of a message sent earlier (corrections), raising likewise."""


class DeliveryError(Exception):
    """A message was not delivered; the subclass says whether and when to try again."""


class FloodWait(DeliveryError):
    """The messenger asks everyone to pause for `seconds` (Telegram's 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class ChatGone(DeliveryError):
    """The chat blocked the bot, was left or deleted: never retry."""


class NetworkTrouble(DeliveryError):
    """A passing failure (time-out, 5xx, dropped connection): retry with backoff."""


class Refused(DeliveryError):
    """The message itself was refused (e.g. bad markup): retrying now would not help."""


class Outcome(enum.Enum):
    """What happened to one digest."""

    DELIVERED = "delivered"
    GONE = "gone"  # blocked the bot, left the group, or the chat was deleted
    RETRY_LATER = "retry later"
    # An edit Telegram refused for good (bad markup, too long): a correction is not retried
    # on every tick forever. New messages refused likewise stay RETRY_LATER (retried later).
    REFUSED = "refused"


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
        outbox: HtmlOutbox,
        limits: RateLimits,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        attempts: int = 5,
        first_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_flood_waits: int = 10,
    ) -> None:
        self.outbox, self.limits, self.sleep, self.clock = outbox, limits, sleep, clock
        self.attempts, self.first_backoff, self.max_backoff = attempts, first_backoff, max_backoff
        self.max_flood_waits = max_flood_waits
        self._resume_at = 0.0
        self.flood_waits = 0

    async def send(
        self,
        chat_id: int,
        parts: Sequence[str],
        on_part: Callable[[int], None] | None = None,
    ) -> Outcome:
        """Send every part in order; stop at the first part that cannot be delivered.

        `on_part(n)` runs after Telegram accepted the n-th part (1-based), before the next one
        goes out, so the caller can record progress through a multi-part digest.
        """
        for number, part in enumerate(parts, start=1):
            outcome = await self._send_part(chat_id, part)
            if outcome is not Outcome.DELIVERED:
                return outcome
            if on_part is not None:
                on_part(number)
        return Outcome.DELIVERED

    async def _send_part(self, chat_id: int, html: str) -> Outcome:
        return (await self.post(chat_id, html))[0]

    async def post(self, chat_id: int, html: str) -> tuple[Outcome, int | None]:
        """Send one message; on delivery also return its id (kept for later corrections)."""
        sent: list[int | None] = []

        async def attempt() -> None:
            sent.append(await self.outbox.send_html(chat_id, html))

        outcome = await self._paced(chat_id, attempt, "digest")
        return outcome, (sent[-1] if sent else None)

    async def edit(self, chat_id: int, message_id: int, html: str) -> Outcome:
        """Edit a message sent earlier, paced and retried like a new message; an edit Telegram
        refuses (bad markup, too long) is REFUSED: repeating it would never succeed."""
        return await self._paced(
            chat_id, lambda: self.outbox.edit_html(chat_id, message_id, html), "correction",
            refused=Outcome.REFUSED,
        )  # fmt: skip

    async def _paced(
        self,
        chat_id: int,
        attempt: Callable[[], Awaitable[None]],
        what: str,
        refused: Outcome = Outcome.RETRY_LATER,
    ) -> Outcome:
        failures = flood_waits = 0
        while True:
            await self._wait_for_flood_control()
            await self.limits.acquire(chat_id)
            try:
                await attempt()
                return Outcome.DELIVERED
            except FloodWait as error:
                flood_waits += 1
                self.flood_waits += 1
                self._resume_at = max(self._resume_at, self.clock() + error.seconds)
                log.warning("flood control: pausing digests for %.0f s", error.seconds)
                if flood_waits > self.max_flood_waits:
                    return Outcome.RETRY_LATER
            except ChatGone as error:
                log.info("%s to %s refused (%s): deactivating", what, chat_id, error)
                return Outcome.GONE
            except NetworkTrouble as error:
                failures += 1
                if failures >= self.attempts:
                    log.warning("%s to %s failed %d times: %s", what, chat_id, failures, error)
                    return Outcome.RETRY_LATER
                await self.sleep(min(self.first_backoff * 2 ** (failures - 1), self.max_backoff))
            except DeliveryError as error:
                log.error("%s to %s rejected: %s", what, chat_id, error)
                return refused

    async def _wait_for_flood_control(self) -> None:
        # Shared by every concurrent send: after a 429 nobody sends until the pause is over.
        while (remaining := self._resume_at - self.clock()) > 0:
            await self.sleep(remaining)
