"""The models storage hands out, so callers never see raw rows.

Pydantic models where values come from outside; plain slots dataclasses for what is read back
in bulk from rows validated on the way in (subscribers, channels, history entries).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time
from functools import cached_property
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from language.i18n import ENGLISH, UKRAINIAN

EntryKind = Literal["status", "note"]
SourceGrade = Literal["official", "mediator", "media", "unconfirmed"]


class Trend(enum.StrEnum):
    """Direction of a status change on the phase ladder."""

    IMPROVED = "improved"
    SETBACK = "setback"
    UNCHANGED = "unchanged"
    NEW = "new"


class Actor(BaseModel):
    """Who made a change: a Telegram user, a CLI user or the seed loader."""

    model_config = ConfigDict(frozen=True)

    id: int | None
    name: str


class Phase(BaseModel):
    """One rung of the phase ladder; rank orders rungs from worst to best."""

    model_config = ConfigDict(frozen=True)

    slug: str
    rank: int
    label: str
    emoji: str
    label_uk: str | None = None

    def label_in(self, language: str) -> str:
        """The label in `language` ("uk" or "en"); English when there is no Ukrainian one."""
        return self.label_uk if language == UKRAINIAN and self.label_uk else self.label


class PhaseLadder(BaseModel):
    """The ordered phases, with lookups, so trend logic lives in one place."""

    model_config = ConfigDict(frozen=True)

    phases: tuple[Phase, ...]

    @cached_property
    def by_slug(self) -> dict[str, Phase]:
        """Every phase under its slug (built once per ladder: `get` is called per line)."""
        return {phase.slug: phase for phase in self.phases}

    def get(self, slug: str) -> Phase | None:
        """Find a phase by slug, case-insensitively; None when it is not on the ladder."""
        found = self.by_slug.get(slug)
        return found if found is not None else self.by_slug.get(slug.strip().lower())

    def slugs(self) -> list[str]:
        """Phase slugs from worst to best, for listing the valid choices."""
        return [phase.slug for phase in self.phases]

    def trend(self, current: str, previous: str | None) -> Trend:
        """Compare two phase slugs; a channel with no earlier status is NEW."""
        if previous is None:
            return Trend.NEW
        now, before = self.get(current), self.get(previous)
        if now is None or before is None or now.rank == before.rank:
            return Trend.UNCHANGED
        return Trend.IMPROVED if now.rank > before.rank else Trend.SETBACK


_Title = TypeVar("_Title", str, str | None)


def title_in(language: str, title: _Title, title_uk: str | None) -> _Title:
    """A channel title as a reader of `language` sees it: the Ukrainian one for Ukrainian
    readers when there is one, else the English one (channels, search hits, audit rows)."""
    return title_uk if language == UKRAINIAN and title_uk else title


@dataclass(slots=True)
class Channel:
    """A negotiation channel readers can ask about.

    Like `StatusEntry`, `ChannelStatus` and `DigestChange`, a plain dataclass: read back from
    rows that were validated on their way in, and built for every cold reader reply (after
    each change), where pydantic's validation cost more than the queries (bench/NOTES.md).
    """

    id: int
    slug: str
    title: str
    aliases: list[str]
    keywords: list[str]
    archived: bool
    position: int
    verified_at: datetime | None
    title_uk: str | None = None

    def title_in(self, language: str) -> str:
        """The title in `language` ("uk" or "en"); English when there is no Ukrainian one."""
        return title_in(language, self.title, self.title_uk)

    @property
    def commands(self) -> list[str]:
        """Every command name that shows this channel, its slug first."""
        return [self.slug, *self.aliases]


@dataclass(slots=True)
class StatusEntry:
    """One row of a channel's history: a phase change (status) or a note."""

    id: int
    channel_id: int
    kind: EntryKind
    phase: str
    summary: str
    source_label: str | None
    source_url: str | None
    source_grade: SourceGrade
    changed_at: datetime
    recorded_at: datetime
    actor_id: int | None
    actor_name: str
    # The language the summary was written in, and the admin's text in the other language
    # (/translate, the guided /set), if any.
    summary_language: str = ENGLISH
    translation: str | None = None
    translation_language: str | None = None

    def summary_in(self, language: str) -> tuple[str, str | None]:
        """The summary a reader of `language` should see, and the language it is written in
        when that is not theirs (so the reply can say "in English"), else None."""
        if self.summary_language == language:
            return self.summary, None
        if self.translation and self.translation_language == language:
            return self.translation, None
        return self.summary, self.summary_language


@dataclass(slots=True)
class ChannelStatus:
    """A channel with its current status and where it came from on the ladder."""

    channel: Channel
    current: StatusEntry
    phase: Phase
    previous_phase: str | None
    # The ladder the phases come from, for `trend`: asked for only by the pages that show
    # one (a channel's page, an admin's echo), never by /status, which used to compute it
    # for every channel after every change.
    ladder: PhaseLadder
    # The newest note recorded after the current status (its date), if any: news, but it
    # does not make the status itself any younger.
    last_note_at: datetime | None = None

    @property
    def trend(self) -> Trend:
        """Where the current status moved on the ladder against the status before it."""
        return self.ladder.trend(self.current.phase, self.previous_phase)

    @property
    def last_touched(self) -> datetime:
        """When the status was set or last verified; staleness counts from here, not notes."""
        verified = self.channel.verified_at
        status_from = self.current.changed_at
        return verified if verified is not None and verified > status_from else status_from


class AdminGrant(BaseModel):
    """An admin added by /grant (ADMIN_IDS admins come from settings and have no row)."""

    user_id: int
    name: str
    granted_at: datetime
    granted_by_id: int | None
    granted_by: str


class AuditEntry(BaseModel):
    """One audit row: who changed what, when (UTC), with the values before and after."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    channel_id: int | None
    channel_title: str | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    channel_title_uk: str | None = None

    def channel_title_in(self, language: str) -> str | None:
        """The channel's title in `language` ("uk" or "en"); English when there is no other."""
        return title_in(language, self.channel_title, self.channel_title_uk)


class UndoResult(BaseModel):
    """What /undo reverted, and the status the channel shows again (None for a note)."""

    reverted: StatusEntry
    restored: StatusEntry | None


@dataclass(slots=True)
class Subscriber:
    """A chat that gets the daily digest: which channels, when, and how far it has read.

    A plain dataclass, unlike the other models: it is only ever read back from rows this
    package wrote, and a due-digest run loads every due subscriber (100,000 in the benchmark),
    where pydantic's validation was a third of the time spent building their digests.
    """

    chat_id: int
    chat_type: str
    all_channels: bool
    channel_ids: frozenset[int]
    digest_time: time
    timezone: str
    quiet: bool
    active: bool
    next_due_at: datetime
    watermark: int
    last_digest_at: datetime | None
    paused_reason: str | None
    # A multi-part digest cut short (crash, Telegram down): parts Telegram already accepted,
    # the change id that digest reads up to, and its fingerprint. Cleared when it completes.
    parts_sent: int = 0
    parts_upto: int | None = None
    parts_hash: str | None = None

    def follows(self, channel_id: int) -> bool:
        """Whether this chat's digests include the channel."""
        return self.all_channels or channel_id in self.channel_ids


@dataclass(slots=True)
class DigestChange:
    """A history entry as a digest shows it: with the phase it moved from."""

    entry: StatusEntry
    previous_phase: str | None
