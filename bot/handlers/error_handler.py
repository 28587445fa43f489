"""The one global error handler: log first, then tell the user something went wrong."""

import logging

from telegram import Update
from telegram.error import TelegramError

import storage
from bot.context import BotContext
from bot.replies import reply

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
DATABASE_REPLACED = (
    "⚠️ The database file was moved or replaced while the bot ran; nothing was saved. "
    "Restart the bot so it opens the database at its path again, then repeat what you did."
)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its traceback and apologise to the user who triggered it."""
    if isinstance(context.error, storage.DatabaseReplacedError):
        # Every write fails the same way until a restart: one line, no traceback.
        log.error("%s", context.error)
        answer = DATABASE_REPLACED
    else:
        log.error("error while handling an update", exc_info=context.error)
        answer = SORRY
    if not isinstance(update, Update) or update.effective_message is None:
        return
    try:
        await reply(update, answer)
    except TelegramError:
        log.warning("could not send the error apology")
