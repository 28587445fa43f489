"""Pages: a reply's HTML together with its buttons, built the same way for commands and taps.

A command sends a page as a new message; a button edits the message it sits under into
another page. Both call these functions, so a page looks the same however it was reached.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from telegram import Update

import storage
from bot.auth import is_admin
from bot.chats import in_channel
from bot.context import BotContext
from bot.keyboards import (
    Viewer,
    channel_keyboard,
    history_keyboard,
    latest_keyboard,
    overview_keyboard,
)
from bot.replies import reply
from bot.reply_cache import CACHE_KEY, Rendered
from bot.telegram_bot import Keyboard
from language.i18n import Texts
from language.time_phrases import midnight
from render.answers import latest_view, status_at_view
from render.channels import channel_detail, history_view, status_overview

RECENT_CHANGES = 3
HISTORY_DEFAULT = 10


@dataclass(frozen=True)
class Page:
    """What one message shows: HTML and, optionally, inline buttons."""

    html: str
    keyboard: Keyboard | None = None


def viewer(context: BotContext, update: Update, channel: storage.Channel) -> Viewer:
    """The person and chat a channel's page is built for (decides per-person buttons)."""
    user_id = update.effective_user.id if update.effective_user else None
    chat = update.effective_chat
    subscribed = None if chat is None else storage.is_subscribed(context.db, chat.id, channel.id)
    # No admin buttons in a channel: everyone sees them, and the form cannot work there.
    admin = is_admin(context, user_id) and not in_channel(update)
    return Viewer(is_admin=admin, subscribed=subscribed)


def local_now(context: BotContext) -> datetime:
    """Now in the bot's time zone, so "N days ago" counts the dates readers see."""
    return datetime.now(context.settings.zone)


def cached(
    context: BotContext,
    what: Hashable,
    render: Callable[[datetime], Rendered],
    *,
    language: str,
) -> Rendered:
    """A page, its HTML, or anything else derived from the data, made again only when the
    data or the local date changed.

    `language` is the reader's: a page in Ukrainian must never be served to an English reader.
    """
    now = local_now(context)
    key = (what, language)
    return context.bot_data[CACHE_KEY].get(context.db, now.date(), key, lambda: render(now))


def overview_page(context: BotContext, _: Texts) -> Page:
    """/status: every channel, with a button for each."""

    def render(now: datetime) -> Page:
        statuses = storage.current_statuses(context.db)
        keyboard = overview_keyboard(statuses, _) if statuses else None
        return Page(status_overview(statuses, now, _), keyboard)

    return cached(context, "overview", render, language=_.language)


def channel_page(context: BotContext, channel: storage.Channel, update: Update, _: Texts) -> Page:
    """/<channel>: the full status, the latest changes, and the channel's buttons."""
    db, zone = context.db, context.settings.zone

    def render(now: datetime) -> str:
        status = storage.channel_status(db, channel)
        recent = storage.history(db, channel.id, RECENT_CHANGES)
        return channel_detail(status, recent, storage.phase_ladder(db), now, zone, _)

    html = cached(context, ("channel", channel.id), render, language=_.language)
    return Page(html, channel_keyboard(channel, viewer(context, update, channel), _))


def history_page(
    context: BotContext, channel: storage.Channel, _: Texts, limit: int = HISTORY_DEFAULT
) -> Page:
    """The channel's latest entries, with a way back."""
    db, zone = context.db, context.settings.zone

    def render(_now: datetime) -> str:
        entries = storage.history(db, channel.id, limit)
        return history_view(channel, entries, storage.phase_ladder(db), zone, _)

    html = cached(context, ("history", channel.id, limit), render, language=_.language)
    return Page(html, history_keyboard(channel, _))


def latest_page(context: BotContext, channel: storage.Channel, _: Texts) -> Page:
    """The channel's most recent status or note, and how long ago it was."""
    entries = storage.history(context.db, channel.id, 1)
    ladder = storage.phase_ladder(context.db)
    entry = entries[0] if entries else None
    html = latest_view(channel, entry, ladder, local_now(context), context.settings.zone, _)
    return Page(html, latest_keyboard(channel, _))


async def send_page(update: Update, page: Page) -> None:
    """Send a page as a new reply (commands and questions)."""
    await reply(update, page.html, page.keyboard)


def status_at_html(
    context: BotContext, channels: list[storage.Channel], day: date, _: Texts
) -> str:
    """The status these channels had in force at the end of `day` (local): questions such as
    "ceasefire on 1 March" and /history ceasefire 2025-03-01."""
    zone, db = context.settings.zone, context.db
    end = midnight(day + timedelta(days=1), zone)
    items = [(channel, storage.status_at(db, channel.id, end)) for channel in channels]
    return status_at_view(_, items, storage.phase_ladder(db), day, zone)
