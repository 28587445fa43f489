"""Pure renderers for answers to questions and /search: models in, Telegram HTML out."""

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from language.i18n import N_, Texts
from language.routing import Period, Window
from language.time_phrases import InMonth, InYear, LastHours, OnDay
from render.channels import entry_line
from render.formatting import (
    ago,
    bold,
    channel_title,
    day,
    italic,
    quoted,
    slug_badge,
    summary_html,
    text,
    typed,
)
from storage import Changes, Channel, PhaseLadder, SearchResults, StatusEntry

# Questions the bot understands, shown in the reader's language (the catalog has theirs).
EXAMPLES = (N_("any news on prisoner swaps?"), N_("what changed this week?"), "що з перемир'ям?")


def changes_view(
    changes: Changes,
    channels: dict[int, Channel],
    ladder: PhaseLadder,
    zone: tzinfo,
    _: Texts,
    *,
    period: str,
    only: Channel | None = None,
) -> str:
    """Entries of a time window, newest first, under the title of their channel."""
    title = channel_title(only, _) if only else ""
    if only:
        header = bold(_("What changed in {title} {period}", title=title, period=period))
        nothing = _("Nothing changed in {title} {period}.", title=title, period=period)
    else:
        header = bold(_("What changed {period}", period=period))
        nothing = _("Nothing changed {period}.", period=period)
    if not changes.entries:
        return f"{header}\n{text(nothing)}"
    count = _.plural("{count} change, newest first", "{count} changes, newest first", changes.total)
    lines = [header, italic(count)]
    previous: int | None = None
    for entry in changes.entries:
        channel = channels.get(entry.channel_id)
        if entry.channel_id != previous and channel is not None:
            lines += ["", f"{bold(channel_title(channel, _))} · /{channel.slug}"]
        previous = entry.channel_id
        lines.append(entry_line(entry, ladder, zone, _))
    hidden = changes.total - len(changes.entries)
    if hidden > 0:
        more = _.plural(
            "…and {count} older change. Ask about a shorter period.",
            "…and {count} older changes. Ask about a shorter period.",
            hidden,
        )
        lines += ["", italic(more)]
    return "\n".join(lines)


def nothing_changed_hint(
    latest: StatusEntry | None, channel: Channel | None, now: datetime, _: Texts
) -> str:
    """When the window was empty: when the last change happened, so the answer is still useful."""
    if latest is None:
        return _("Nothing has been recorded yet.")
    when = ago(latest.changed_at, now, _)
    if channel:
        title = text(channel_title(channel, _))
        return _("The latest change was {ago} ({title}).", ago=when, title=title)
    return _("The latest change was {ago}.", ago=when)


def latest_view(
    channel: Channel,
    entry: StatusEntry | None,
    ladder: PhaseLadder,
    now: datetime,
    zone: tzinfo,
    _: Texts,
) -> str:
    """A channel's most recent history entry, and how long ago it was."""
    header = bold(_("Latest: {title}", title=channel_title(channel, _)))
    if entry is None:
        return header + "\n" + _("Nothing has been recorded for this channel yet.")
    that_was = italic(_("That was {ago}.", ago=ago(entry.changed_at, now, _)))
    more = _("More: /history {slug}", slug=channel.slug)
    return f"{header}\n{entry_line(entry, ladder, zone, _)}\n{that_was} {more}"


def choices_text(channels: Sequence[Channel], _: Texts) -> str:
    """The question matched several channels about equally: ask which one."""
    names = ", ".join(bold(channel_title(channel, _)) for channel in channels)
    return _(
        "That could be about more than one channel: {names}. Which one do you mean?", names=names
    )


def no_match_text(channels: Sequence[Channel], _: Texts) -> str:
    """Nothing matched: say so, name what the bot knows about and how to ask."""
    known = "\n".join(
        f"• {text(channel_title(channel, _))}: /{channel.slug}" for channel in channels
    )
    examples = ", ".join(f"“{text(_(example))}”" for example in EXAMPLES)
    return _(
        "Sorry, I couldn't tell which channel you mean. I can answer about:\n{channels}\n\n"
        "Try asking, e.g. {examples}, or send /status for the overview.",
        channels=known,
        examples=examples,
    )


def search_view(results: SearchResults, zone: tzinfo, _: Texts) -> str:
    """/search results: channel, date and summary with the matched words in bold."""
    header = _("<b>Search: {words}</b>", words=typed(" ".join(results.terms)))
    if not results.hits:
        nothing = _("Nothing matches all of these words. Try fewer or different words.")
        return f"{header}\n{nothing}"
    if results.more:
        count = _("More than {count} matches, newest first", count=results.total)
    else:
        count = _.plural(
            "{count} match, newest first", "{count} matches, newest first", results.total
        )
    lines = [header, italic(count)]
    for hit in results.hits:
        # Escape every fragment first, then mark the matches: stored text can never add tags.
        summary = "".join(
            f"<b>{text(part.text)}</b>" if part.matched else text(part.text)
            for part in hit.fragments
        )
        kind = _("📌 note") if hit.entry.kind == "note" else _("status")
        lines += [
            "",
            f"{bold(hit.channel_title_in(_.language))} · /{hit.channel_slug}",
            f"{day(hit.entry.changed_at, zone, _)} · {kind}: {summary}",
        ]
    hidden = results.total - len(results.hits)
    if results.more:
        lines += ["", italic(_("…and many more. Add words to narrow the search."))]
    elif hidden > 0:
        more = _.plural(
            "…and {count} more. Add words to narrow the search.",
            "…and {count} more. Add words to narrow the search.",
            hidden,
        )
        lines += ["", italic(more)]
    return "\n".join(lines)


def window_label(_: Texts, window: Window, now: datetime, zone: tzinfo) -> str:
    """How a reply names a question's window: "in November 2026", "since 23 Nov 2026"."""
    if isinstance(window, Period):
        if window.from_midnight:
            return _("today") if window.days == 0 else _("since yesterday")
        return _.plural("in the last day", "in the last {count} days", window.days)
    if isinstance(window, LastHours):
        return _.plural("in the last hour", "in the last {count} hours", window.hours)
    if isinstance(window, InMonth):
        first = window.first_day(now.astimezone(zone).date())
        return _("in {month} {year}", month=_.month(first.month), year=first.year)
    if isinstance(window, InYear):
        return _("in {year}", year=window.year)
    start = _.date(window.start(now, zone), zone)
    return _("on {day}", day=start) if isinstance(window, OnDay) else _("since {day}", day=start)


def status_at_view(
    _: Texts,
    items: Sequence[tuple[Channel, StatusEntry | None]],
    ladder: PhaseLadder,
    day_asked: date,
    zone: tzinfo,
) -> str:
    """The status each channel had on a day (the one in force at that day's end)."""
    when = _.date(day_asked)
    if len(items) == 1:
        lines = [bold(_("{title} on {day}", title=channel_title(items[0][0], _), day=when))]
    else:
        lines = [bold(_("Where the talks stood on {day}", day=when))]
    for channel, entry in items:
        if len(items) > 1:
            lines += ["", f"{bold(channel_title(channel, _))} · /{channel.slug}"]
        if entry is None:
            lines.append(_("No status had been recorded yet."))
            continue
        lines.append(f"{slug_badge(ladder, entry.phase, _)} · {summary_html(entry, _)}")
        lines.append(italic(_("Status set on {day}.", day=day(entry.changed_at, zone, _))))
    if len(items) == 1:
        lines.append(_("Its history: /history {slug}", slug=items[0][0].slug))
    return "\n".join(lines)


def unreadable_time_text(_: Texts, phrase: str) -> str:
    """A date or window the bot cannot read: say so rather than answer for another one."""
    return _(
        "I couldn't read {phrase} as a date or a period, so I won't guess. Try, e.g., "
        "“since 3 March”, “in November”, “last 48 hours” or “ceasefire on 1 March”.",
        phrase=quoted(phrase),
    )


def future_time_text(_: Texts, when: date) -> str:
    """A date or window that has not begun yet."""
    return _("{day} is still to come, so nothing is recorded for it yet.", day=_.date(when))
