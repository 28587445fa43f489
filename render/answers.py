"""Pure renderers for answers to questions and /search: models in, Telegram HTML out."""

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from language.i18n import ENGLISH, Texts
from language.routing import Period, Window
from language.time_phrases import InMonth, InYear, LastHours, OnDay
from render.channels import entry_line
from render.formatting import ago, bold, day, italic, quoted, text, typed
from storage import Changes, Channel, Phase, PhaseLadder, SearchResults, StatusEntry

EXAMPLES = ("any news on prisoner swaps?", "what changed this week?", "що з перемир'ям?")


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def changes_view(
    changes: Changes,
    channels: dict[int, Channel],
    ladder: PhaseLadder,
    zone: tzinfo,
    *,
    period: str,
    only: Channel | None = None,
) -> str:
    """Entries of a time window, newest first, under the title of their channel."""
    scope = f" in {only.title}" if only else ""
    header = bold(f"What changed{scope} {period}")
    if not changes.entries:
        return f"{header}\nNothing changed{text(scope)} {text(period)}."
    lines = [header, italic(f"{_plural(changes.total, 'change')}, newest first")]
    previous: int | None = None
    for entry in changes.entries:
        channel = channels.get(entry.channel_id)
        if entry.channel_id != previous and channel is not None:
            lines += ["", f"{bold(channel.title)} · /{channel.slug}"]
        previous = entry.channel_id
        lines.append(entry_line(entry, ladder, zone))
    hidden = changes.total - len(changes.entries)
    if hidden > 0:
        lines += [
            "",
            italic(f"…and {_plural(hidden, 'older change')}. Ask about a shorter period."),
        ]
    return "\n".join(lines)


def nothing_changed_hint(latest: StatusEntry | None, channel: Channel | None, now: datetime) -> str:
    """When the window was empty: when the last change happened, so the answer is still useful."""
    if latest is None:
        return "Nothing has been recorded yet."
    where = f" ({text(channel.title)})" if channel else ""
    return f"The latest change was {ago(latest.changed_at, now)}{where}."


def latest_view(
    channel: Channel, entry: StatusEntry | None, ladder: PhaseLadder, now: datetime, zone: tzinfo
) -> str:
    """A channel's most recent history entry, and how long ago it was."""
    header = bold(f"Latest: {channel.title}")
    if entry is None:
        return f"{header}\nNothing has been recorded for this channel yet."
    return (
        f"{header}\n{entry_line(entry, ladder, zone)}\n"
        f"{italic(f'That was {ago(entry.changed_at, now)}.')} More: /history {channel.slug}"
    )


def choices_text(channels: Sequence[Channel]) -> str:
    """The question matched several channels about equally: ask which one."""
    names = ", ".join(bold(channel.title) for channel in channels)
    return f"That could be about more than one channel: {names}. Which one do you mean?"


def no_match_text(channels: Sequence[Channel]) -> str:
    """Nothing matched: say so, name what the bot knows about and how to ask."""
    known = "\n".join(f"• {text(channel.title)}: /{channel.slug}" for channel in channels)
    examples = ", ".join(f"“{text(example)}”" for example in EXAMPLES)
    return (
        "Sorry, I couldn't tell which channel you mean. I can answer about:\n"
        f"{known}\n\nTry asking, e.g. {examples}, or send /status for the overview."
    )


def search_view(results: SearchResults, zone: tzinfo) -> str:
    """/search results: channel, date and summary with the matched words in bold."""
    header = f"<b>Search: {typed(' '.join(results.terms))}</b>"
    if not results.hits:
        return f"{header}\nNothing matches all of these words. Try fewer or different words."
    found = (
        f"More than {results.total} matches"
        if results.more
        else _plural(results.total, "match", "matches")
    )
    lines = [header, italic(f"{found}, newest first")]
    for hit in results.hits:
        # Escape every fragment first, then mark the matches: stored text can never add tags.
        summary = "".join(
            f"<b>{text(part.text)}</b>" if part.matched else text(part.text)
            for part in hit.fragments
        )
        kind = "📌 note" if hit.entry.kind == "note" else "status"
        lines += [
            "",
            f"{bold(hit.channel_title)} · /{hit.channel_slug}",
            f"{day(hit.entry.changed_at, zone)} · {kind}: {summary}",
        ]
    hidden = results.total - len(results.hits)
    if results.more:
        lines += ["", italic("…and many more. Add words to narrow the search.")]
    elif hidden > 0:
        lines += ["", italic(f"…and {hidden} more. Add words to narrow the search.")]
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


def _badge(_: Texts, phase: Phase | None, slug: str) -> str:
    if phase is None:
        return text(slug)
    return f"{phase.emoji} {text(phase.label_in(_.language))}"


def _summary(_: Texts, entry: StatusEntry) -> str:
    shown, original = entry.summary_in(_.language)
    if original is None:
        return text(shown)
    marker = _("(in English)") if original == ENGLISH else _("(in Ukrainian)")
    return f"{text(shown)} {italic(marker)}"


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
        lines = [bold(_("{title} on {day}", title=items[0][0].title_in(_.language), day=when))]
    else:
        lines = [bold(_("Where the talks stood on {day}", day=when))]
    for channel, entry in items:
        if len(items) > 1:
            lines += ["", f"{bold(channel.title_in(_.language))} · /{channel.slug}"]
        if entry is None:
            lines.append(_("No status had been recorded yet."))
            continue
        lines.append(f"{_badge(_, ladder.get(entry.phase), entry.phase)} · {_summary(_, entry)}")
        lines.append(italic(_("Status set on {day}.", day=_.date(entry.changed_at, zone))))
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
