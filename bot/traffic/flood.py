"""Flood control: one user hammering the bot is slowed down without slowing anyone else."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Bot, Update
from telegram.ext import ApplicationHandlerStop

from bot.chats import addressed_to_bot, is_private
from bot.context import BotContext

log = logging.getLogger(__name__)

FLOOD_KEY = "flood_guard"
NOTICE = "You're sending messages faster than I can answer. Please wait a few seconds."
_PRUNE_ABOVE = 10_000


class Verdict(enum.Enum):
    """What to do with one incoming update."""

    ALLOW = "allow"
    WARN = "warn"  # first refusal in a flood: tell the user once
    DROP = "drop"  # later refusals: stay silent


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


@dataclass
class FloodGuard:
    """A token bucket per user: `burst` updates at once, then `rate` per second."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def check(self, user_id: int) -> Verdict:
        """Spend one token for this user, or say how to refuse."""
        now = self.clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) > _PRUNE_ABOVE:
                self._prune(now)
            bucket = self._buckets[user_id] = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _prune(self, now: float) -> None:
        # Users whose bucket has refilled carry no state worth keeping.
        full = [
            user_id
            for user_id, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.burst
        ]
        for user_id in full:
            del self._buckets[user_id]


def _counts(update: Update, bot: Bot) -> bool:
    """Everything addressed to the bot: buttons, private messages, and in groups commands,
    mentions and replies to the bot (each of which it answers). Group chatter does not count."""
    if update.callback_query is not None:
        return True
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return False
    if is_private(update):
        return True
    if (message.text or message.caption or "").startswith("/"):
        return True
    return addressed_to_bot(message, bot.id, bot.username)


async def guard(update: Update, context: BotContext) -> None:
    """Stop further handlers for updates over the user's rate; warn once per flood."""
    user = update.effective_user
    if user is None or not _counts(update, context.bot):
        return
    verdict = context.bot_data[FLOOD_KEY].check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        log.warning("flood control: slowing down user %s", user.id)
        if update.callback_query is not None:
            await update.callback_query.answer(NOTICE)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(NOTICE)
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop
