"""Inline keyboards: one place that decides which buttons each page shows.

A channel's buttons come from CHANNEL_BUTTONS, a list of small functions that each return a
button or None for the person looking (History for everyone, Subscribe/Unsubscribe for the
chat, Update for admins); a new kind of button is one more function there. Drawing only:
whatever a button depends on (is this chat subscribed, is this person an admin) is looked up
by the caller and handed over in a `Viewer`.
"""

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, encode
from storage import Channel, ChannelStatus

log = logging.getLogger(__name__)

HISTORY_LABEL = "📜 History"
STATUS_LABEL = "📄 Status"
OVERVIEW_LABEL = "📋 All channels"
BACK_LABEL = "⬅️ Back"
SUBSCRIBE_LABEL = "🔔 Subscribe"
UNSUBSCRIBE_LABEL = "🔕 Unsubscribe"
UPDATE_LABEL = "✏️ Update"
# The guided /set's channel-button data; pressing it opens the form at the phase step.
GUIDED_SET_CHANNEL = "set:c:"


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a channel's page, so per-person buttons can be decided.

    `subscribed` is whether the chat follows this channel in its digest, or None where there
    is no chat to subscribe (no Subscribe button then).
    """

    is_admin: bool
    subscribed: bool | None


ChannelButton = Callable[[Channel, Viewer], InlineKeyboardButton | None]


@functools.lru_cache(maxsize=4096)
def nav_button(label: str, action: Action, slug: str | None = None) -> InlineKeyboardButton:
    """A button that opens another page in the same message.

    Buttons are immutable, and the same few are shown on every page a reader opens, so each
    is built (and its callback data checked) once.
    """
    return InlineKeyboardButton(label, callback_data=encode(action, slug))


@functools.lru_cache(maxsize=1024)
def _update_button(channel_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(UPDATE_LABEL, callback_data=f"{GUIDED_SET_CHANNEL}{channel_id}")


def history_button(channel: Channel, viewer: Viewer) -> InlineKeyboardButton | None:
    """Everyone may open a channel's history."""
    return nav_button(HISTORY_LABEL, Action.HISTORY, channel.slug)


def subscription_button(channel: Channel, viewer: Viewer) -> InlineKeyboardButton | None:
    """Follow or stop following this channel in the chat's daily digest."""
    if viewer.subscribed is None:
        return None
    if viewer.subscribed:
        return nav_button(UNSUBSCRIBE_LABEL, Action.UNSUBSCRIBE, channel.slug)
    return nav_button(SUBSCRIBE_LABEL, Action.SUBSCRIBE, channel.slug)


def update_button(channel: Channel, viewer: Viewer) -> InlineKeyboardButton | None:
    """Admins jump straight into the guided /set for this channel (its phase step)."""
    if not viewer.is_admin:
        return None
    return _update_button(channel.id)


CHANNEL_BUTTONS: list[ChannelButton] = [history_button, subscription_button, update_button]


def _rows(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return _markup(tuple(tuple(row) for row in rows if row))


@functools.lru_cache(maxsize=4096)
def _markup(rows: tuple[tuple[InlineKeyboardButton, ...], ...]) -> InlineKeyboardMarkup:
    # Keyboards are immutable too, and a handful of layouts cover every page.
    return InlineKeyboardMarkup(rows)


def _nav(label: str, action: Action, slug: str | None = None) -> list[InlineKeyboardButton]:
    # A channel whose slug cannot fit in callback data loses its button, not the whole reply.
    try:
        return [nav_button(label, action, slug)]
    except ValueError:
        log.warning("left out a %s button: %r does not fit callback data", action.name, slug)
        return []


def overview_keyboard(statuses: Sequence[ChannelStatus]) -> InlineKeyboardMarkup:
    """One button per channel under /status, showing its phase at a glance."""
    return _rows(
        *(
            _nav(f"{s.phase.emoji} {s.channel.title}", Action.CHANNEL, s.channel.slug)
            for s in statuses
        )
    )


def channel_keyboard(channel: Channel, viewer: Viewer) -> InlineKeyboardMarkup:
    """The channel's own buttons (CHANNEL_BUTTONS) and a way back to every channel."""
    buttons = []
    for make in CHANNEL_BUTTONS:
        try:
            button = make(channel, viewer)
        except ValueError:
            log.warning("left out a button of %s that does not fit callback data", channel.slug)
            continue
        if button is not None:
            buttons.append(button)
    return _rows(buttons, _nav(OVERVIEW_LABEL, Action.OVERVIEW))


def history_keyboard(channel: Channel) -> InlineKeyboardMarkup:
    """Back to the channel, or to every channel."""
    return _rows(
        _nav(BACK_LABEL, Action.CHANNEL, channel.slug) + _nav(OVERVIEW_LABEL, Action.OVERVIEW)
    )


def latest_keyboard(channel: Channel) -> InlineKeyboardMarkup:
    """From a channel's latest entry to its full status or history."""
    return _rows(
        _nav(STATUS_LABEL, Action.CHANNEL, channel.slug)
        + _nav(HISTORY_LABEL, Action.HISTORY, channel.slug)
    )


def choices_keyboard(channels: Sequence[Channel], action: Action) -> InlineKeyboardMarkup:
    """One button per candidate channel when a question matched several equally."""
    return _rows(*(_nav(channel.title, action, channel.slug) for channel in channels))


def overview_only() -> InlineKeyboardMarkup:
    """Just the way to every channel, for answers that found nothing."""
    return _rows(_nav(OVERVIEW_LABEL, Action.OVERVIEW))
