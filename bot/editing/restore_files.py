"""Validating an export file before it is restored into an empty database.

A restore writes rows verbatim, so every column an export has is required and checked here,
whole-file, before anything is written: one bad row and nothing is restored. The values obey
the same rules as every other writing path (storage.values), and channel names the same rule
as /addchannel: a restored channel called /set or /help would be matched before the command
and hide it, so the bot's own command names are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator

import storage
from bot.editing.validation import listed, problems
from storage.seed import load_seed
from storage.values import (
    ActorName,
    ChannelSlug,
    EventTime,
    SourceLabel,
    SourceUrl,
    Summary,
    excerpt,
)

_OPTIONAL = ("source_label", "source_url", "actor_id", "reverted_at", "reverted_by")
_RENAME = "rename the channel in the file"


@dataclass(frozen=True)
class RestoreRules:
    """What a restored row is checked against: the ladder and the names already spoken for."""

    ladder: storage.PhaseLadder
    reserved: frozenset[str]  # the bot's own commands, e.g. set, help, grant


class RestoreRow(storage.ExportRow):
    """One row of an export file, as it will be written back."""

    model_config = ConfigDict(extra="forbid")

    channel: ChannelSlug
    summary: Summary
    source_label: SourceLabel | None
    source_url: SourceUrl | None
    changed_at: EventTime
    recorded_at: EventTime
    actor_name: ActorName
    reverted_at: EventTime | None = None
    reverted_by: ActorName | None = None

    @field_validator(*_OPTIONAL, mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """CSV writes a missing value as an empty cell; JSON writes null."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("channel", mode="after")
    @classmethod
    def _not_a_command(cls, value: str, info: ValidationInfo) -> str:
        if value in _rules(info).reserved:
            raise ValueError(f"/{value} is already a command; {_RENAME}.")
        return value

    @field_validator("phase", mode="after")
    @classmethod
    def _on_ladder(cls, value: str, info: ValidationInfo) -> str:
        ladder = _rules(info).ladder
        if ladder.get(value) is None or value != value.lower():
            raise ValueError(
                f"“{excerpt(value)}” is not a phase. "
                f"Phases, worst to best: {', '.join(ladder.slugs())}"
            )
        return value


def _rules(info: ValidationInfo) -> RestoreRules:
    if not isinstance(info.context, RestoreRules):
        raise TypeError("validate with context=RestoreRules(...)")
    return info.context


def validate_export(
    rows: list[dict[str, Any]],
    ladder: storage.PhaseLadder,
    name: str,
    reserved: Iterable[str],
) -> list[storage.ExportRow]:
    """Every row checked, then every channel's start; the message lists all problems.

    `reserved` are the bot's own command names. Raises ValueError with the text to show when
    anything is wrong.
    """
    if not rows:
        raise ValueError(f"{name} contains no entries; nothing was restored.")
    context = RestoreRules(ladder, frozenset(reserved))
    valid: list[tuple[int, RestoreRow]] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            valid.append((number, RestoreRow.model_validate(row, context=context)))
        except ValidationError as error:
            errors += [f"row {number}: {problem}" for problem in problems(error)]
    errors += _alias_clashes(valid)
    started: set[str] = set()
    for number, entry in valid if not errors else []:
        # A channel always shows a status, so its history must open with one that counts.
        if entry.channel not in started and (entry.kind != "status" or entry.reverted_at):
            errors.append(
                f"row {number}: the first entry of “{entry.channel}” must be a status that was "
                "not undone (was the export made with --since? restore a full export)."
            )
        started.add(entry.channel)
    if errors:
        raise ValueError("\n".join([f"{name}: nothing was restored.", *listed(errors)]))
    return [storage.ExportRow.model_validate(entry.model_dump()) for _, entry in valid]


def _alias_clashes(valid: list[tuple[int, RestoreRow]]) -> list[str]:
    """Channels named like a seeded alias of another restored channel (e.g. `prisoners`).

    A restored seed channel gets its aliases from the seed file, so a second channel with one
    of those names could not have its command.
    """
    slugs = {entry.channel for _, entry in valid}
    owners = {
        alias: channel.slug
        for channel in load_seed().channels
        if channel.slug in slugs
        for alias in channel.aliases
    }
    errors, reported = [], set()
    for number, entry in valid:
        owner = owners.get(entry.channel)
        if owner is not None and owner != entry.channel and entry.channel not in reported:
            reported.add(entry.channel)
            errors.append(
                f"row {number}: /{entry.channel} is already a command (an alias of “{owner}”); "
                f"{_RENAME}."
            )
    return errors
