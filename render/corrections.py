"""How an undone change reads where the bot already told people about it: alerts and digests.

An instant alert may show several changes; when one of them is undone, only its block is
struck through and followed by the correction and its time, and the other blocks stay as they
were. The edited alert must still fit one Telegram message: if striking and annotating every
undone block in full would not fit, the undone blocks shrink to their first line. The digest
that follows says, in one short line per change, what was withdrawn and when.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from language.i18n import Texts
from render.formatting import channel_title, italic, slug_badge, summary_html, text
from render.publishing import CORRECTION_MARK, plain, withdrawn_note
from render.splitting import TELEGRAM_LIMIT, split_html, telegram_length
from storage import Channel, PhaseLadder, StatusEntry

SHORT_BLOCK = 60  # characters of an undone block's first line kept when space runs out
SHORT_SUMMARY = 80  # characters of a withdrawn summary quoted in a digest's correction line


def corrected_alert(
    original: str,
    blocks: Sequence[tuple[str, datetime | None]],
    zone: tzinfo,
    _: Texts,
    limit: int = TELEGRAM_LIMIT,
) -> str:
    """The alert `original` with each undone block (its undo time given) struck and annotated.

    `blocks` are the alert's change blocks in the order they appear in it; the result is the
    same however often it is computed, so an edit repeated after a crash changes nothing.
    """
    spans: list[tuple[int, int, datetime]] = []
    position = 0
    for block, reverted_at in blocks:
        found = original.find(block, position)
        if found < 0:
            continue  # not in this message as sent (cannot happen for a recorded alert)
        position = found + len(block)
        if reverted_at is not None:
            spans.append((found, position, reverted_at))
    html = original
    for style in (_struck, _struck_short):
        html = _replace(original, spans, style, zone, _)
        if telegram_length(html) <= limit:
            return html
    # Only when a message full of tiny blocks was undone almost entirely: cut at the end.
    return split_html(html, limit)[0]


_Style = Callable[[str, datetime, tzinfo, Texts], str]


def _replace(
    original: str, spans: list[tuple[int, int, datetime]], style: _Style, zone: tzinfo, _: Texts
) -> str:
    pieces, last = [], 0
    for start, end, reverted_at in spans:
        pieces += [original[last:start], style(original[start:end], reverted_at, zone, _)]
        last = end
    pieces.append(original[last:])
    return "".join(pieces)


def _struck(block: str, reverted_at: datetime, zone: tzinfo, _: Texts) -> str:
    return f"<s>{block}</s>\n{CORRECTION_MARK} {italic(withdrawn_note(reverted_at, zone, _))}"


def _struck_short(block: str, reverted_at: datetime, zone: tzinfo, _: Texts) -> str:
    first = plain(block.split("\n", 1)[0])
    shown = first if len(first) <= SHORT_BLOCK else first[:SHORT_BLOCK] + "…"
    note = italic(withdrawn_note(reverted_at, zone, _))
    return f"<s>{text(shown)}</s>\n{CORRECTION_MARK} {note}"


def digest_correction(
    entry: StatusEntry,
    channel: Channel,
    ladder: PhaseLadder,
    reverted_at: datetime,
    zone: tzinfo,
    _: Texts,
) -> str:
    """One line for a digest: a change the reader was told about has since been withdrawn."""
    badge = slug_badge(ladder, entry.phase, _)
    when = reverted_at.astimezone(zone)
    summary = summary_html(entry, _, SHORT_SUMMARY)
    line = _(
        "Corrected: {channel} — {change} was withdrawn at {time}",
        channel=text(channel_title(channel, _)), change=f"{badge} · {summary}",
        time=f"{_.date(when)} {when:%H:%M}",
    )  # fmt: skip
    return f"{CORRECTION_MARK} {line}"
