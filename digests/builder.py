"""The digest builder: changes in, Telegram HTML out, with no I/O so it can be tested alone.

One builder serves a whole run. Subscribers who follow the same channels, read up to the same
change and live in the same zone get the very same digest, so it is rendered once and shared;
the lines of each change are rendered once per zone. That keeps building 100,000 digests a
matter of dictionary lookups rather than 100,000 renderings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from render.formatting import bold, day, italic, phase_badge, source_html, text, trend_text
from render.splitting import TELEGRAM_LIMIT, split_html, telegram_length
from storage import Channel, DigestChange, PhaseLadder, Subscriber

NEWSPAPER = "📰"
FOOTER = "/mysubs · /digesttime · /quiet · /unsubscribe"


@dataclass(frozen=True)
class Digest:
    """One subscriber's digest: the messages to send and how far it reads."""

    parts: tuple[str, ...]
    change_count: int
    upto: int

    @property
    def empty(self) -> bool:
        """Nothing changed in the subscriber's channels (the parts hold the short note)."""
        return self.change_count == 0


# Alerted changes of one chat, (entry id, when alerted), sorted: part of what makes a digest.
_Marks = tuple[tuple[int, datetime], ...]
_Key = tuple[frozenset[int] | None, int, str, bool, _Marks, int]
# A rendered change line and its length in UTF-16 units (what Telegram counts).
_Line = tuple[str, int]
ALERTED = "🔔 alerted"


class DigestBuilder:
    """Builds digests for changes with ids in (`lowest`, `upto`], sharing identical ones."""

    def __init__(
        self,
        changes: Iterable[DigestChange],
        channels: Sequence[Channel],
        ladder: PhaseLadder,
        *,
        lowest: int,
        upto: int,
        now: datetime,
        limit: int = TELEGRAM_LIMIT,
    ) -> None:
        self.lowest, self.upto, self.now, self.limit = lowest, upto, now, limit
        self._ladder = ladder
        self._channels = list(channels)
        self._by_channel: dict[int, list[DigestChange]] = defaultdict(list)
        self._ids: dict[int, list[int]] = {}
        self._digests: dict[_Key, Digest] = {}
        self._lines: dict[tuple[int, str, datetime | None], _Line] = {}
        self._lines_by_channel: dict[tuple[int, str], list[_Line]] = {}
        self.extend(changes, lowest)

    def extend(self, older: Iterable[DigestChange], lowest: int) -> None:
        """Add changes with ids in (`lowest`, current lowest] for subscribers further behind.

        Digests already built stay valid: they only show changes newer than their watermark,
        which is at or above the old lowest.
        """
        for change in older:
            self._by_channel[change.entry.channel_id].append(change)
        for items in self._by_channel.values():
            items.sort(key=lambda change: change.entry.id)
        self._ids = {cid: [c.entry.id for c in items] for cid, items in self._by_channel.items()}
        self._lines_by_channel.clear()  # their positions moved; single lines stay valid
        self.lowest = min(self.lowest, lowest)

    def build(
        self, subscriber: Subscriber, alerted: Mapping[int, datetime] | None = None
    ) -> Digest:
        """The digest this subscriber gets now: changes after its watermark, in its zone.

        `alerted` maps changes the chat already got an instant alert for to when it did; they
        stay in the digest, marked, so the digest remains the complete record of the day.
        A digest cut short earlier (`parts_upto`) is built again up to where it read then.
        """
        channel_ids = None if subscriber.all_channels else subscriber.channel_ids
        first = subscriber.last_digest_at is None
        zone = subscriber.timezone
        upto = subscriber.parts_upto if subscriber.parts_sent else None
        return self.build_for(channel_ids, subscriber.watermark, zone, first, alerted, upto)

    def build_for(
        self,
        channel_ids: frozenset[int] | None,
        watermark: int,
        zone: str,
        first: bool = False,
        alerted: Mapping[int, datetime] | None = None,
        upto: int | None = None,
    ) -> Digest:
        """The digest of `channel_ids` (None: all) after `watermark` (up to `upto`), in `zone`."""
        if watermark < self.lowest:
            raise ValueError(f"watermark {watermark} is older than this builder's {self.lowest}")
        end = self.upto if upto is None else max(min(upto, self.upto), watermark)
        marks = tuple(sorted((i, at) for i, at in (alerted or {}).items() if watermark < i <= end))
        key = (channel_ids, min(watermark, end), zone, first, marks, end)
        digest = self._digests.get(key)
        if digest is None:
            digest = self._digests[key] = self._render(*key)
        return digest

    @property
    def distinct_digests(self) -> int:
        """How many different digests were rendered (the rest were shared)."""
        return len(self._digests)

    def _render(
        self,
        channel_ids: frozenset[int] | None,
        watermark: int,
        zone: str,
        first: bool,
        marks: _Marks,
        end: int,
    ) -> Digest:
        tz, alerted = ZoneInfo(zone), dict(marks)
        since = "since you subscribed" if first else "since your last digest"
        header = f"{NEWSPAPER} {bold('Backchannel digest')} · {day(self.now, tz)}"
        sections: list[tuple[str, list[_Line]]] = []
        count = 0
        for channel in self._channels:
            if channel_ids is not None and channel.id not in channel_ids:
                continue
            items = self._by_channel.get(channel.id, [])
            ids = self._ids.get(channel.id, [])
            start = bisect_right(ids, watermark)
            stop = len(items) if end == self.upto else bisect_right(ids, end)
            if start >= stop:
                continue
            title = f"{bold(channel.title)} · /{channel.slug}"
            if alerted:
                lines = [self._line(change, zone, tz, alerted) for change in items[start:stop]]
            else:
                lines = self._channel_lines(channel.id, zone, tz)[start:stop]
            sections.append((title, lines))
            count += stop - start
        if not count:
            note = f"Nothing new in your channels {since}."
            return Digest((f"{header}\n{note}",), 0, end)
        changes = f"{count} change{'s' if count != 1 else ''}"
        where = f"{len(sections)} channel{'s' if len(sections) != 1 else ''}"
        intro = f"{header}\n{italic(f'{changes} in {where} {since}')}"
        return Digest(tuple(_pack(intro, sections, FOOTER, self.limit)), count, end)

    def _channel_lines(self, channel_id: int, zone: str, tz: ZoneInfo) -> list[_Line]:
        # Most digests carry no alert marks: they show a tail of the channel's lines in their
        # zone, so the whole list is rendered once per channel and zone and sliced.
        key = (channel_id, zone)
        lines = self._lines_by_channel.get(key)
        if lines is None:
            changes = self._by_channel.get(channel_id, [])
            lines = self._lines_by_channel[key] = [self._line(c, zone, tz, {}) for c in changes]
        return lines

    def _line(
        self, change: DigestChange, zone: str, tz: ZoneInfo, alerted: Mapping[int, datetime]
    ) -> _Line:
        at = alerted.get(change.entry.id)
        key = (change.entry.id, zone, at)
        line = self._lines.get(key)
        if line is None:
            html = change_line(change, self._ladder, tz, at)
            line = self._lines[key] = (html, telegram_length(html))
        return line


def change_line(
    change: DigestChange, ladder: PhaseLadder, tz: ZoneInfo, alerted_at: datetime | None = None
) -> str:
    """One change as a digest shows it: date, old -> new phase with trend (or note), source.

    A change the chat was already alerted to says so (local time), e.g. "🔔 alerted 09:14".
    """
    entry = change.entry
    phase = ladder.get(entry.phase)
    badge = phase_badge(phase) if phase else text(entry.phase)
    if entry.kind == "note":
        what = f"📌 {bold('Note')} ({badge})"
    else:
        previous = ladder.get(change.previous_phase) if change.previous_phase else None
        move = f"{phase_badge(previous)} → {badge}" if previous else badge
        what = f"{move} · {trend_text(ladder.trend(entry.phase, change.previous_phase))}"
    if alerted_at is not None:
        what += f" · {ALERTED} {alerted_at.astimezone(tz):%H:%M}"
    return (
        f"• {day(entry.changed_at, tz)}: {what}\n"
        f"  {text(entry.summary)}\n"
        f"  {italic('source:')} {source_html(entry)}"
    )


def _pack(
    intro: str, sections: list[tuple[str, list[_Line]]], footer: str, limit: int
) -> list[str]:
    """Messages under `limit`, cut only between changes; a channel cut in two is re-titled."""
    parts: list[str] = []
    current = [intro]
    # Lengths add up (UTF-16 units) and each line's is measured once per run, so packing a
    # digest is additions, not re-measuring text.
    length = telegram_length(intro)
    for title, lines in sections:
        title_length = telegram_length(title)
        for index, (line, line_length) in enumerate(lines):
            if index == 0:
                piece, piece_length = f"\n\n{title}\n{line}", title_length + line_length + 3
            else:
                piece, piece_length = f"\n{line}", line_length + 1
            if length + piece_length > limit:
                parts.append("".join(current))
                label = title if index == 0 else f"{title} {italic('(continued)')}"
                piece = f"{label}\n{line}"
                piece_length = telegram_length(label) + line_length + 1
                current, length = [], 0
            current.append(piece)
            length += piece_length
    ending = "\n\n" + footer
    if length + telegram_length(ending) <= limit:
        current.append(ending)
    parts.append("".join(current))
    # A single change longer than a message (a pasted essay) still goes out, cut by lines.
    return [chunk for part in parts for chunk in split_html(part, limit)]
