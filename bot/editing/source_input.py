"""Validating a new source (Telegram's /source add and `backchannel sources add` alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

import storage
from bot.editing.validation import GRADES
from language.i18n import N_
from sources.addresses import AddressRefused, check_url
from storage.values import Problem

_TELEGRAM = re.compile(r"^https?://t\.me/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/?$", re.IGNORECASE)
_ID = re.compile(r"^#?(\d{1,9})$")
_EVERY = re.compile(r"^(\d{1,4})(m|min|h)$", re.IGNORECASE)
MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(days=1)


class SourceInputError(Problem):
    """The /source (or CLI) arguments cannot be used; the message says what to type (English
    as str(), the admin's language with `in_language`)."""


@dataclass(frozen=True)
class NewSource:
    """A validated `/source add`."""

    url: str
    kind: storage.SourceKind
    grade: storage.SourceGrade
    channel_ids: tuple[int, ...]
    title: str | None
    interval: timedelta | None = None  # None: SOURCES_INTERVAL_MINUTES


def refused(url: str, reason: AddressRefused) -> SourceInputError:
    """The admin's error for an address the bot will not follow, with why."""
    return SourceInputError(
        N_("“{url}” cannot be followed: {reason}."), url=url[:80], reason=reason
    )


def parse_new_source(db: Database, words: list[str]) -> NewSource:
    """Validate `<url> [channels] [grade] [interval]` (Telegram and CLI alike)."""
    if not words:
        raise SourceInputError(N_("Which feed? Give its address first."))
    url, rest = words[0].strip("<>"), words[1:]
    try:
        check_url(url)
    except AddressRefused as error:
        raise refused(url, error) from None
    grade: storage.SourceGrade = "media"
    channel_ids: list[int] = []
    interval: timedelta | None = None
    for word in (part for token in rest for part in token.split(",") if part):
        if word.lower() in GRADES:
            grade = word.lower()  # type: ignore[assignment]
            continue
        every = _EVERY.match(word)
        if every:
            amount = int(every.group(1))
            interval = (
                timedelta(hours=amount)
                if every.group(2).lower() == "h"
                else timedelta(minutes=amount)
            )
            if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
                raise SourceInputError(N_("Poll a feed every 5m to every 24h (e.g. 30m or 2h)."))
            continue
        try:
            channel = storage.find_channel(db, word)
        except storage.ChannelNotFoundError:
            slugs = ", ".join(c.slug for c in storage.list_channels(db))
            raise SourceInputError(
                N_("“{word}” is neither a channel, a grade nor an interval. Channels: "
                   "{channels}. Grades: {grades}. Intervals: 30m, 2h."),
                word=word[:40], channels=slugs, grades=", ".join(GRADES),
            ) from None  # fmt: skip
        if channel.id not in channel_ids:
            channel_ids.append(channel.id)
    telegram = _TELEGRAM.match(url)
    if telegram:
        name = telegram.group(1)
        telegram_url = f"https://t.me/{name}"
        return NewSource(telegram_url, "telegram", grade, tuple(channel_ids), f"@{name}", interval)
    return NewSource(url, "feed", grade, tuple(channel_ids), None, interval)


def parse_source_id(value: str | None) -> int:
    """A source id as typed (`3` or `#3`)."""
    match = _ID.match((value or "").strip())
    if match is None:
        raise SourceInputError(N_("Give the source's number from /sources, e.g. 3."))
    return int(match.group(1))
