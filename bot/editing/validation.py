"""Validating admin input (Telegram, CLI and import files alike) before anything is written.

Pydantic models check the shape; the database-dependent rules (known channel, phase on the
ladder, free command names) read from a `Rules` snapshot passed as validation context, so the
same model validates a /set, a `backchannel set` and every row of an import file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from rapidfuzz import fuzz, process
from sqlite_utils import Database

import storage
from language.suggestions import closest
from storage.models import EntryKind, SourceGrade
from storage.values import (
    ActorName,
    ChannelSlug,
    EventTime,
    SourceLabel,
    SourceUrl,
    Summary,
    Title,
    TitleUk,
    excerpt,
)

GRADES: tuple[str, ...] = get_args(SourceGrade)
# What a trailing source looks like; anything else stays part of the summary.
_TAIL = re.compile(
    r"^(?P<summary>.*?)(?:(?:^|\s+)(?P<url>\S*://\S*|www\.\S+))?"
    rf"(?:(?:^|\s+)(?P<grade>{'|'.join(GRADES)}))?\s*$",
    re.DOTALL | re.IGNORECASE,
)
# The last word of a /set or /note, when it is a bare word (a full stop after it opts out).
_LAST_WORD = re.compile(r"^(?P<rest>.*?)(?:^|\s+)(?P<word>[^\W\d_]+)\s*$", re.DOTALL)
# How similar (rapidfuzz ratio, 0-100) a last word must be to a grade to count as a typo of
# it: after a link any word there is meant as the grade; without one, only near-certain typos
# are (so "medic" or "officials" stay in the summary).
_TYPO_AFTER_LINK = 75
_TYPO_ALONE = 85


@dataclass(frozen=True)
class Rules:
    """What valid input depends on: active channels, the phase ladder, taken command names."""

    channels: dict[str, storage.Channel]
    ladder: storage.PhaseLadder
    taken: frozenset[str]


def rules(db: Database, builtin: set[str] | frozenset[str] = frozenset()) -> Rules:
    """A snapshot of the rules; `builtin` are the bot's own command names."""
    taken = frozenset(storage.taken_commands(db) | set(builtin))
    return Rules(storage.command_index(db), storage.phase_ladder(db), taken)


def _rules(info: ValidationInfo) -> Rules:
    if not isinstance(info.context, Rules):
        raise TypeError("validate admin input with context=rules(db)")
    return info.context


def channel_choices(found: Rules) -> str:
    """The valid channel names, for error messages."""
    return ", ".join(sorted({channel.slug for channel in found.channels.values()}))


class UpdateInput(BaseModel):
    """One status or note: a /set, a /note, a CLI call or one row of an import file."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    channel: str
    kind: EntryKind = "status"
    phase: str | None = None
    summary: Summary
    source_url: SourceUrl | None = None
    source_grade: SourceGrade | None = None
    source_label: SourceLabel | None = None
    changed_at: EventTime | None = None
    actor: ActorName | None = None

    @field_validator(
        "phase", "source_url", "source_grade", "source_label", "changed_at", "actor", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """Empty CSV cells and empty YAML values mean "not given"; YAML dates mean midnight UTC."""
        if isinstance(value, date) and not isinstance(value, datetime):
            return datetime.combine(value, time(0, 0), tzinfo=UTC)
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("channel", mode="after")
    @classmethod
    def _known_channel(cls, value: str, info: ValidationInfo) -> str:
        """Resolve a slug or alias to the channel's slug."""
        found = _rules(info)
        channel = found.channels.get(value.lstrip("/").lower())
        if channel is None:
            guess = closest(value.lstrip("/"), list(found.channels))
            hint = f" Did you mean “{guess}”?" if guess else ""
            raise ValueError(
                f"There is no channel called “{excerpt(value)}”.{hint} "
                f"Channels: {channel_choices(found)}"
            )
        return channel.slug

    @field_validator("phase", mode="after")
    @classmethod
    def _on_ladder(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Phases are slugs from the ladder in the database; "partial-agreement" is accepted."""
        if value is None:
            return None
        ladder = _rules(info).ladder
        phase = ladder.get(value.replace("-", "_"))
        if phase is None:
            raise ValueError(
                f"“{excerpt(value)}” is not a phase. "
                f"Phases, worst to best: {', '.join(ladder.slugs())}"
            )
        return phase.slug

    @model_validator(mode="after")
    def _phase_and_grade(self, info: ValidationInfo) -> UpdateInput:
        """A status needs a phase (a note keeps the current one); grades get their defaults."""
        if self.phase is None and self.kind == "status":
            slugs = ", ".join(_rules(info).ladder.slugs())
            raise ValueError(f"A status needs a phase. Phases: {slugs}")
        if self.source_grade is None:
            self.source_grade = "media" if self.source_url else "unconfirmed"
        return self

    @property
    def grade(self) -> SourceGrade:
        """The source grade, defaulted by validation."""
        return self.source_grade or "unconfirmed"


class NewChannelInput(BaseModel):
    """/addchannel: a slug and aliases readers will type as commands, and a title."""

    model_config = ConfigDict(str_strip_whitespace=True)

    slug: ChannelSlug
    title: Title
    title_uk: TitleUk | None = None
    aliases: list[ChannelSlug] = []

    @field_validator("aliases", mode="before")
    @classmethod
    def _no_slashes(cls, value: Any) -> Any:
        """Aliases are typed as commands (/grid); store them without the slash."""
        return [alias.lstrip("/").lower() for alias in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _free_names(self, info: ValidationInfo) -> NewChannelInput:
        """Every name must be well-formed, unique and not taken by a channel or command."""
        taken = _rules(info).taken
        seen: set[str] = set()
        for name in [self.slug, *self.aliases]:
            if name in taken or name in seen:
                raise ValueError(f"/{name} is already a command; choose another name")
            seen.add(name)
        return self


class TitleInput(BaseModel):
    """/renamechannel: the new title(s), by the same rules as /addchannel's."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: Title | None = None
    title_uk: TitleUk | None = None


def split_titles(typed: str) -> tuple[str, str | None]:
    """ "English title | Українська назва" as typed: the English part and the Ukrainian one
    (None when there is no "|"; "" when the bar has nothing after it)."""
    english, bar, ukrainian = typed.partition("|")
    return english.strip(), ukrainian.strip() if bar else None


def near_grade(word: str, cutoff: int = _TYPO_AFTER_LINK) -> str | None:
    """The grade `word` is probably a typo of ("offical" -> official), or None."""
    found = process.extractOne(word.lower(), GRADES, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


def split_tail(tail: str) -> dict[str, str | None]:
    """Split "summary [URL] [grade]" as typed after /set or /note; the summary stays verbatim.

    A last word that looks like a mistyped grade ("… https://example.org/x offical") is kept
    as the grade, so validation refuses it with a suggestion instead of saving the link as
    part of the summary with no source.
    """
    match = _TAIL.match(tail)
    assert match is not None  # the pattern matches any text
    grade = match.group("grade")
    last = _LAST_WORD.match(tail) if grade is None else None
    if last is not None:
        before = _TAIL.match(last.group("rest"))
        assert before is not None
        word = last.group("word")
        after_link = before.group("url") is not None and before.group("grade") is None
        if (after_link and near_grade(word)) or (
            not any(g in word.lower() for g in GRADES) and near_grade(word, _TYPO_ALONE)
        ):
            match, grade = before, word
    return {
        "summary": match.group("summary"),
        "source_url": match.group("url"),
        "source_grade": grade.lower() if grade and grade.lower() in GRADES else grade,
    }


MAX_LISTED = 50


def listed(found: list[str], limit: int = MAX_LISTED) -> list[str]:
    """The first `limit` problems of a file, and how many more: the message stays readable."""
    if len(found) <= limit:
        return found
    return [*found[:limit], f"…and {len(found) - limit} more problems."]


def problems(error: ValidationError) -> list[str]:
    """Pydantic's report as sentences an admin can act on (plain text, not yet escaped)."""
    found = []
    # Every value quoted back is cut to a short excerpt: the input may be megabytes long.
    for item in error.errors(include_url=False, include_input=True):
        field = excerpt(str(item["loc"][0])) if item["loc"] else ""
        kind, value = item["type"], item.get("input")
        shown = excerpt(value)
        if kind == "value_error":
            found.append(str(item["msg"]).removeprefix("Value error, "))
        elif kind == "string_too_short":
            found.append(f"The {field} is empty.")
        elif kind == "string_too_long" and isinstance(value, str):
            limit = item.get("ctx", {}).get("max_length")
            found.append(f"The {field} is {len(value)} characters long; the limit is {limit}.")
        elif kind == "literal_error" and field == "source_grade":
            guess = near_grade(value) if isinstance(value, str) else None
            hint = f" Did you mean {guess}?" if guess else ""
            found.append(f"“{shown}” is not a source grade.{hint} Use {', '.join(GRADES)}.")
        elif kind == "literal_error" and field == "kind":
            found.append(f"“{shown}” is not a kind; use status or note.")
        elif kind == "missing":
            found.append(f"The {field} is missing.")
        elif kind == "extra_forbidden":
            found.append(f"Unknown column “{field}”.")
        elif field in {"changed_at", "recorded_at", "reverted_at"}:
            found.append(f"“{shown}” is not a date or time like 2026-11-24 or 2026-11-24T09:30Z.")
        else:
            found.append(f"{field}: {item['msg']}" if field else str(item["msg"]))
    return found
