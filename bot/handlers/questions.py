"""Plain-language questions: route the text, then answer from the database.

In a private chat every plain message is a question. In groups people talk to each other, so
the bot only answers when it is mentioned (@BackchannelBot) or when someone replies to it.
"""

import logging
import re
from datetime import UTC, datetime

from telegram import Message, MessageEntity, Update

import storage
from bot.callbacks import Action
from bot.chats import is_private
from bot.context import BotContext
from bot.keyboards import choices_keyboard, overview_only
from bot.pages import channel_page, latest_page, send_page
from bot.replies import reply
from language import routing
from render.answers import changes_view, choices_text, no_match_text, nothing_changed_hint

log = logging.getLogger(__name__)

CHANGES_LIMIT = 20
_CHOICE_ACTIONS = {routing.Intent.LATEST_ENTRY: Action.LATEST}


def addressed_to_bot(message: Message, bot_id: int, bot_username: str) -> bool:
    """Whether a group message mentions the bot or replies to one of its messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mentions = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, value in mentions.items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if value.lower() == f"@{bot_username.lower()}":
            return True
    return False


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
    await _answer(update, context, found, channels)


async def _answer(
    update: Update, context: BotContext, found: routing.Route, channels: list[storage.Channel]
) -> None:
    by_slug = {channel.slug: channel for channel in channels}
    candidates = [by_slug[match.slug] for match in found.channels if match.slug in by_slug]
    if found.intent is routing.Intent.CHANGES_IN_PERIOD and found.period is not None:
        # A period with one clear channel narrows the changes to it; with several, show all.
        only = candidates[0] if len(candidates) == 1 else None
        await _changes(update, context, found.period, only, channels)
    elif len(candidates) > 1:
        action = _CHOICE_ACTIONS.get(found.intent, Action.CHANNEL)
        await reply(update, choices_text(candidates), choices_keyboard(candidates, action))
    elif found.intent is routing.Intent.LATEST_ENTRY:
        await _latest(update, context, candidates[0] if candidates else None, channels)
    elif candidates:
        await send_page(update, channel_page(context, candidates[0], update))
    else:
        await reply(update, no_match_text(channels), overview_only())


async def _changes(
    update: Update,
    context: BotContext,
    period: routing.Period,
    only: storage.Channel | None,
    channels: list[storage.Channel],
) -> None:
    db, zone, now = context.db, context.settings.zone, datetime.now(UTC)
    channel_id = only.id if only else None
    found = storage.changes_since(
        db, period.start(now, zone), limit=CHANGES_LIMIT, channel_id=channel_id
    )
    by_id = {channel.id: channel for channel in channels}
    html = changes_view(
        found, by_id, storage.phase_ladder(db), zone, period=period.label, only=only
    )
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
