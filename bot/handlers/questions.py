"""Plain-language questions: route the text, then answer from the database.

In a private chat every plain message is a question. In groups people talk to each other, so
the bot only answers when it is mentioned (@BackchannelBot) or when someone replies to it.
"""

import logging
import re
from datetime import UTC, datetime

from telegram import Update

import storage
from bot.callbacks import Action
from bot.chats import addressed_to_bot, is_private, language_of
from bot.context import BotContext
from bot.handlers import help, status
from bot.handlers.search import SEARCH_LIMIT
from bot.keyboards import choices_keyboard, overview_only
from bot.pages import channel_page, latest_page, send_page, status_at_html
from bot.replies import reply
from language import routing
from language.i18n import ENGLISH, Texts, language_of_text, texts
from render.answers import (
    changes_view,
    choices_text,
    future_time_text,
    no_match_text,
    nothing_changed_hint,
    search_view,
    unreadable_time_text,
    window_label,
)

log = logging.getLogger(__name__)

CHANGES_LIMIT = 20
_CHOICE_ACTIONS = {routing.Intent.LATEST_ENTRY: Action.LATEST}


async def question(update: Update, context: BotContext) -> None:
    """Answer a plain-language question about the channels."""
    message, bot, db = update.effective_message, context.bot, context.db
    if message is None or not message.text:
        return
    if not is_private(update) and not addressed_to_bot(message, bot.id, bot.username):
        return
    asked = re.sub(rf"@{re.escape(bot.username)}\b", " ", message.text, flags=re.IGNORECASE)
    channels = storage.list_channels(db)
    found = routing.router_for(channels).route(asked)
    log.info("question routed to %s %s", found.intent, [m.slug for m in found.channels])
    # New answers speak the language the question was asked in.
    _ = texts(language_of_text(asked) or language_of(update, context))
    await _answer(update, context, found, channels, _)


_SAME_AS_COMMAND = {
    routing.Intent.GREETING: help.start,
    routing.Intent.HELP: help.help_command,
    routing.Intent.OVERVIEW: status.status,
}


async def _answer(
    update: Update,
    context: BotContext,
    found: routing.Route,
    channels: list[storage.Channel],
    _: Texts,
) -> None:
    by_slug = {channel.slug: channel for channel in channels}
    candidates = [by_slug[match.slug] for match in found.channels if match.slug in by_slug]
    command = _SAME_AS_COMMAND.get(found.intent)
    if command is not None:
        await command(update, context)
    elif found.intent is routing.Intent.UNREADABLE_TIME:
        await reply(update, unreadable_time_text(_, found.unreadable or ""), overview_only())
    elif found.intent is routing.Intent.STATUS_AT and found.at is not None:
        await _status_at(update, context, found.at, candidates or channels, _)
    elif found.intent is routing.Intent.CHANGES_IN_PERIOD and found.period is not None:
        # A period with one clear channel narrows the changes to it; with several, show all.
        only = candidates[0] if len(candidates) == 1 else None
        await _changes(update, context, found.period, only, channels, _)
    elif len(candidates) > 1:
        action = _CHOICE_ACTIONS.get(found.intent, Action.CHANNEL)
        await reply(update, choices_text(candidates), choices_keyboard(candidates, action))
    elif found.intent is routing.Intent.LATEST_ENTRY:
        await _latest(update, context, candidates[0] if candidates else None, channels)
    elif candidates:
        await send_page(update, channel_page(context, candidates[0], update))
    else:
        await _search_or_say_so(update, context, found.words, channels)


async def _search_or_say_so(
    update: Update, context: BotContext, words: tuple[str, ...], channels: list[storage.Channel]
) -> None:
    """No channel named: the words may still be in statuses or notes ("Qatar")."""
    results = storage.search_entries(context.db, " ".join(words), SEARCH_LIMIT) if words else None
    if results is not None and results.total:
        await reply(update, search_view(results, context.settings.zone), overview_only())
    else:
        await reply(update, no_match_text(channels), overview_only())


async def _status_at(
    update: Update,
    context: BotContext,
    at: routing.DaySpec,
    channels: list[storage.Channel],
    _: Texts,
) -> None:
    """The status each channel had in force at the end of the day asked about."""
    zone = context.settings.zone
    today = datetime.now(zone).date()
    try:
        day = at.resolve(today)
    except ValueError:
        await reply(update, unreadable_time_text(_, _.date(today)), overview_only())
        return
    if day > today:
        await reply(update, future_time_text(_, day), overview_only())
        return
    await reply(update, status_at_html(context, channels, day, _), overview_only())


async def _changes(
    update: Update,
    context: BotContext,
    period: routing.Window,
    only: storage.Channel | None,
    channels: list[storage.Channel],
    _: Texts,
) -> None:
    db, zone, now = context.db, context.settings.zone, datetime.now(UTC)
    channel_id = only.id if only else None
    start, end = period.start(now, zone), period.end(now, zone)
    if start > now:
        await reply(update, future_time_text(_, start.astimezone(zone).date()), overview_only())
        return
    found = storage.changes_since(db, start, limit=CHANGES_LIMIT, channel_id=channel_id, until=end)
    by_id = {channel.id: channel for channel in channels}
    # The list of changes is English until its texts are in the catalog; so is its window.
    label = window_label(texts(ENGLISH), period, now, zone)
    html = changes_view(found, by_id, storage.phase_ladder(db), zone, period=label, only=only)
    if not found.entries:
        latest = storage.changes_since(db, None, limit=1, channel_id=channel_id).entries
        entry = latest[0] if latest else None
        where = by_id.get(entry.channel_id) if entry and not only else None
        html += f" {nothing_changed_hint(entry, where, now)} Send /status for the overview."
    await reply(update, html, overview_only())


async def _latest(
    update: Update,
    context: BotContext,
    channel: storage.Channel | None,
    channels: list[storage.Channel],
) -> None:
    if channel is None:
        # "When was the last change?" names no channel: the latest entry of any channel.
        latest = storage.changes_since(context.db, None, limit=1).entries
        by_id = {c.id: c for c in channels}
        channel = by_id.get(latest[0].channel_id) if latest else None
    if channel is None:
        await reply(update, no_match_text(channels), overview_only())
        return
    await send_page(update, latest_page(context, channel))
