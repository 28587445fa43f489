"""Inline mode: `@BackchannelBot ceasefire` in any chat offers that channel's status card.

Journalists share what they read where they already talk. Telegram asks the bot as the person
types, so answers come from the question router and the reply cache (cheap), Telegram is told
to cache them too, and nothing here may fail loudly: a problem answers with no results.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

import storage
from bot.context import BotContext
from bot.pages import cached
from language import routing
from language.i18n import Texts, language_of_text, pick_language, texts
from render.formatting import channel_title
from render.inline import inline_card, inline_description

log = logging.getLogger(__name__)

CACHE_SECONDS = 60  # Telegram keeps the results this long; a status rarely changes faster
MAX_QUERY = 64  # Telegram allows 256 characters; a channel name needs far fewer


async def inline_query(update: Update, context: BotContext) -> None:
    """Offer the status card of the channel typed after the bot's name (all when empty)."""
    query = update.inline_query
    if query is None:
        return
    asked = query.query.strip()[:MAX_QUERY]
    code = query.from_user.language_code if query.from_user else None
    _ = texts(
        language_of_text(asked) or pick_language(None, code, context.settings.default_language)
    )
    try:
        results = cached(
            context, ("inline", asked), lambda _now: _results(context, asked, _),
            language=_.language,
        )  # fmt: skip
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
    except TelegramError as error:  # e.g. the person typed on and the query expired
        log.info("inline query not answered: %s", error)


def _results(context: BotContext, asked: str, _: Texts) -> list[InlineQueryResultArticle]:
    statuses = storage.current_statuses(context.db)
    if asked:
        router = routing.router_for([status.channel for status in statuses])
        wanted = {match.slug for match in router.route(asked).channels}
        statuses = [status for status in statuses if status.channel.slug in wanted]
    zone = context.settings.zone
    button = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Open Backchannel"), url=f"https://t.me/{context.bot.username}")]]
    )
    return [
        InlineQueryResultArticle(
            id=status.channel.slug,
            title=channel_title(status.channel, _),
            description=inline_description(status, _),
            input_message_content=InputTextMessageContent(
                inline_card(status, zone, _), parse_mode=ParseMode.HTML
            ),
            reply_markup=button,
        )
        for status in statuses
    ]
