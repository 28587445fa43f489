"""/timeline: a channel's phase over time, or every channel at once, as a picture.

Charts come in a few windows (see bot/chart_cache.py) and are drawn in a worker pool; the
person's next messages do not wait for the picture, and one person waits for one chart at a
time.
"""

import logging
import re
import textwrap
from datetime import UTC, datetime

from telegram import Update

import storage
from bot.charts.cache import (
    CHARTS_KEY,
    DEFAULT_DAYS,
    WINDOWS,
    ChartDrawer,
    ChartRequest,
    ChartWindow,
    channel_request,
    overview_request,
    snap,
)
from bot.charts.drawing import MAX_DAYS
from bot.context import BotContext
from bot.replies import reply, reply_photo
from bot.traffic.concurrency import step_aside
from language.suggestions import closest
from render.formatting import bold, quoted, text

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"[+-]?\d+")
_WINDOW_NAMES = ", ".join(str(days) for days in WINDOWS[:-1]) + f" or {WINDOWS[-1]} days"
USAGE = (
    "Send <code>/timeline</code> for every channel, or a channel and optionally a number of "
    f"days (1 to {MAX_DAYS}, default {DEFAULT_DAYS}), e.g. <code>/timeline ceasefire 30</code>. "
    f"Charts show the last {_WINDOW_NAMES}, or all history."
)
STILL_DRAWING = (
    "Your chart is still being drawn; it will be here in a moment. "
    "Ask for the next one once it has arrived."
)


def _drawer(context: BotContext) -> ChartDrawer:
    if CHARTS_KEY not in context.bot_data:
        context.bot_data[CHARTS_KEY] = ChartDrawer()
    return context.bot_data[CHARTS_KEY]


def _days(word: str) -> int | None:
    """The number of days asked for, or None when it is not a whole number in range."""
    # isascii: int() cannot read every Unicode digit ("²").
    return int(word) if word.isascii() and word.isdigit() and 1 <= int(word) <= MAX_DAYS else None


def _shown(window: ChartWindow, asked: int) -> str:
    """The caption's period, saying so when it is not exactly what was asked for."""
    if window.days == asked:
        return window.label
    days = f"{asked} day{'s' if asked != 1 else ''}"
    return (
        f"{window.label}\n<i>The nearest chart to the {days} you asked for: charts show "
        f"the last {_WINDOW_NAMES}, or all history.</i>"
    )


def _no_such_channel(context: BotContext, name: str) -> str:
    guess = closest(name.lstrip("/").lower(), list(storage.command_index(context.db)))
    hint = f" Did you mean <code>/timeline {text(guess)}</code>?" if guess else ""
    channels = ", ".join(channel.slug for channel in storage.list_channels(context.db))
    return f"There is no channel called {quoted(name)}.{hint}\nChannels: {text(channels)}\n{USAGE}"


def _split(args: list[str]) -> tuple[str | None, str | None]:
    """(channel, days) as typed; a lone number is a number of days for every channel."""
    if len(args) == 2:
        return args[0], args[1]
    if args and _NUMBER.fullmatch(args[0]):
        return None, args[0]
    return (args[0], None) if args else (None, None)


async def timeline(update: Update, context: BotContext) -> None:
    """Chart of a channel's phase over time: /timeline ceasefire 30."""
    args = context.args or []
    if len(args) > 2:
        await reply(update, USAGE)
        return
    name, day_word = _split(args)
    days = DEFAULT_DAYS if day_word is None else _days(day_word)
    if days is None:
        await reply(update, f"{quoted(day_word or '')} is not a number of days. {USAGE}")
    elif name is not None:
        await _channel_timeline(update, context, name, days)
    else:
        await _overview_timeline(update, context, days)


async def _draw(update: Update, context: BotContext, request: ChartRequest) -> bytes | None:
    """The chart, or None after telling a person already waiting for one to wait."""
    drawer = _drawer(context)
    if (png := drawer.cached(request)) is not None:
        return png
    person = update.effective_user.id if update.effective_user else None
    if person is not None and drawer.drawing_for(person):
        await reply(update, STILL_DRAWING)
        return None
    # Drawing may take seconds; the person's next messages need not wait for the picture.
    step_aside()
    return await drawer.draw(request, person)


async def _channel_timeline(update: Update, context: BotContext, name: str, days: int) -> None:
    """Send one channel's chart, or a suggestion when the name is unknown."""
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        await reply(update, _no_such_channel(context, name))
        return
    window = snap(days)
    request = channel_request(
        context.db, channel, days=window.days, now=datetime.now(UTC), zone=context.settings.zone
    )
    png = await _draw(update, context, request)
    if png is None:
        return
    title = textwrap.shorten(channel.title, 200, placeholder="…")
    caption = f"{bold(title)}, {_shown(window, days)}\nMore: /history {channel.slug}"
    await reply_photo(update, png, f"timeline-{channel.slug}.png", caption)
    log.info("sent the %s timeline of %s", window.label, channel.slug)


async def _overview_timeline(update: Update, context: BotContext, days: int) -> None:
    """Send every active channel's chart in one picture."""
    window = snap(days)
    request, shown, total = overview_request(
        context.db, days=window.days, now=datetime.now(UTC), zone=context.settings.zone
    )
    png = await _draw(update, context, request)
    if png is None:
        return
    caption = (
        f"{bold('All channels')}, {_shown(window, days)}\n"
        "One channel: <code>/timeline aid 30</code>"
    )
    if shown < total:
        caption += f"\nShowing the first {shown} of {total} channels."
    await reply_photo(update, png, "timeline.png", caption)
    log.info("sent the %s timeline of all channels", window.label)
