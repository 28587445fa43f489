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
from language.i18n import Texts, language_of_text, texts
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
    asked = message.text
    if "@" in asked:  # nearly every question names no one: no pattern to build and run
        asked = re.sub(rf"@{re.escape(bot.username)}\b", " ", asked, flags=re.IGNORECASE)
    channels = storage.list_channels(db)
    found = routing.router_for(channels).route(asked)
    log.info("question routed to %s %s", found.intent, [m.slug for m in found.channels])
    # Answers speak the reader's language, whichever language the question was typed in (a
    # reader whose Telegram speaks English gets English for "що з обміном полоненими?"); what
    # the bot says about a date or day it was asked follows the question's own language.
    reader = language_of(update, context)
    _ = texts(reader)
    asked_in = texts(language_of_text(asked) or reader)
    await _answer(update, context, found, channels, _, asked_in)


_SAME_AS_COMMAND = {
    # A plain "hello" gets the introduction as text alone: the language buttons stay with
    # /start and /language.
    routing.Intent.GREETING: help.help_command,
    routing.Intent.HELP: help.help_command,
    routing.Intent.OVERVIEW: status.status,
}


async def _answer(
    update: Update,
    context: BotContext,
    found: routing.Route,
    channels: list[storage.Channel],
    _: Texts,
    asked_in: Texts,
) -> None:
    by_slug = {channel.slug: channel for channel in channels}
    candidates = [by_slug[match.slug] for match in found.channels if match.slug in by_slug]
    command = _SAME_AS_COMMAND.get(found.intent)
    if command is not None:
        await command(update, context)
    elif found.intent is routing.Intent.UNREADABLE_TIME:
        unreadable = unreadable_time_text(asked_in, found.unreadable or "")
        await reply(update, unreadable, overview_only(asked_in))
    elif found.intent is routing.Intent.STATUS_AT and found.at is not None:
        await _status_at(update, context, found.at, candidates or channels, asked_in)
    elif found.intent is routing.Intent.CHANGES_IN_PERIOD and found.period is not None:
        # A period with one clear channel narrows the changes to it; with several, show all.
        only = candidates[0] if len(candidates) == 1 else None
        await _changes(update, context, found.period, only, channels, _, asked_in)
    elif len(candidates) > 1:
        action = _CHOICE_ACTIONS.get(found.intent, Action.CHANNEL)
        await reply(update, choices_text(candidates, _), choices_keyboard(candidates, action, _))
    elif found.intent is routing.Intent.LATEST_ENTRY:
        await _latest(update, context, candidates[0] if candidates else None, channels, _)
    elif candidates:
        await send_page(update, channel_page(context, candidates[0], update, _))
    else:
        await _search_or_say_so(update, context, found.words, channels, _)


async def _search_or_say_so(
    update: Update,
    context: BotContext,
    words: tuple[str, ...],
    channels: list[storage.Channel],
    _: Texts,
) -> None:
    """No channel named: the words may still be in statuses or notes ("Qatar")."""
    results = storage.search_entries(context.db, " ".join(words), SEARCH_LIMIT) if words else None
    if results is not None and results.total:
        await reply(update, search_view(results, context.settings.zone, _), overview_only(_))
    else:
        await reply(update, no_match_text(channels, _), overview_only(_))


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
        await reply(update, unreadable_time_text(_, _.date(today)), overview_only(_))
        return
    if day > today:
        await reply(update, future_time_text(_, day), overview_only(_))
        return
    await reply(update, status_at_html(context, channels, day, _), overview_only(_))


async def _changes(
    update: Update,
    context: BotContext,
    period: routing.Window,
    only: storage.Channel | None,
    channels: list[storage.Channel],
    _: Texts,
    asked_in: Texts,
) -> None:
    db, zone, now = context.db, context.settings.zone, datetime.now(UTC)
    channel_id = only.id if only else None
    start, end = period.start(now, zone), period.end(now, zone)
    if start > now:
        to_come = future_time_text(asked_in, start.astimezone(zone).date())
        await reply(update, to_come, overview_only(asked_in))
        return
    found = storage.changes_since(db, start, limit=CHANGES_LIMIT, channel_id=channel_id, until=end)
    by_id = {channel.id: channel for channel in channels}
    label = window_label(_, period, now, zone)
    html = changes_view(found, by_id, storage.phase_ladder(db), zone, _, period=label, only=only)
    if not found.entries:
        latest = storage.changes_since(db, None, limit=1, channel_id=channel_id).entries
        entry = latest[0] if latest else None
        where = by_id.get(entry.channel_id) if entry and not only else None
        hint = nothing_changed_hint(entry, where, now, _)
        html += f" {hint} " + _("Send /status for the overview.")
    await reply(update, html, overview_only(_))


async def _latest(
    update: Update,
    context: BotContext,
    channel: storage.Channel | None,
    channels: list[storage.Channel],
    _: Texts,
) -> None:
    if channel is None:
        # "When was the last change?" names no channel: the latest entry of any channel.
        latest = storage.changes_since(context.db, None, limit=1).entries
        by_id = {c.id: c for c in channels}
        channel = by_id.get(latest[0].channel_id) if latest else None
    if channel is None:
        await reply(update, no_match_text(channels, _), overview_only(_))
        return
    await send_page(update, latest_page(context, channel, _))
