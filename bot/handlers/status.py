"""/status and /channels: the overview readers open first."""

from telegram import Update

import storage
from bot.chats import texts_for
from bot.context import BotContext
from bot.pages import overview_page, send_page
from bot.replies import reply
from render.channels import channel_list


async def status(update: Update, context: BotContext) -> None:
    """Overview of every channel: phase, summary and freshness."""
    await send_page(update, overview_page(context, texts_for(update, context)))


async def channels(update: Update, context: BotContext) -> None:
    """List of channels and their commands."""
    _ = texts_for(update, context)
    await reply(update, channel_list(storage.list_channels(context.db), _))
