"""Small HTML building blocks shared by every view, so escaping happens in one place."""

import re
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from html import escape

from language.i18n import ENGLISH, N_, Texts, texts
from storage import Channel, Phase, PhaseLadder, StatusEntry, Trend
from storage.values import EXCERPT_CHARS, LABEL_MAX, excerpt, is_web_url

STALE_AFTER_DAYS = 14

_TREND_TEXT = {
    Trend.IMPROVED: N_("⬆️ improved"),
    Trend.SETBACK: N_("⬇️ setback"),
    Trend.UNCHANGED: N_("➡️ unchanged"),
    Trend.NEW: N_("🆕 first status"),
}
# Source grades are typed in English (/set … official) but shown in the reader's language.
GRADE_NAMES = {
    "official": N_("official"),
    "mediator": N_("mediator"),
    "media": N_("media"),
    "unconfirmed": N_("unconfirmed"),
}


def text(value: str) -> str:
    """Escape user or admin text for Telegram HTML (quotes too, so it is safe in attributes)."""
    # Most text (labels, titles, summaries) holds nothing to escape: one C scan then, instead
    # of `escape`'s five replacements (a tenth of rendering a history page).
    return escape(value, quote=True) if _SPECIAL.search(value) else value


_SPECIAL = re.compile("[&<>\"']")


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


def phase_label(phase: Phase, _: Texts) -> str:
    """A phase's label in the reader's language (plain text). Labels are data: they come from
    the ladder in the database, not the catalog."""
    return phase.label_in(_.language)


def channel_title(channel: Channel, _: Texts) -> str:
    """A channel's title in the reader's language (plain text); data, like phase labels."""
    return channel.title_in(_.language)


def summary_html(entry: StatusEntry, _: Texts, limit: int | None = None) -> str:
    """An entry's summary in the reader's language when an admin wrote or translated it so;
    otherwise as written, marked "(in English)" or "(in Ukrainian)". `limit` shortens it
    (with "…") where only a reminder of the change is wanted."""
    shown, original = entry.summary_in(_.language)
    if limit is not None and len(shown) > limit:
        shown = shown[:limit].rstrip() + "…"
    if original is None:
        return text(shown)
    marker = _("(in English)") if original == ENGLISH else _("(in Ukrainian)")
    return f"{text(shown)} {italic(marker)}"


def phase_badge(phase: Phase, _: Texts) -> str:
    """Emoji and label, the way a phase is shown everywhere."""
    return f"{phase.emoji} {text(phase_label(phase, _))}"


def slug_badge(ladder: PhaseLadder, slug: str, _: Texts) -> str:
    """The badge of the phase named `slug`, or the slug as stored when the ladder no longer
    has that phase (history outlives a phase an admin removed)."""
    phase = ladder.get(slug)
    return phase_badge(phase, _) if phase else text(slug)


def trend_text(trend: Trend, _: Texts) -> str:
    """The words (with an arrow) readers see for a trend."""
    return _(_TREND_TEXT[trend])


def grade_name(grade: str, _: Texts) -> str:
    """A source grade in the reader's words ("official", "офіційне"); unknown ones as stored."""
    return named(GRADE_NAMES, grade, _)


def named(names: dict[str, str], code: str, _: Texts) -> str:
    """A stored code (a grade, an audit action or field) in the reader's words, from its
    catalog entry in `names`; a code with none is shown as stored."""
    known = names.get(code)
    return _(known) if known else code


def days_between(earlier: datetime, now: datetime) -> int:
    """Calendar days between the two, in `now`'s time zone, never negative.

    Calendar days, not 24-hour spans: readers count "yesterday" by the date, and replies then
    change only at midnight, which keeps them cacheable for the rest of the day.
    """
    return max(0, (now.date() - earlier.astimezone(now.tzinfo).date()).days)


def ago(moment: datetime, now: datetime, _: Texts) -> str:
    """'today', 'yesterday' or 'N days ago'."""
    days = days_between(moment, now)
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return _.plural("{count} day ago", "{count} days ago", days)


def is_stale(moment: datetime, now: datetime) -> bool:
    """Nobody has touched the channel for STALE_AFTER_DAYS days or more."""
    return days_between(moment, now) >= STALE_AFTER_DAYS


def day(moment: datetime, zone: tzinfo, _: Texts) -> str:
    """A date as people write it, in the bot's time zone: '1 Jan 2025', '1 січня 2025'."""
    return calendar_day(moment.astimezone(zone).date(), _)


def calendar_day(local: date, _: Texts) -> str:
    """A calendar date as people write it: '1 Jan 2025', '1 січня 2025'."""
    return _calendar_day(local, _.language)


@lru_cache(maxsize=8192)
def _calendar_day(local: date, language: str) -> str:
    # Remembered by the date, not the moment: every history line, page and digest line shows
    # one, a month of changes falls on some thirty dates, and formatting a date was a fifth of
    # rendering them.
    return texts(language).date(local)


def dated(moment: datetime, now: datetime, _: Texts) -> str:
    """A date and how long ago it was, e.g. '1 Jan 2025 (692 days ago)', in `now`'s zone.

    Readers need both: "692 days ago" alone makes them count back to a date.
    """
    return f"{day(moment, now.tzinfo or UTC, _)} ({ago(moment, now, _)})"


def source_html(entry: StatusEntry, _: Texts) -> str:
    """The source of an entry: a link when there is a URL, its label otherwise, and the grade.

    Labels are shown on one line and at most LABEL_MAX characters, whatever is stored.
    """
    grade = text(grade_name(entry.source_grade, _))
    label = entry.source_label or entry.source_url
    if label is None:
        return _("{grade}, no link", grade=grade)
    shown = excerpt(label, LABEL_MAX)
    html = link(shown, entry.source_url) if entry.source_url else text(shown)
    return f"{html} ({grade})"
