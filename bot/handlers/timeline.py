"""/timeline: a channel's phase over time, or every channel at once, as a picture.

Charts come in a few windows (see bot/charts/cache.py) and are drawn in a worker pool; the
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
from bot.chats import texts_for
from bot.context import BotContext
from bot.replies import reply, reply_photo
from bot.traffic.concurrency import step_aside
from language.i18n import N_, Texts
from language.suggestions import closest
from render.charts import OVERVIEW_HEADING
from render.formatting import bold, channel_title, quoted, text

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"[+-]?\d+")
STILL_DRAWING = N_(
    "Your chart is still being drawn; it will be here in a moment. "
    "Ask for the next one once it has arrived."
)


def _window_names(_: Texts) -> str:
    """ "7, 30, 90 or 365 days": the windows charts are drawn for."""
    first = ", ".join(str(days) for days in WINDOWS[:-1])
    return _.plural("{first} or {count} day", "{first} or {count} days", WINDOWS[-1], first=first)


def usage(_: Texts) -> str:
    """How to ask for a timeline, and which windows charts show."""
    return _(
        "Send <code>/timeline</code> for every channel, or a channel and optionally a number "
        "of days (1 to {max}, default {default}), e.g. <code>/timeline ceasefire 30</code>. "
        "Charts show the last {windows}, or all history.",
        max=MAX_DAYS, default=DEFAULT_DAYS, windows=_window_names(_),
    )  # fmt: skip


def _drawer(context: BotContext) -> ChartDrawer:
    if CHARTS_KEY not in context.bot_data:
        context.bot_data[CHARTS_KEY] = ChartDrawer()
    return context.bot_data[CHARTS_KEY]


def _days(word: str) -> int | None:
    """The number of days asked for, or None when it is not a whole number in range."""
    # isascii: int() cannot read every Unicode digit ("²").
    return int(word) if word.isascii() and word.isdigit() and 1 <= int(word) <= MAX_DAYS else None


def _shown(window: ChartWindow, asked: int, _: Texts) -> str:
    """The caption's period, saying so when it is not exactly what was asked for."""
    if window.days == asked:
        return window.label(_)
    windows = _window_names(_)
    nearest = _.plural(
        "<i>The nearest chart to the {count} day you asked for: charts show the last "
        "{windows}, or all history.</i>",
        "<i>The nearest chart to the {count} days you asked for: charts show the last "
        "{windows}, or all history.</i>",
        asked,
        windows=windows,
    )
    return f"{window.label(_)}\n{nearest}"


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


async def _draw(
    update: Update, context: BotContext, request: ChartRequest, _: Texts
) -> bytes | None:
    """The chart, or None after telling a person already waiting for one to wait."""
    drawer = _drawer(context)
    if (png := drawer.cached(request)) is not None:
        return png
    person = update.effective_user.id if update.effective_user else None
    if person is not None and drawer.drawing_for(person):
        await reply(update, _(STILL_DRAWING))
        return None
    # Drawing may take seconds; the person's next messages need not wait for the picture.
    step_aside()
    return await drawer.draw(request, person)


async def _channel_timeline(
    update: Update, context: BotContext, name: str, days: int, _: Texts
) -> None:
    """Send one channel's chart, or a suggestion when the name is unknown."""
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        await reply(update, _no_such_channel(context, name, _))
        return
    window = snap(days)
    request = channel_request(
        context.db, channel, days=window.days, now=datetime.now(UTC), zone=context.settings.zone,
        texts=_,
    )  # fmt: skip
    png = await _draw(update, context, request, _)
    if png is None:
        return
    title = textwrap.shorten(channel_title(channel, _), 200, placeholder="…")
    more = _("More: /history {slug}", slug=channel.slug)
    caption = f"{bold(title)}, {_shown(window, days, _)}\n{more}"
    await reply_photo(update, png, f"timeline-{channel.slug}.png", caption)
    log.info("sent the %s-day timeline of %s", window.days or "all", channel.slug)


async def _overview_timeline(update: Update, context: BotContext, days: int, _: Texts) -> None:
    """Send every active channel's chart in one picture."""
    window = snap(days)
    request, shown, total = overview_request(
        context.db, days=window.days, now=datetime.now(UTC), zone=context.settings.zone,
        texts=_,
    )  # fmt: skip
    png = await _draw(update, context, request, _)
    if png is None:
        return
    everything = bold(_(OVERVIEW_HEADING))
    one = _("One channel: <code>/timeline aid 30</code>")
    caption = f"{everything}, {_shown(window, days, _)}\n{one}"
    if shown < total:
        caption += "\n" + _.plural(
            "Showing the first {shown} of {count} channel.",
            "Showing the first {shown} of {count} channels.",
            total,
            shown=shown,
        )
    await reply_photo(update, png, "timeline.png", caption)
    log.info("sent the %s-day timeline of all channels", window.days or "all")
