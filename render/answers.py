"""Pure renderers for answers to questions and /search: models in, Telegram HTML out."""

from collections.abc import Sequence
from datetime import datetime, tzinfo

from render.channels import entry_line
from render.formatting import ago, bold, day, italic, text, typed
from storage import Changes, Channel, PhaseLadder, SearchResults, StatusEntry

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
    lines = [header, italic(f"{_plural(results.total, 'match', 'matches')}, newest first")]
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
    if hidden > 0:
        lines += ["", italic(f"…and {hidden} more. Add words to narrow the search.")]
    return "\n".join(lines)
