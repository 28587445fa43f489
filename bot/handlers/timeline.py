"""/timeline: a channel's phase over time, or every channel at once, as a picture."""

import logging
import re
import textwrap
from datetime import UTC, datetime

from telegram import Update

import storage
from bot.chart_cache import (
    DEFAULT_DAYS,
    MAX_DAYS,
    ChartCache,
    channel_chart,
    new_cache,
    overview_chart,
)
from bot.context import BotContext
from bot.replies import reply, reply_photo
from language.suggestions import closest
from render.formatting import bold, quoted, text

log = logging.getLogger(__name__)

CACHE_KEY = "timeline_cache"
_NUMBER = re.compile(r"[+-]?\d+")
USAGE = (
    "Send <code>/timeline</code> for every channel, or a channel and optionally a number of "
    f"days (1 to {MAX_DAYS}, default {DEFAULT_DAYS}), e.g. <code>/timeline ceasefire 30</code>."
)


def _cache(context: BotContext) -> ChartCache:
    if CACHE_KEY not in context.bot_data:
        context.bot_data[CACHE_KEY] = new_cache()
    return context.bot_data[CACHE_KEY]


def _days(word: str) -> int | None:
    """The number of days asked for, or None when it is not a whole number in range."""
    return int(word) if word.isdigit() and 1 <= int(word) <= MAX_DAYS else None


def _period(days: int) -> str:
    return f"last {days} day{'s' if days != 1 else ''}"


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


async def _channel_timeline(update: Update, context: BotContext, name: str, days: int) -> None:
    """Send one channel's chart, or a suggestion when the name is unknown."""
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        await reply(update, _no_such_channel(context, name))
        return
    settings = context.settings
    png = await channel_chart(
        context.db, channel, days=days, now=datetime.now(UTC), zone=settings.zone,
        cache=_cache(context),
    )  # fmt: skip
    title = textwrap.shorten(channel.title, 200, placeholder="…")
    caption = f"{bold(title)}, {_period(days)}\nMore: /history {channel.slug}"
    await reply_photo(update, png, f"timeline-{channel.slug}.png", caption)
    log.info("sent the %d-day timeline of %s", days, channel.slug)


async def _overview_timeline(update: Update, context: BotContext, days: int) -> None:
    """Send every active channel's chart in one picture."""
    png, shown, total = await overview_chart(
        context.db, days=days, now=datetime.now(UTC), zone=context.settings.zone,
        cache=_cache(context),
    )  # fmt: skip
    caption = f"{bold('All channels')}, {_period(days)}\nOne channel: <code>/timeline aid 30</code>"
    if shown < total:
        caption += f"\nShowing the first {shown} of {total} channels."
    await reply_photo(update, png, "timeline.png", caption)
    log.info("sent the %d-day timeline of all channels", days)
