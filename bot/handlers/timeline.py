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
from bot.chats import texts_for
from bot.context import BotContext
from bot.replies import reply, reply_photo
from language.i18n import Texts
from language.suggestions import closest
from render.charts import period_words
from render.formatting import bold, channel_title, quoted, text

log = logging.getLogger(__name__)

CACHE_KEY = "timeline_cache"
_NUMBER = re.compile(r"[+-]?\d+")


def usage(_: Texts) -> str:
    """How to ask for a timeline."""
    return _(
        "Send <code>/timeline</code> for every channel, or a channel and optionally a number of "
        "days (1 to {max}, default {default}), e.g. <code>/timeline ceasefire 30</code>.",
        max=MAX_DAYS, default=DEFAULT_DAYS,
    )  # fmt: skip


def _cache(context: BotContext) -> ChartCache:
    if CACHE_KEY not in context.bot_data:
        context.bot_data[CACHE_KEY] = new_cache()
    return context.bot_data[CACHE_KEY]


def _days(word: str) -> int | None:
    """The number of days asked for, or None when it is not a whole number in range."""
    return int(word) if word.isdigit() and 1 <= int(word) <= MAX_DAYS else None


def _no_such_channel(context: BotContext, name: str, _: Texts) -> str:
    guess = closest(name.lstrip("/").lower(), list(storage.command_index(context.db)))
    no_such = _("There is no channel called {name}.", name=quoted(name))
    example = f"<code>/timeline {text(guess)}</code>" if guess else ""
    hint = " " + _("Did you mean {example}?", example=example) if guess else ""
    channels = ", ".join(channel.slug for channel in storage.list_channels(context.db))
    listed = _("Channels: {list}", list=text(channels))
    return f"{no_such}{hint}\n{listed}\n{usage(_)}"


def _split(args: list[str]) -> tuple[str | None, str | None]:
    """(channel, days) as typed; a lone number is a number of days for every channel."""
    if len(args) == 2:
        return args[0], args[1]
    if args and _NUMBER.fullmatch(args[0]):
        return None, args[0]
    return (args[0], None) if args else (None, None)


async def timeline(update: Update, context: BotContext) -> None:
    """Chart of a channel's phase over time: /timeline ceasefire 30."""
    _ = texts_for(update, context)
    args = context.args or []
    if len(args) > 2:
        await reply(update, usage(_))
        return
    name, day_word = _split(args)
    days = DEFAULT_DAYS if day_word is None else _days(day_word)
    if days is None:
        not_days = _("{typed} is not a number of days.", typed=quoted(day_word or ""))
        await reply(update, f"{not_days} {usage(_)}")
    elif name is not None:
        await _channel_timeline(update, context, name, days, _)
    else:
        await _overview_timeline(update, context, days, _)


async def _channel_timeline(
    update: Update, context: BotContext, name: str, days: int, _: Texts
) -> None:
    """Send one channel's chart, or a suggestion when the name is unknown."""
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        await reply(update, _no_such_channel(context, name, _))
        return
    settings = context.settings
    png = await channel_chart(
        context.db, channel, days=days, now=datetime.now(UTC), zone=settings.zone,
        cache=_cache(context), texts=_,
    )  # fmt: skip
    title = textwrap.shorten(channel_title(channel, _), 200, placeholder="…")
    more = _("More: /history {slug}", slug=channel.slug)
    caption = f"{bold(title)}, {period_words(days, _)}\n{more}"
    await reply_photo(update, png, f"timeline-{channel.slug}.png", caption)
    log.info("sent the %d-day timeline of %s", days, channel.slug)


async def _overview_timeline(update: Update, context: BotContext, days: int, _: Texts) -> None:
    """Send every active channel's chart in one picture."""
    png, shown, total = await overview_chart(
        context.db, days=days, now=datetime.now(UTC), zone=context.settings.zone,
        cache=_cache(context), texts=_,
    )  # fmt: skip
    one = _("One channel: <code>/timeline aid 30</code>")
    everything = bold(_("All channels"))
    caption = f"{everything}, {period_words(days, _)}\n{one}"
    if shown < total:
        caption += "\n" + _.plural(
            "Showing the first {shown} of {count} channel.",
            "Showing the first {shown} of {count} channels.",
            total,
            shown=shown,
        )
    await reply_photo(update, png, "timeline.png", caption)
    log.info("sent the %d-day timeline of all channels", days)
