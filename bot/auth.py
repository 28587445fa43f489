"""Who may change the briefing: the one place that decides, refuses and logs.

Admins are the ids in ADMIN_IDS (settings; cannot be revoked by command) plus those granted
with /grant (database). Every admin handler is wrapped in `admin_only`, which also marks it so
/help and Telegram's menu keep admin commands away from readers.
"""

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update

import storage
from bot.chats import texts_for
from bot.context import BotContext
from bot.replies import reply
from language.i18n import N_

log = logging.getLogger(__name__)

REFUSAL = N_(
    "Sorry, only Backchannel admins can use that command, so nothing was changed. "
    "Readers can use /status, /channels and /help."
)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def is_admin(context: BotContext, user_id: int | None) -> bool:
    """Whether the user is in ADMIN_IDS or was granted admin rights."""
    if user_id is None:
        return False
    return user_id in context.settings.admin_ids or storage.is_granted_admin(context.db, user_id)


def actor_of(update: Update) -> storage.Actor:
    """The Telegram user behind an update, as storage records them in history and audit."""
    user = update.effective_user
    if user is None:  # channel posts have no sender; admin handlers refuse them first
        return storage.Actor(id=None, name="unknown")
    return storage.Actor(id=user.id, name=user.full_name)


def admin_only(callback: Handler) -> Handler:
    """Run the handler for admins; refuse anyone else politely, change nothing, log it."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> Any:
        user = update.effective_user
        if user is not None and is_admin(context, user.id):
            return await callback(update, context)
        log.warning(
            "refused admin action %s to user %s",
            callback.__name__,
            user.id if user else "unknown",
        )
        refusal = texts_for(update, context)(REFUSAL)
        if update.callback_query is not None:
            await update.callback_query.answer(refusal, show_alert=True)
        else:
            await reply(update, refusal)
        return None

    guarded.admin_only = True  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]
