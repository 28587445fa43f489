"""Validating an export file before it is restored into an empty database.

A restore writes rows verbatim, so every column an export has is required and checked here,
whole-file, before anything is written: one bad row and nothing is restored.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator

import storage
from bot.editing.validation import SLUG_PATTERN, SUMMARY_MAX, problems

_OPTIONAL = ("source_label", "source_url", "actor_id", "reverted_at", "reverted_by")


class RestoreRow(storage.ExportRow):
    """One row of an export file, as it will be written back."""

    model_config = ConfigDict(extra="forbid")

    @field_validator(*_OPTIONAL, mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """CSV writes a missing value as an empty cell; JSON writes null."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("channel", mode="after")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.match(SLUG_PATTERN, value):
            raise ValueError(f"“{value}” is not a channel slug (2 to 32 of a-z, 0-9, _).")
        return value

    @field_validator("summary", mode="after")
    @classmethod
    def _summary(cls, value: str) -> str:
        if not value.strip() or len(value) > SUMMARY_MAX:
            raise ValueError(f"The summary must be 1 to {SUMMARY_MAX} characters long.")
        return value

    @field_validator("phase", mode="after")
    @classmethod
    def _on_ladder(cls, value: str, info: ValidationInfo) -> str:
        ladder = info.context
        assert isinstance(ladder, storage.PhaseLadder), "validate with context=ladder"
        if ladder.get(value) is None or value != value.lower():
            raise ValueError(
                f"“{value}” is not a phase. Phases, worst to best: {', '.join(ladder.slugs())}"
            )
        return value


def validate_export(
    rows: list[dict[str, Any]], ladder: storage.PhaseLadder, name: str
) -> list[storage.ExportRow]:
    """Every row checked, then every channel's start; the message lists all problems.

    Raises ValueError with the text to show when anything is wrong.
    """
    if not rows:
        raise ValueError(f"{name} contains no entries; nothing was restored.")
    valid: list[storage.ExportRow] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            valid.append(RestoreRow.model_validate(row, context=ladder))
        except ValidationError as error:
            errors += [f"row {number}: {problem}" for problem in problems(error)]
    started: set[str] = set()
    for number, entry in enumerate(valid if not errors else [], start=1):
        # A channel always shows a status, so its history must open with one that counts.
        if entry.channel not in started and (entry.kind != "status" or entry.reverted_at):
            errors.append(
                f"row {number}: the first entry of “{entry.channel}” must be a status that was "
                "not undone (was the export made with --since? restore a full export)."
            )
        started.add(entry.channel)
    if errors:
        raise ValueError("\n".join([f"{name}: nothing was restored.", *errors]))
    return [storage.ExportRow.model_validate(entry.model_dump()) for entry in valid]
