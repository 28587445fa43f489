"""/status and /channels: the overview readers open first."""

from datetime import datetime

from telegram import Update

import storage
from bot.context import BotContext
from bot.replies import reply
from bot.reply_cache import CACHE_KEY
from bot.views import channel_list, status_overview


async def status(update: Update, context: BotContext) -> None:
    """Overview of every channel: phase, summary and freshness."""
    now = datetime.now(context.settings.zone)
    html = context.bot_data[CACHE_KEY].get(
        context.db,
        now.date(),
        "status",
        lambda: status_overview(storage.current_statuses(context.db), now),
    )
    await reply(update, html)


async def channels(update: Update, context: BotContext) -> None:
    """List of channels and their commands."""
    await reply(update, channel_list(storage.list_channels(context.db)))
