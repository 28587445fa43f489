"""The one global error handler: log first, then tell the user something went wrong."""

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.replies import reply

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its traceback and apologise to the user who triggered it."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_message is None:
        return
    try:
        await reply(update, SORRY)
    except TelegramError:
        log.warning("could not send the error apology")
