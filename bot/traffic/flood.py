"""Flood control: one user hammering the bot is slowed down without slowing anyone else."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler

from bot.chats import addressed_to_bot, is_private, texts_for
from bot.context import BotContext
from language.i18n import N_

log = logging.getLogger(__name__)

FLOOD_KEY = "flood_guard"
NOTICE = N_("You're sending messages faster than I can answer. Please wait a few seconds.")
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


def verdict_for(update: object, bot: Bot, bot_data: Mapping[str, Any]) -> Verdict:
    """Spend one of the sender's tokens if the update counts; ALLOW when it does not."""
    if not isinstance(update, Update):
        return Verdict.ALLOW
    user = update.effective_user
    if user is None or not _counts(update, bot):
        return Verdict.ALLOW
    verdict: Verdict = bot_data[FLOOD_KEY].check(user.id)
    return verdict


async def refuse(update: Update, context: BotContext, verdict: Verdict) -> None:
    """Warn once per flood (answer a button silently after that), then stop every handler."""
    if verdict is Verdict.WARN:
        user = update.effective_user
        log.warning("flood control: slowing down user %s", user.id if user else None)
        notice = texts_for(update, context)(NOTICE)
        if update.callback_query is not None:
            await update.callback_query.answer(notice)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(notice)
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


class FloodHandler(BaseHandler[Update, BotContext, None]):
    """Flood control in front of every handler (group -1), taking an update only to refuse it.

    The verdict is reached in `check_update`, so an allowed update (nearly all) costs PTB no
    handler run in this group: no callback, no task, just the token spent. A refused one is
    handled like any update: the context is built, `refuse` answers and stops the rest.
    `bot_data[FLOOD_KEY]` is read for every update, so it can be replaced while running.
    """

    def __init__(self, bot: Bot, bot_data: Mapping[str, Any]) -> None:
        super().__init__(self._refuse)
        self._bot, self._bot_data = bot, bot_data

    def check_update(self, update: object) -> Verdict | None:
        """The refusal to give this update, or None to let it through."""
        verdict = verdict_for(update, self._bot, self._bot_data)
        return None if verdict is Verdict.ALLOW else verdict

    @staticmethod
    async def _refuse(update: Update, context: BotContext) -> None:
        raise AssertionError("FloodHandler.handle_update calls refuse with the verdict")

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: object,
        check_result: Verdict,
        context: BotContext,
    ) -> None:
        """Refuse the update (see `refuse`)."""
        await refuse(update, context, check_result)
