"""/status and /channels: the overview readers open first."""

from datetime import datetime

from telegram import Update

import storage
from bot.context import BotContext
from bot.replies import reply
from bot.views import channel_list, status_overview


async def status(update: Update, context: BotContext) -> None:
    """Overview of every channel: phase, summary and freshness."""
    statuses = storage.current_statuses(context.db)
    await reply(update, status_overview(statuses, datetime.now(context.settings.zone)))


async def channels(update: Update, context: BotContext) -> None:
    """List of channels and their commands."""
    await reply(update, channel_list(storage.list_channels(context.db)))
