"""The digest after an undo: "Corrected: <channel> — <change> was withdrawn at <time>".

A reader who was told about a change, in an earlier digest or an instant alert, and never
heard that it was undone, finds a correction line in the next digest. Told means: in a digest
(the entry is at or below the chat's watermark) and undone after the last digest reached the
chat, or alerted (the chat's alert marks) and undone since. Each is mentioned once: the
digest that carries the line moves the watermark and the last-digest time past it.

Kept apart from the builder, which joins pre-rendered lines per zone for speed: the undone
entries of a run are read once (a seek in a partial index holding only undone rows), and
each subscriber's lines are a binary search plus a look at its few alert marks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import storage
from digests.builder import Digest
from language.i18n import texts
from render.corrections import digest_correction
from render.splitting import TELEGRAM_LIMIT, split_html, telegram_length


class CorrectedDigest(Digest):
    """A digest carrying correction lines: sent even to a quiet chat with nothing new."""

    __slots__ = ()

    @property
    def empty(self) -> bool:
        """Never: the correction is news the chat must get."""
        return False


class Corrections:
    """Undone entries a run's digests may have to correct, read once and widened if needed."""

    def __init__(
        self, db: Database, channels: Sequence[storage.Channel], ladder: storage.PhaseLadder
    ) -> None:
        self.db, self.ladder = db, ladder
        self.channels = {channel.id: channel for channel in channels}
        self.since: datetime | None = None
        self.undone: list[tuple[storage.StatusEntry, datetime]] = []
        self.by_id: dict[int, tuple[storage.StatusEntry, datetime]] = {}
        self.lines: dict[tuple[int, str, str], str] = {}

    def covering(
        self,
        subscribers: Sequence[storage.Subscriber],
        alerted: Mapping[int, Mapping[int, datetime]],
    ) -> Corrections:
        """Make sure every entry undone since these chats last heard from the bot is known."""
        moments = [s.last_digest_at for s in subscribers if s.last_digest_at is not None]
        moments += [min(marks.values()) for marks in alerted.values() if marks]
        since = min(moments, default=None)
        if since is not None and (self.since is None or since < self.since):
            self.undone = storage.undone_since(self.db, since)
            self.by_id = {entry.id: (entry, at) for entry, at in self.undone}
            self.since = since
        return self

    def amend(
        self,
        digest: Digest,
        subscriber: storage.Subscriber,
        alerted: Mapping[int, datetime] | None,
        language: str,
    ) -> Digest:
        """The digest with a correction line for each change the chat was told of and that
        was undone since; the digest itself when there is none."""
        if not self.undone:  # nearly every run: nothing was undone lately
            return digest
        found = self._told_and_undone(subscriber, alerted or {})
        if not found:
            return digest
        _ = texts(language)
        zone = subscriber.timezone
        lines = []
        for entry, at in found:
            key = (entry.id, zone, _.language)
            if key not in self.lines:
                channel = self.channels[entry.channel_id]
                self.lines[key] = digest_correction(
                    entry, channel, self.ladder, at, ZoneInfo(zone), _
                )
            lines.append(self.lines[key])
        return CorrectedDigest(
            None, digest.change_count, digest.upto, lambda: with_lines(digest.parts, lines)
        )

    def _told_and_undone(
        self, subscriber: storage.Subscriber, alerted: Mapping[int, datetime]
    ) -> list[tuple[storage.StatusEntry, datetime]]:
        found: dict[int, tuple[storage.StatusEntry, datetime]] = {}
        last = subscriber.last_digest_at
        if last is not None:
            for entry, at in self.undone[bisect_right(self.undone, last, key=_undone_at) :]:
                if entry.id <= subscriber.watermark and subscriber.follows(entry.channel_id):
                    found[entry.id] = (entry, at)
        for entry_id in alerted:
            if entry_id in self.by_id:
                found[entry_id] = self.by_id[entry_id]
        return sorted(
            (item for item in found.values() if item[0].channel_id in self.channels),
            key=lambda item: (item[1], item[0].id),
        )


def with_lines(
    parts: Sequence[str], lines: Sequence[str], limit: int = TELEGRAM_LIMIT
) -> list[str]:
    """The digest's messages with the correction lines right after its heading.

    A digest's first message opens with its heading and summary line, then a blank line
    (the builder's layout); the corrections go there when they fit, else in their own
    message(s) at the end.
    """
    block = "\n".join(lines)
    head, blank, rest = parts[0].partition("\n\n")
    first = f"{head}\n\n{block}" + (f"\n\n{rest}" if blank else "")
    if telegram_length(first) <= limit:
        return [first, *parts[1:]]
    return [*parts, *split_html(block, limit)]


def _undone_at(item: tuple[storage.StatusEntry, datetime]) -> datetime:
    return item[1]
