"""/search: full-text search over every summary and note."""

from telegram import Update

import storage
from bot.chats import texts_for
from bot.context import BotContext
from bot.replies import reply
from language.i18n import N_
from render.answers import search_view

SEARCH_LIMIT = 10
USAGE = N_(
    "Tell me what to look for, e.g. <code>/search prisoner exchange</code> or "
    "<code>/search обмін</code>. I find every status and note that contains all the words."
)


async def search(update: Update, context: BotContext) -> None:
    """Find statuses and notes by words: /search prisoner exchange."""
    _ = texts_for(update, context)
    words = " ".join(context.args or [])
    if not storage.search_terms(words):
        await reply(update, _(USAGE))
        return
    results = storage.search_entries(context.db, words, SEARCH_LIMIT)
    await reply(update, search_view(results, context.settings.zone, _))
