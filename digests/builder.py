"""The digest builder: changes in, Telegram HTML out, with no I/O so it can be tested alone.

One builder serves a whole run. Every change line is rendered once, and once more only for
the date in each zone that writes it differently; the lines of one channel in one zone are
listed once, with the running Telegram length of every line. A digest shows, per channel,
the changes after the subscriber's watermark, at most the SHOWN_PER_CHANNEL most recent, then
a line counting the earlier ones: a tail of that list. So building a digest is a binary
search and a list slice per channel (or one string joined once per run), not a rendering per
subscriber, whatever the spread of watermarks, zones and channel sets (bench/NOTES.md).
Identical digests (same channels, watermark, zone, language) are shared while they are
recent. Every rendering above is per language too: subscribers of one language share it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from itertools import compress
from zoneinfo import ZoneInfo

from language.i18n import ENGLISH, N_, Texts, texts
from render.channels import HISTORY_MAX
from render.formatting import (
    bold,
    calendar_day,
    channel_title,
    day,
    italic,
    phase_badge,
    slug_badge,
    source_html,
    summary_html,
    text,
    trend_text,
)
from render.splitting import TELEGRAM_LIMIT, split_html, telegram_length
from storage import Channel, DigestChange, PhaseLadder, Subscriber

NEWSPAPER = "📰"
FOOTER = "/mysubs · /digesttime · /quiet · /unsubscribe"
# Digests kept for sharing: half a batch's worth of (channels, watermark, zone), bounded
# so that memory does not grow with the number of subscribers.
SHARED_DIGESTS = 256
# Bound of the run's small tables keyed by counts (intro lines, "earlier" lines, sections per
# watermark): cleared when full, cheap to fill again.
INTROS_KEPT = 2048
# The most recent changes a digest shows of each channel; older ones are counted in one line
# pointing at /history. At 50 changes a day over the seeded channels (about 8 a channel) a
# daily reader is rarely cut; a reader back from a month away gets 10 per channel, not 115.
SHOWN_PER_CHANNEL = 10


class Digest:
    """One subscriber's digest: the messages to send and how far it reads.

    Built as a plan: each message as the list of its pieces, strings the run shares (a
    channel's lines joined once, the zone's header, ...), or, for the rare digest that cuts a
    channel between messages, a function that finds its slices. The text of the messages is
    joined when `parts` is read, which the sender does just before sending. A run builds
    every due digest of a batch at once; joining those texts is paced by the rate limit when
    they are sent instead of all up front (bench/NOTES.md).
    """

    __slots__ = ("_join", "_parts", "_plan", "change_count", "upto")

    def __init__(
        self,
        parts: tuple[str, ...] | None,
        change_count: int,
        upto: int,
        join: Callable[[], list[str]] | None = None,
        plan: list[list[str]] | None = None,
    ) -> None:
        self._parts, self._join, self._plan = parts, join, plan
        self.change_count, self.upto = change_count, upto

    @property
    def parts(self) -> tuple[str, ...]:
        """The messages, in order, each within Telegram's limit.

        A planned digest's text is joined at every read and never kept: the builder keeps
        the digest while its batch lasts for the subscribers who get the same one, and a
        kept text would hold megabytes of a batch's texts in memory for little sharing,
        each written to memory no cache holds (bench/NOTES.md). The sender reads it once.
        A digest packed another way (cut sections: rare) keeps its text.
        """
        if self._parts is not None:
            return self._parts
        if self._plan is not None:
            return tuple(map("".join, self._plan))
        assert self._join is not None
        self._parts, self._join = tuple(self._join()), None
        return self._parts

    @property
    def empty(self) -> bool:
        """Nothing changed in the subscriber's channels (the parts hold the short note)."""
        return self.change_count == 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Digest):
            return NotImplemented
        return (self.parts, self.change_count, self.upto) == (
            other.parts,
            other.change_count,
            other.upto,
        )

    def __hash__(self) -> int:
        return hash((self.parts, self.change_count, self.upto))

    def __repr__(self) -> str:
        return f"Digest(change_count={self.change_count}, upto={self.upto})"


# Alerted changes of one chat, (entry id, when alerted), sorted: part of what makes a digest.
_Marks = tuple[tuple[int, datetime], ...]
_Key = tuple[frozenset[int] | None, int, str, bool, _Marks, int, str]
# A rendered change line and its length in UTF-16 units (what Telegram counts).
_Line = tuple[str, int]
# A channel's part of a digest: (channel id, first line shown, stop, first line after the
# watermark); lines first..start-1 are left out (SHOWN_PER_CHANNEL) and counted.
_Section = tuple[int, int, int, int]
# A channel's part of a digest reading to the newest change, ready to pack: (channel id,
# first line shown) to find its lines joined under its title by, and the "… and N earlier
# changes" line with the newline before it (or None).
_Ready = tuple[tuple[int, int], "_Line | None"]


@dataclass(frozen=True, slots=True)
class _Newest:
    """Every channel's part of the digests after one watermark that read to the newest change,
    in display order, as parallel lists: a subscriber's channels pick from each in C."""

    ready: list[_Ready]
    channels: list[int]
    changes: list[int]  # how many changes each part holds
    sections: list[_Section]  # for the rare digest whose sections must be cut
    count: int  # changes in all of them


ALERTED = N_("🔔 alerted {time}")


@dataclass(frozen=True, slots=True)
class _Run:
    """One channel's change lines in one zone, oldest first, with running Telegram lengths.

    Lines i..j-1 joined by newlines are sums[j] - sums[i] - 1 Telegram units long. A line is
    kept as its pieces (date, body, newline): `pieces[3 * i : 3 * j - 1]` are lines i..j-1
    with newlines between, for a message's "".join. The date and the body are shared strings
    (the body by every zone, the date by every change of that day), so a run costs pointers,
    not text: whole lines per zone and language, kept for a window a month wide (lines hold
    emoji, four bytes a character), grew peak memory with the audience (bench/NOTES.md).
    """

    pieces: list[str]
    sums: list[int]

    @classmethod
    def of(cls, lines: Sequence[tuple[str, str, int] | _Line]) -> _Run:
        """From lines as (date, body, length), or whole as (line, length)."""
        sums, pieces = [0], []
        for line in lines:
            *texts, length = line
            sums.append(sums[-1] + length + 1)
            pieces += (*texts, "\n") if len(texts) == 2 else ("", *texts, "\n")
        return cls(pieces, sums)

    def whole(self, title: _Line, start: int, joined: dict[tuple[str, ...], _Line]) -> _Line:
        """Lines `start`.. to the end joined under their title ("<title>\n<lines>"), as a
        digest shows them (after a blank line, or opening a message), and its Telegram length.

        A text made before from the same pieces and kept in `joined` (another zone whose
        dates fall on the same days: most zones, most days) is handed back, not made again.
        """
        end = len(self.sums) - 1
        pieces = self.pieces[3 * start : 3 * end - 1]
        key = (title[0], *pieces)  # shared strings: hashed once each, compared by identity
        found = joined.get(key)
        if found is None:
            found = joined[key] = (
                "".join([title[0], "\n", *pieces]),
                title[1] + self.sums[end] - self.sums[start],
            )
        return found


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
        self._by_id = {channel.id: channel for channel in self._channels}
        # A channel's title line per language, and its Telegram length.
        self._titles: dict[tuple[int, str], tuple[str, int]] = {}
        self._by_channel: dict[int, list[DigestChange]] = defaultdict(list)
        self._ids: dict[int, list[int]] = {}
        self._digests: dict[_Key, Digest] = {}
        self._order: list[tuple[int, list[int]]] = []
        self.distinct_digests = 0
        self._zones: dict[str, ZoneInfo] = {}
        # Everything of a line but its date: ": <phase move> · <trend>\n  <summary>\n  source",
        # per entry and language.
        self._bodies: dict[tuple[int, str], _Line] = {}
        self._lines: dict[tuple[int, str, str, datetime | None], _Line] = {}
        self._dates: dict[tuple[date, str], str] = {}
        self._shelves: dict[tuple[str, str], dict[int, _Shelved]] = {}
        # Per zone and language, a channel's lines from a first line to its newest change
        # joined under its title (`_Run.whole`), by (channel id, first line): a digest reading
        # to the newest change starts at one of the last SHOWN_PER_CHANNEL lines, so there are
        # at most that many per channel, and such a digest is a join of a few strings, not of
        # a hundred pieces (bench/NOTES.md).
        self._wholes: dict[tuple[str, str], dict[tuple[int, int], _Line]] = {}
        # The texts behind `_wholes`, one per distinct text: zones whose lines fall on the
        # same dates share one (22 zones' 10 MB of joined lines are about 2.3 MB), so a run's
        # joins copy from less memory, which the CPU caches hold better (bench/NOTES.md).
        self._joined: dict[tuple[str, ...], _Line] = {}
        # "… and N earlier changes" lines per channel, count, /history reach and language.
        self._earlier_lines: dict[tuple[int, int, int, str], _Line] = {}
        # What opens a digest is its header (per zone and language: the day differs) and its
        # "N changes in M channels" line (per language, first digest or not, change count and
        # channel count), each with its Telegram length. The lines are kept apart from the
        # zone: keyed with it, an intro cache spread over tens of thousands of keys and either
        # grew peak memory with the audience or, bounded as an LRU, remade (with the date's
        # formatting) most intros it had evicted (bench/NOTES.md). Bounded too, by clearing.
        self._headers: dict[tuple[str, str], _Line] = {}
        self._summaries: dict[tuple[str, bool, int, int], _Line] = {}
        # Per watermark, the sections of every channel with changes after it in a digest
        # reading to `upto` (what nearly every digest reads): filtered per channel set. The
        # same made ready to pack, per watermark and language.
        self._after: dict[int, tuple[list[_Section], int]] = {}
        self._newest: dict[tuple[int, str], _Newest] = {}
        # Bumped whenever `extend` moves the positions in every channel's lines, so a plan
        # made before knows to find its positions again.
        self._generation = 0
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
        # Channels with changes, in display order: what every digest walks through.
        self._order = [(c.id, self._ids[c.id]) for c in self._channels if self._ids.get(c.id)]
        # Their positions moved; single lines stay valid, and so do plans already made (they
        # hold strings, not positions).
        self._shelves.clear()
        self._wholes.clear()
        self._joined.clear()
        self._after.clear()
        self._newest.clear()
        self._generation += 1
        self.lowest = min(self.lowest, lowest)

    def build(
        self,
        subscriber: Subscriber,
        alerted: Mapping[int, datetime] | None = None,
        language: str = ENGLISH,
    ) -> Digest:
        """The digest this subscriber gets now: changes after its watermark, in its zone.

        `alerted` maps changes the chat already got an instant alert for to when it did; they
        stay in the digest, marked, so the digest remains the complete record of the day.
        A digest cut short earlier (`parts_upto`) is built again up to where it read then.
        """
        channel_ids = None if subscriber.all_channels else subscriber.channel_ids
        first = subscriber.last_digest_at is None
        watermark = subscriber.watermark
        if alerted or subscriber.parts_sent or not self.lowest <= watermark <= self.upto:
            upto = subscriber.parts_upto if subscriber.parts_sent else None
            return self.build_for(
                channel_ids, watermark, subscriber.timezone, first, alerted, upto, language
            )
        # Nearly every digest of a run: what `build_for` does, without its general cases.
        _ = texts(language)  # cached per language (language.i18n)
        zone = subscriber.timezone
        key = (channel_ids, watermark, zone, first, (), self.upto, _.language)
        digest = self._digests.get(key)
        if digest is None:
            digest = self._shared(key, self._render_newest(channel_ids, watermark, zone, first, _))
        return digest

    def build_for(
        self,
        channel_ids: frozenset[int] | None,
        watermark: int,
        zone: str,
        first: bool = False,
        alerted: Mapping[int, datetime] | None = None,
        upto: int | None = None,
        language: str = ENGLISH,
    ) -> Digest:
        """The digest of `channel_ids` (None: all) after `watermark` (up to `upto`), in `zone`,
        worded in `language`."""
        if watermark < self.lowest:
            raise ValueError(f"watermark {watermark} is older than this builder's {self.lowest}")
        end = self.upto if upto is None else max(min(upto, self.upto), watermark)
        marks = (
            tuple(sorted((i, at) for i, at in alerted.items() if watermark < i <= end))
            if alerted
            else ()
        )
        _ = texts(language)  # cached per language (language.i18n)
        key = (channel_ids, min(watermark, end), zone, first, marks, end, _.language)
        digest = self._digests.get(key)
        return self._shared(key, self._render(*key)) if digest is None else digest

    def _shared(self, key: _Key, digest: Digest) -> Digest:
        # A digest just rendered, kept for the subscribers who get the same one.
        if len(self._digests) >= SHARED_DIGESTS:
            self._digests.clear()  # a new batch shares little with the one before
        self._digests[key] = digest
        self.distinct_digests += 1
        return digest

    def _zone(self, zone: str) -> ZoneInfo:
        tz = self._zones.get(zone)
        if tz is None:
            tz = self._zones[zone] = ZoneInfo(zone)
        return tz

    def _render(
        self,
        channel_ids: frozenset[int] | None,
        watermark: int,
        zone: str,
        first: bool,
        marks: _Marks,
        end: int,
        language: str,
    ) -> Digest:
        _ = texts(language)
        if end == self.upto and not marks:
            return self._render_newest(channel_ids, watermark, zone, first, _)
        if end == self.upto:
            every, count = self._sections_after(watermark)
            if channel_ids is None:
                sections = every
            else:
                sections = [section for section in every if section[0] in channel_ids]
                count = sum([stop - after for _cid, _start, stop, after in sections])
        else:  # a digest cut short earlier, built again up to where it read then
            sections, count = self._sections(watermark, lambda ids: bisect_right(ids, end))
        if not count:
            return self._nothing_new(zone, first, end, _)
        if marks:
            joined = self._join_marked(sections, count, zone, first, marks, _)
            return Digest(tuple(joined), count, end)
        # A partial, not a lambda: one object where a closure made ten for the collector.
        join = partial(
            self._join, sections, self._generation, watermark, end, count, zone, first, _
        )
        return Digest(None, count, end, join)

    def _nothing_new(self, zone: str, first: bool, end: int, _: Texts) -> Digest:
        note = (
            _("Nothing new in your channels since you subscribed.")
            if first
            else _("Nothing new in your channels since your last digest.")
        )
        return Digest((f"{self._header(zone, _)[0]}\n{note}",), 0, end)

    def _render_newest(
        self, channel_ids: frozenset[int] | None, watermark: int, zone: str, first: bool, _: Texts
    ) -> Digest:
        # Nearly every digest of a run: no alert marks, reading to the newest change. Each
        # channel's section is then one shared string (its lines joined under its title) and
        # maybe its "earlier changes" line, and packing is arithmetic on their lengths: the
        # plan is made here, in one pass, and holds strings, not positions.
        newest = self._newest.get((watermark, _.language))
        if newest is None:
            newest = self._newest_sections(watermark, _)
        if channel_ids is None:
            ready, count, followed = newest.ready, newest.count, None
        else:  # filtered and counted in C: a hundred thousand times
            followed = list(map(channel_ids.__contains__, newest.channels))
            ready, count = (
                list(compress(newest.ready, followed)),
                sum(compress(newest.changes, followed)),
            )
        if not count:
            return self._nothing_new(zone, first, self.upto, _)
        plan = self._plan_newest(ready, count, zone, first, _)
        if plan is not None:
            return Digest(None, count, self.upto, None, plan)
        # A section to cut between messages (longer than one, or than what the intro leaves):
        # packed from positions, line by line where it is cut.
        sections = newest.sections if followed is None else compress(newest.sections, followed)
        join = partial(
            self._join, list(sections), self._generation, watermark, self.upto, count, zone,
            first, _,
        )  # fmt: skip
        return Digest(None, count, self.upto, join)

    def _newest_sections(self, watermark: int, _: Texts) -> _Newest:
        every, count = self._sections_after(watermark)
        if len(self._newest) >= INTROS_KEPT:
            self._newest.clear()
        ready: list[_Ready] = []
        for cid, start, _stop, after in every:
            tail = None if after >= start else self._earlier(cid, start, after, _)
            ready.append(((cid, start), None if tail is None else ("\n" + tail[0], tail[1] + 1)))
        found = self._newest[(watermark, _.language)] = _Newest(
            ready,
            [section[0] for section in every],
            [stop - after for _cid, _start, stop, after in every],
            every,
            count,
        )
        return found

    def _plan_newest(
        self, ready: list[_Ready], count: int, zone: str, first: bool, _: Texts
    ) -> list[list[str]] | None:
        # `_pack_runs`' rule for sections placed whole (a test holds the two equal): each
        # goes after a blank line in the current message or opens the next one. None when a
        # section must be cut instead.
        zone_key = (zone, _.language)
        wholes = self._wholes.get(zone_key)
        if wholes is None:
            wholes = self._wholes[zone_key] = {}
        header, header_length = self._headers.get(zone_key) or self._header(zone, _)
        summary, summary_length = self._summaries.get(
            (_.language, first, count, len(ready))
        ) or self._summary(len(ready), count, first, _)
        limit = self.limit
        messages: list[list[str]] = []
        current = [header, "\n", summary]
        length = header_length + 1 + summary_length
        holds = False
        for spot, tail in ready:
            html, size = wholes.get(spot) or self._whole(wholes, spot, zone, _)
            if tail is not None:
                size += tail[1]
            if length + 2 + size <= limit:
                current += ("\n\n", html)
                length += 2 + size
            elif holds and size <= limit:
                messages.append(current)
                current = [html]
                length = size
            else:
                return None
            if tail is not None:
                current.append(tail[0])
            holds = True
        if length + 2 + _FOOTER_LENGTH <= limit:
            current += ("\n\n", FOOTER)
        messages.append(current)
        return messages

    def _whole(
        self, wholes: dict[tuple[int, int], _Line], spot: tuple[int, int], zone: str, _: Texts
    ) -> _Line:
        # A channel's lines from `start` to its newest change joined under its title, once
        # per run, zone and language.
        cid, start = spot
        shelf = self._shelves.get((zone, _.language)) or self._shelf(zone, _)
        title, run, base, _size = shelf[cid]
        if start < base:
            title, run, base, _size = shelf[cid] = self._shelved(cid, zone, _, start)
        whole = wholes[spot] = run.whole(title, start - base, self._joined)
        return whole

    def _sections(
        self, watermark: int, stop_of: Callable[[list[int]], int]
    ) -> tuple[list[_Section], int]:
        # Per channel with changes after `watermark` (up to `stop_of` its ids), in display
        # order: (id, first line shown, stop, first line after the watermark), and how many
        # changes they hold in all.
        sections, count = [], 0
        for channel_id, ids in self._order:
            after, stop = bisect_right(ids, watermark), stop_of(ids)
            if after < stop:
                sections.append((channel_id, max(after, stop - SHOWN_PER_CHANNEL), stop, after))
                count += stop - after
        return sections, count

    def _sections_after(self, watermark: int) -> tuple[list[_Section], int]:
        # A few thousand watermarks in a run, a hundred thousand digests: the searches are
        # made once per watermark.
        found = self._after.get(watermark)
        if found is None:
            if len(self._after) >= INTROS_KEPT:
                self._after.clear()
            found = self._after[watermark] = self._sections(watermark, len)
        return found

    def _intro(self, sections: list[_Section], count: int, zone: str, first: bool, _: Texts) -> str:
        return self._intro_line(len(sections), count, zone, first, _)[0]

    def _intro_line(
        self, channels: int, count: int, zone: str, first: bool, _: Texts
    ) -> tuple[str, int]:
        # What opens a digest, and its Telegram length: the header of the zone, then the line
        # shared by every digest of the run with as many changes in as many channels.
        header, header_length = self._header(zone, _)
        summary_line = self._summary(channels, count, first, _)
        return f"{header}\n{summary_line[0]}", header_length + 1 + summary_line[1]

    def _summary(self, channels: int, count: int, first: bool, _: Texts) -> _Line:
        # "N changes in M channels since your last digest", shared by every digest of the run
        # with as many changes in as many channels.
        key = (_.language, first, count, channels)
        summary_line = self._summaries.get(key)
        if summary_line is None:
            if len(self._summaries) >= INTROS_KEPT:
                self._summaries.clear()
            changes = _.plural("{count} change", "{count} changes", count)
            where = _.plural("{count} channel", "{count} channels", channels)
            summary = (
                _("{changes} in {channels} since you subscribed", changes=changes, channels=where)
                if first
                else _(
                    "{changes} in {channels} since your last digest",
                    changes=changes,
                    channels=where,
                )
            )
            html = italic(summary)
            summary_line = self._summaries[key] = (html, telegram_length(html))
        return summary_line

    def _header(self, zone: str, _: Texts) -> _Line:
        key = (zone, _.language)
        header = self._headers.get(key)
        if header is None:
            title = bold(_("Backchannel digest"))
            html = f"{NEWSPAPER} {title} · {day(self.now, self._zone(zone), _)}"
            header = self._headers[key] = (html, telegram_length(html))
        return header

    def _title(self, channel_id: int, _: Texts) -> tuple[str, int]:
        key = (channel_id, _.language)
        title = self._titles.get(key)
        if title is None:
            channel = self._by_id[channel_id]
            html = f"{bold(channel_title(channel, _))} · /{channel.slug}"
            title = self._titles[key] = (html, telegram_length(html))
        return title

    def _earlier(self, channel_id: int, start: int, first: int, _: Texts) -> _Line | None:
        # "… and 23 earlier changes: /history ceasefire 33" after a channel's shown lines, or
        # None when nothing was left out. /history lists a channel's latest entries, so the
        # command asks for every one from the oldest left out to the newest (at most what
        # /history gives).
        if first >= start:
            return None
        reach = min(len(self._ids[channel_id]) - first, HISTORY_MAX)
        key = (channel_id, start - first, reach, _.language)
        line = self._earlier_lines.get(key)
        if line is None:
            if len(self._earlier_lines) >= INTROS_KEPT:
                self._earlier_lines.clear()
            words = _.plural(
                "… and {count} earlier change:", "… and {count} earlier changes:", start - first
            )
            html = f"{italic(words)} /history {text(self._by_id[channel_id].slug)} {reach}"
            line = self._earlier_lines[key] = (html, telegram_length(html))
        return line

    def _join(
        self,
        sections: list[_Section],
        generation: int,
        watermark: int,
        end: int,
        count: int,
        zone: str,
        first: bool,
        _: Texts,
    ) -> list[str]:
        if generation != self._generation:
            # The builder was extended to older changes since the plan was made: its runs (and
            # every position in them) moved, so the positions are found again.
            sections = [
                (cid, max(after, stop - SHOWN_PER_CHANNEL), stop, after)
                for cid, *_positions in sections
                for ids in (self._ids[cid],)
                for after, stop in ((bisect_right(ids, watermark), bisect_right(ids, end)),)
            ]
        shelf = self._shelves.get((zone, _.language)) or self._shelf(zone, _)
        wholes = self._wholes.setdefault((zone, _.language), {})
        titled: list[_Packed] = []
        for cid, start, stop, after in sections:
            title, run, base, size = shelf[cid]
            if start < base:  # lines no digest reading to the newest change shows
                title, run, base, size = shelf[cid] = self._shelved(cid, zone, _, start)
            if stop == size:  # to the newest change: the section is joined once per run
                whole = wholes.get((cid, start))
                if whole is None:
                    whole = wholes[(cid, start)] = run.whole(title, start - base, self._joined)
            else:
                whole = None
            tail = None if after >= start else self._earlier(cid, start, after, _)
            titled.append((title, run, start - base, stop - base, tail, whole))
        intro, intro_length = self._intro_line(len(sections), count, zone, first, _)
        return _pack_runs(intro, titled, FOOTER, self.limit, _, intro_length)

    def _join_marked(
        self,
        sections: list[_Section],
        count: int,
        zone: str,
        first: bool,
        marks: _Marks,
        _: Texts,
    ) -> list[str]:
        tz, alerted = self._zone(zone), dict(marks)
        lined = [
            (
                self._title(cid, _)[0],
                [
                    self._line(change, zone, tz, alerted, _)
                    for change in self._by_channel[cid][start:stop]
                ]
                + [line for line in (self._earlier(cid, start, first, _),) if line is not None],
            )
            for cid, start, stop, first in sections
        ]
        intro = self._intro(sections, count, zone, first, _)
        return _pack(intro, lined, FOOTER, self.limit, _)

    def _shelf(self, zone: str, _: Texts) -> dict[int, _Shelved]:
        # Every channel's title and lines in one zone and language, looked up once per
        # digest rather than once per channel in it.
        key = (zone, _.language)
        shelf = self._shelves.get(key)
        if shelf is None:
            shelf = self._shelves[key] = {
                cid: self._shelved(cid, zone, _, len(ids) - SHOWN_PER_CHANNEL)
                for cid, ids in self._order
            }
        return shelf

    def _shelved(self, channel_id: int, zone: str, _: Texts, base: int) -> _Shelved:
        # Most digests carry no alert marks: they show a tail of the channel's lines in their
        # zone, so those lines are listed once per channel, zone and language (the shelf keeps
        # them) and sliced. Only from `base` on: a digest reading to the newest change shows
        # no line before the last SHOWN_PER_CHANNEL, and one built again up to where it was
        # cut short earlier (rare) widens the list. Listing every line of the run's window (a
        # month at 100,000 subscribers) cost time and memory that grew with the audience.
        changes = self._by_channel.get(channel_id, [])
        base = max(base, 0)
        tz = self._zone(zone)
        run = _Run.of([self._line_pieces(change, tz, _) for change in changes[base:]])
        return (self._title(channel_id, _), run, base, len(changes))

    def _line(
        self,
        change: DigestChange,
        zone: str,
        tz: ZoneInfo,
        alerted: Mapping[int, datetime],
        _: Texts,
    ) -> _Line:
        entry_id = change.entry.id
        at = alerted.get(entry_id)
        if at is not None:
            key = (entry_id, zone, _.language, at)
            line = self._lines.get(key)
            if line is None:
                html = change_line(change, self._ladder, tz, _, at)
                line = self._lines[key] = (html, telegram_length(html))
            return line
        bullet, body, length = self._line_pieces(change, tz, _)
        return (bullet + body, length)

    def _line_pieces(self, change: DigestChange, tz: ZoneInfo, _: Texts) -> tuple[str, str, int]:
        # A line without alert mark as (date, body, Telegram length), both pieces shared.
        entry_id = change.entry.id
        # The body is the same in every zone; only the date in front of it differs. The date
        # ("• 1 Dec 2026", "• 1 грудня 2026") has no character outside the BMP: its Telegram
        # length is its len().
        body = self._bodies.get((entry_id, _.language))
        if body is None:
            html = _body(change, self._ladder, None, tz, _)
            body = self._bodies[(entry_id, _.language)] = (html, telegram_length(html))
        # One bullet string per date and language, shared by every line of that day (the
        # runs keep pointers to it, not copies).
        local = change.entry.changed_at.astimezone(tz).date()
        bullet = self._dates.get((local, _.language))
        if bullet is None:
            bullet = self._dates[(local, _.language)] = f"• {calendar_day(local, _)}"
        return (bullet, body[0], len(bullet) + body[1])


def change_line(
    change: DigestChange,
    ladder: PhaseLadder,
    tz: ZoneInfo,
    _: Texts,
    alerted_at: datetime | None = None,
) -> str:
    """One change as a digest shows it: date, old -> new phase with trend (or note), source.

    A change the chat was already alerted to says so (local time), e.g. "🔔 alerted 09:14".
    """
    return f"• {day(change.entry.changed_at, tz, _)}{_body(change, ladder, alerted_at, tz, _)}"


def _body(
    change: DigestChange, ladder: PhaseLadder, alerted_at: datetime | None, tz: ZoneInfo, _: Texts
) -> str:
    # A change line after its date; it depends on the zone only through an alert's time.
    entry = change.entry
    badge = slug_badge(ladder, entry.phase, _)
    if entry.kind == "note":
        what = "📌 " + _("<b>Note</b> ({phase})", phase=badge)
    else:
        previous = ladder.get(change.previous_phase) if change.previous_phase else None
        move = f"{phase_badge(previous, _)} → {badge}" if previous else badge
        what = f"{move} · {trend_text(ladder.trend(entry.phase, change.previous_phase), _)}"
    if alerted_at is not None:
        what += " · " + _(ALERTED, time=f"{alerted_at.astimezone(tz):%H:%M}")
    source_word = italic(_("source:"))
    return f": {what}\n  {summary_html(entry, _)}\n  {source_word} {source_html(entry, _)}"


def _pack(
    intro: str, sections: list[tuple[str, list[_Line]]], footer: str, limit: int, _: Texts
) -> list[str]:
    """Messages under `limit`, each channel's section whole in one message where it can be.

    A section that does not fit in the current message starts the next one at its title, if
    the current message already holds a section and the section fits a message of its own.
    Otherwise (a section longer than a message, or one that would leave the intro alone) it
    is cut between changes, filling each message, and re-titled "(continued)". Line by line;
    `_pack_runs` gives the same messages from listed runs (digests with alert marks come
    here, every other digest there; a test holds the two equal).
    """
    parts: list[str] = []
    current = [intro]
    # Lengths add up (UTF-16 units) and each line's is measured once per run, so packing a
    # digest is additions, not re-measuring text.
    length = telegram_length(intro)
    holds_section = False
    for title, lines in sections:
        title_length = telegram_length(title)
        # The section as it opens a message: "<title>\n<line>\n<line>...".
        section = "\n".join([title, *(line for line, _length in lines)])
        section_length = title_length + sum(size + 1 for _line, size in lines)
        if length + 2 + section_length <= limit:
            current.append(f"\n\n{section}")
            length += 2 + section_length
        elif holds_section and section_length <= limit:
            parts.append("".join(current))
            current, length = [section], section_length
        else:
            for index, (line, line_length) in enumerate(lines):
                if index == 0:
                    piece, piece_length = f"\n\n{title}\n{line}", title_length + line_length + 3
                else:
                    piece, piece_length = f"\n{line}", line_length + 1
                if length + piece_length > limit:
                    parts.append("".join(current))
                    label = title if index == 0 else f"{title} {_continued(_)}"
                    piece = f"{label}\n{line}"
                    piece_length = telegram_length(label) + line_length + 1
                    current, length = [], 0
                current.append(piece)
                length += piece_length
        holds_section = True
    ending = "\n\n" + footer
    if length + telegram_length(ending) <= limit:
        current.append(ending)
    parts.append("".join(current))
    # A single change longer than a message (a pasted essay) still goes out, cut by lines.
    return [chunk for part in parts for chunk in split_html(part, limit)]


_CONTINUED: dict[str, tuple[str, int]] = {}
_FOOTER_LENGTH = telegram_length(FOOTER)


def _continued(_: Texts) -> str:
    return italic(_("(continued)"))


def _continued_label(_: Texts) -> tuple[str, int]:
    # "(continued)" and its Telegram length, once per language: a run cuts 200,000 times.
    found = _CONTINUED.get(_.language)
    if found is None:
        label = _continued(_)
        found = _CONTINUED[_.language] = (label, telegram_length(label))
    return found


# A channel's title, lines from a position on, that position, in one zone and language, and
# how many lines the channel has.
_Shelved = tuple[_Line, "_Run", int, int]
# What `_pack_runs` takes per channel: title, run, lines start..stop-1, the "earlier" line
# (or None) and, when known, those lines joined under their title (`_Run.whole`).
_Packed = tuple[_Line, "_Run", int, int, _Line | None, _Line | None]


def _pack_runs(
    intro: str,
    sections: list[_Packed],
    footer: str,
    limit: int,
    _: Texts,
    intro_length: int | None = None,
) -> list[str]:
    """What `_pack` makes of the runs' lines `start` to `stop`, then `tail` (the "earlier
    changes" line, or None), by slices, not lines; a section's `whole` (its lines joined
    under its title) goes in as one piece.

    A section is placed whole: after a blank line in the current message, or opening the
    next one, so packing a digest is a loop over its sections' lengths and one join per
    message. Only a section that must be cut (longer than a message, or too long to share
    the first message with the intro) is packed line by line: as many whole lines as fit (a
    binary search on the running Telegram lengths) into each message; a message just begun
    takes at least one line, however long. A message is kept as the list of its pieces and
    joined once, when it is complete: a run's shared date and body pieces go in without
    being concatenated.
    """
    length = telegram_length(intro) if intro_length is None else intro_length
    footer_length = _FOOTER_LENGTH if footer is FOOTER else telegram_length(footer)
    parts: list[tuple[str, int]] = []
    current = [intro]
    holds_section = False
    for (title, title_length), run, start, end, tail, whole in sections:
        sums = run.sums
        # The section's length as it opens a message: "<title>\n<lines>[\n<tail>]".
        size = title_length + sums[end] - sums[start]
        if tail is not None:
            size += 1 + tail[1]
        if length + 2 + size <= limit or (holds_section and size <= limit):
            if length + 2 + size <= limit:
                current.append("\n\n")
                length += 2 + size
            else:  # the next message opens with it
                parts.append(("".join(current), length))
                current, length = [], size
            if whole is not None:
                current.append(whole[0])
            else:
                current += (title, "\n")
                current += run.pieces[3 * start : 3 * end - 1]
            if tail is not None:
                current += ("\n", tail[0])
            holds_section = True
            continue
        holds_section = True
        # Cut between lines: before its first line, "\n\n<title>\n".
        pieces = run.pieces
        head, head_length = ["\n\n", title, "\n"], title_length + 3
        index, fresh = start, False  # fresh: a message just begun by a cut takes a line
        while index < end:
            # The last `stop` with the head and lines index..stop-1 still within the limit.
            budget = limit - length - head_length + sums[index] + 1
            stop = bisect_right(sums, budget, index, end + 1) - 1
            if stop <= index:
                if not fresh:
                    parts.append(("".join(current), length))
                    current, length = _resumed(title, title_length, index == start, _)
                    head, head_length, fresh = _NEWLINE, 1, True
                    continue
                stop = index + 1
            current += head
            current += pieces[3 * index : 3 * stop - 1]
            length += head_length + sums[stop] - sums[index] - 1
            index, head, head_length, fresh = stop, _NEWLINE, 1, False
        if tail is not None:
            # One line more, cut like any other (never into a message just begun: `fresh` is
            # False here, as every section ends on a line it put).
            line, line_length = tail
            if length + head_length + line_length > limit:
                parts.append(("".join(current), length))
                current, length = _resumed(title, title_length, index == start, _)
                head, head_length = _NEWLINE, 1
            current += head
            current.append(line)
            length += head_length + line_length
    if length + 2 + footer_length <= limit:
        current += ("\n\n", footer)
    if not parts and length <= limit:  # one message: most digests
        return ["".join(current)]
    parts.append(("".join(current), length))
    # Only a part holding one change longer than a message needs cutting by lines.
    return [
        chunk
        for part, size in parts
        for chunk in ([part] if size <= limit else split_html(part, limit))
    ]


_NEWLINE = ("\n",)


def _resumed(title: str, title_length: int, at_start: bool, _: Texts) -> tuple[list[str], int]:
    # A message begun by a cut: the channel's title, "(continued)" unless the cut fell just
    # before the channel's first line; and its Telegram length.
    if at_start:
        return [title], title_length
    more, more_length = _continued_label(_)
    return [f"{title} {more}"], title_length + 1 + more_length
