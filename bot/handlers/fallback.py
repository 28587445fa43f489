"""What the bot says to plain text it cannot route yet, so nobody is left without an answer."""

from telegram import Update

from bot.context import BotContext
from bot.replies import reply

HINT = (
    "I answer commands. Try /status for an overview of every channel, or /help for the full list."
)


async def plain_text(update: Update, context: BotContext) -> None:
    """Point readers who type free text at the commands."""
    await reply(update, HINT)
