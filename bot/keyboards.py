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
from bot.telegram_bot import WireKeyboard
from language.i18n import N_, Texts
from render.formatting import channel_title
from storage import Channel, ChannelStatus

log = logging.getLogger(__name__)

# Labels in English; each keyboard shows them in the reader's language.
HISTORY_LABEL = N_("📜 History")
STATUS_LABEL = N_("📄 Status")
OVERVIEW_LABEL = N_("📋 All channels")
BACK_LABEL = N_("⬅️ Back")
SUBSCRIBE_LABEL = N_("🔔 Subscribe")
UNSUBSCRIBE_LABEL = N_("🔕 Unsubscribe")
UPDATE_LABEL = N_("✏️ Update")
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


ChannelButton = Callable[[Channel, Viewer, Texts], InlineKeyboardButton | None]


@functools.lru_cache(maxsize=4096)
def nav_button(label: str, action: Action, slug: str | None = None) -> InlineKeyboardButton:
    """A button that opens another page in the same message.

    Buttons are immutable, and the same few are shown on every page a reader opens, so each
    is built (and its callback data checked) once.
    """
    return InlineKeyboardButton(label, callback_data=encode(action, slug))


@functools.lru_cache(maxsize=1024)
def _update_button(channel_id: int, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"{GUIDED_SET_CHANNEL}{channel_id}")


def history_button(channel: Channel, viewer: Viewer, _: Texts) -> InlineKeyboardButton | None:
    """Everyone may open a channel's history."""
    return nav_button(_(HISTORY_LABEL), Action.HISTORY, channel.slug)


def subscription_button(channel: Channel, viewer: Viewer, _: Texts) -> InlineKeyboardButton | None:
    """Follow or stop following this channel in the chat's daily digest."""
    if viewer.subscribed is None:
        return None
    if viewer.subscribed:
        return nav_button(_(UNSUBSCRIBE_LABEL), Action.UNSUBSCRIBE, channel.slug)
    return nav_button(_(SUBSCRIBE_LABEL), Action.SUBSCRIBE, channel.slug)


def update_button(channel: Channel, viewer: Viewer, _: Texts) -> InlineKeyboardButton | None:
    """Admins jump straight into the guided /set for this channel (its phase step)."""
    if not viewer.is_admin:
        return None
    return _update_button(channel.id, _(UPDATE_LABEL))


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


def overview_keyboard(statuses: Sequence[ChannelStatus], _: Texts) -> WireKeyboard:
    """One button per channel under /status, showing its phase at a glance.

    Written straight in wire form: the buttons change whenever a phase does, i.e. on the very
    replies that must be rendered afresh, so nothing about them is worth remembering but
    each slug's checked callback data.
    """
    rows = []
    for status in statuses:
        data = _channel_data(status.channel.slug)
        if data is not None:
            title = channel_title(status.channel, _)
            rows.append(((f"{status.phase.emoji} {title}", data),))
    return WireKeyboard(rows)


def _channel_data(slug: str) -> str | None:
    # A channel whose slug cannot fit in callback data loses its button, not the whole reply.
    data = _CHANNEL_DATA.get(slug)
    if data is None:
        try:
            data = encode(Action.CHANNEL, slug)
        except ValueError:
            log.warning("left out a %s button: %r does not fit callback data", "CHANNEL", slug)
            return None
        if len(_CHANNEL_DATA) >= _KEYBOARDS_KEPT:
            _CHANNEL_DATA.clear()
        _CHANNEL_DATA[slug] = data
    return data


# Each slug's checked callback data (a pure function of the slug).
_CHANNEL_DATA: dict[str, str] = {}


def channel_keyboard(channel: Channel, viewer: Viewer, _: Texts) -> InlineKeyboardMarkup:
    """The channel's own buttons (CHANNEL_BUTTONS) and a way back to every channel.

    Built once per channel, viewer kind and language (keyboards are immutable), keyed on every
    channel field a button shows or encodes: a button reading another field adds it here.
    """
    key = (channel.id, channel.slug, channel.title, channel.title_uk, viewer, _.language)
    markup = _channel_keyboards.get(key)
    if markup is None:
        if len(_channel_keyboards) >= _KEYBOARDS_KEPT:
            _channel_keyboards.clear()
        markup = _channel_keyboards[key] = _build_channel_keyboard(channel, viewer, _)
    return markup


_KEYBOARDS_KEPT = 4096
_channel_keyboards: dict[tuple[object, ...], InlineKeyboardMarkup] = {}


def _build_channel_keyboard(channel: Channel, viewer: Viewer, _: Texts) -> InlineKeyboardMarkup:
    buttons = []
    for make in CHANNEL_BUTTONS:
        try:
            button = make(channel, viewer, _)
        except ValueError:
            log.warning("left out a button of %s that does not fit callback data", channel.slug)
            continue
        if button is not None:
            buttons.append(button)
    return _rows(buttons, _nav(_(OVERVIEW_LABEL), Action.OVERVIEW))


def history_keyboard(channel: Channel, _: Texts) -> InlineKeyboardMarkup:
    """Back to the channel, or to every channel."""
    return _rows(
        _nav(_(BACK_LABEL), Action.CHANNEL, channel.slug) + _nav(_(OVERVIEW_LABEL), Action.OVERVIEW)
    )


def latest_keyboard(channel: Channel, _: Texts) -> InlineKeyboardMarkup:
    """From a channel's latest entry to its full status or history."""
    return _rows(
        _nav(_(STATUS_LABEL), Action.CHANNEL, channel.slug)
        + _nav(_(HISTORY_LABEL), Action.HISTORY, channel.slug)
    )


def choices_keyboard(channels: Sequence[Channel], action: Action, _: Texts) -> InlineKeyboardMarkup:
    """One button per candidate channel when a question matched several equally."""
    return _rows(*(_nav(channel_title(channel, _), action, channel.slug) for channel in channels))


def overview_only(_: Texts) -> InlineKeyboardMarkup:
    """Just the way to every channel, for answers that found nothing."""
    return _rows(_nav(_(OVERVIEW_LABEL), Action.OVERVIEW))
