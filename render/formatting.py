"""Small HTML building blocks shared by every view, so escaping happens in one place."""

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from html import escape

from storage import Phase, StatusEntry, Trend
from storage.values import EXCERPT_CHARS, LABEL_MAX, excerpt, is_web_url

STALE_AFTER_DAYS = 14

_TREND_TEXT = {
    Trend.IMPROVED: "⬆️ improved",
    Trend.SETBACK: "⬇️ setback",
    Trend.UNCHANGED: "➡️ unchanged",
    Trend.NEW: "🆕 first status",
}


def text(value: str) -> str:
    """Escape user or admin text for Telegram HTML (quotes too, so it is safe in attributes)."""
    return escape(value, quote=True)


def typed(value: str) -> str:
    """What someone typed, to echo in a reply: escaped, on one line, at most EXCERPT_CHARS.

    Every usage or error reply that echoes input goes through here (or `quoted`), so typing
    4,000 `&` (20,000 characters once escaped) cannot make the bot answer with pages of them.
    """
    return text(excerpt(value, EXCERPT_CHARS))


def quoted(value: str) -> str:
    """What someone typed, in quotation marks: “ceasfire”. See `typed`."""
    return f"“{typed(value)}”"


def bold(value: str) -> str:
    """Escaped text in bold."""
    return f"<b>{text(value)}</b>"


def italic(value: str) -> str:
    """Escaped text in italics."""
    return f"<i>{text(value)}</i>"


def link(label: str, url: str) -> str:
    """An escaped link; both are untrusted, and only an http(s) address becomes a link.

    Input validation already refuses other schemes; this is the second line of defence for
    rows stored before that rule (a `javascript:` link must never be clickable).
    """
    if not is_web_url(url):
        return text(label)
    return f'<a href="{text(url)}">{text(label)}</a>'


def phase_badge(phase: Phase) -> str:
    """Emoji and label, the way a phase is shown everywhere."""
    return f"{phase.emoji} {text(phase.label)}"


def trend_text(trend: Trend) -> str:
    """The words (with an arrow) readers see for a trend."""
    return _TREND_TEXT[trend]


def days_between(earlier: datetime, now: datetime) -> int:
    """Calendar days between the two, in `now`'s time zone, never negative.

    Calendar days, not 24-hour spans: readers count "yesterday" by the date, and replies then
    change only at midnight, which keeps them cacheable for the rest of the day.
    """
    return max(0, (now.date() - earlier.astimezone(now.tzinfo).date()).days)


def ago(moment: datetime, now: datetime) -> str:
    """'today', 'yesterday' or 'N days ago'."""
    days = days_between(moment, now)
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def is_stale(moment: datetime, now: datetime) -> bool:
    """Nobody has touched the channel for STALE_AFTER_DAYS days or more."""
    return days_between(moment, now) >= STALE_AFTER_DAYS


@lru_cache(maxsize=8192)
def day(moment: datetime, zone: tzinfo) -> str:
    """A date as people write it, in the bot's time zone: '1 Jan 2025'.

    Remembered: every history line, page and digest line shows one, mostly for the same few
    recent moments, and time zone conversion plus strftime was a fifth of rendering them.
    """
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y}"


def dated(moment: datetime, now: datetime) -> str:
    """A date and how long ago it was, e.g. '1 Jan 2025 (692 days ago)', in `now`'s zone.

    Readers need both: "692 days ago" alone makes them count back to a date.
    """
    return f"{day(moment, now.tzinfo or UTC)} ({ago(moment, now)})"


def source_html(entry: StatusEntry) -> str:
    """The source of an entry: a link when there is a URL, its label otherwise, and the grade.

    Labels are shown on one line and at most LABEL_MAX characters, whatever is stored.
    """
    label = entry.source_label or entry.source_url
    if label is None:
        return f"{entry.source_grade}, no link"
    shown = excerpt(label, LABEL_MAX)
    html = link(shown, entry.source_url) if entry.source_url else text(shown)
    return f"{html} ({entry.source_grade})"
