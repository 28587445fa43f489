"""Pages: a reply's HTML together with its buttons, built the same way for commands and taps.

A command sends a page as a new message; a button edits the message it sits under into
another page. Both call these functions, so a page looks the same however it was reached.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update

import storage
from bot.context import BotContext
from bot.keyboards import (
    Viewer,
    channel_keyboard,
    history_keyboard,
    latest_keyboard,
    overview_keyboard,
)
from bot.question_views import latest_view
from bot.replies import reply
from bot.views import channel_detail, history_view, status_overview

RECENT_CHANGES = 3
HISTORY_DEFAULT = 10


@dataclass(frozen=True)
class Page:
    """What one message shows: HTML and, optionally, inline buttons."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def viewer(context: BotContext, user_id: int | None) -> Viewer:
    """The person a page is built for (decides per-person buttons)."""
    admins = context.settings.admin_ids
    return Viewer(db=context.db, user_id=user_id, is_admin=user_id in admins)


def overview_page(context: BotContext) -> Page:
    """/status: every channel, with a button for each."""
    statuses = storage.current_statuses(context.db)
    keyboard = overview_keyboard(statuses) if statuses else None
    return Page(status_overview(statuses, datetime.now(UTC)), keyboard)


def channel_page(context: BotContext, channel: storage.Channel, user_id: int | None) -> Page:
    """/<channel>: the full status, the latest changes, and the channel's buttons."""
    db, zone = context.db, context.settings.zone
    status = storage.channel_status(db, channel)
    recent = storage.history(db, channel.id, RECENT_CHANGES)
    html = channel_detail(status, recent, storage.phase_ladder(db), datetime.now(UTC), zone)
    return Page(html, channel_keyboard(channel, viewer(context, user_id)))


def history_page(context: BotContext, channel: storage.Channel) -> Page:
    """The channel's latest entries, with a way back."""
    entries = storage.history(context.db, channel.id, HISTORY_DEFAULT)
    ladder = storage.phase_ladder(context.db)
    html = history_view(channel, entries, ladder, context.settings.zone)
    return Page(html, history_keyboard(channel))


def latest_page(context: BotContext, channel: storage.Channel) -> Page:
    """The channel's most recent status or note, and how long ago it was."""
    entries = storage.history(context.db, channel.id, 1)
    ladder = storage.phase_ladder(context.db)
    entry = entries[0] if entries else None
    html = latest_view(channel, entry, ladder, datetime.now(UTC), context.settings.zone)
    return Page(html, latest_keyboard(channel))


async def send_page(update: Update, page: Page) -> None:
    """Send a page as a new reply (commands and questions)."""
    await reply(update, page.html, page.keyboard)
