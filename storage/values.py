"""The rules for every value people can write: one definition, shared by every writing path.

Admin commands, the guided /set, the CLI, imports and restores all validate through these
(bot/editing builds its models from the annotated types below), so a value refused on one
path is refused on all of them. The functions are pure: they raise `Problem` (a ValueError)
with a sentence an admin can act on, quoting at most a short excerpt of the bad value; the
sentence is a catalog entry with its values apart, so the admin reads it in their language.
render/ asks `is_web_url` again before making a link, for rows stored before a rule existed.
"""

from __future__ import annotations

import re
import reprlib
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, HttpUrl, TypeAdapter, ValidationError

from language.i18n import N_, Texts
from storage.timestamps import utc_now

SLUG_PATTERN = r"^[a-z0-9_]{2,32}$"
SUMMARY_MAX = 500
TITLE_MAX = 100
LABEL_MAX = 200
# Telegram's first and last names are up to 64 characters each, and history keeps them whole.
ACTOR_NAME_MAX = 150
URL_MAX = 2048
# An admin east of UTC may date something "today" in local time; anything later is a typo.
FUTURE_SLACK = timedelta(days=1)
EXCERPT_CHARS = 60

_SLUG = re.compile(SLUG_PATTERN)
_BREAKS = {"Cc", "Zl", "Zp"}  # line breaks, tabs and other control characters
_URL = TypeAdapter(HttpUrl)
_REPR = reprlib.Repr()  # bounded: a huge list from a YAML file costs no more than a short one
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring = 2, 4, 4, EXCERPT_CHARS


class Words(str):
    """A value of a `Problem` that is itself a catalog entry (a field's name): translated too."""

    __slots__ = ()


class Problem(ValueError):
    """A refused value: an English sentence (its catalog entry, N_-marked where raised) and the
    values to put in it. `str()` is the English sentence (the CLI, logs); `in_language` is what
    an admin reads in Telegram."""

    def __init__(self, message: str, **values: object) -> None:
        self.message, self.values = message, values
        super().__init__(message.format(**values))

    def __eq__(self, other: object) -> bool:
        # Two refusals are the same when they say the same (a feed parsed two ways, a problem
        # stored and read back), not only when they are the same object.
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.message, self.values) == (other.message, other.values)

    def __hash__(self) -> int:
        return hash(self.message)

    def in_language(self, _: Texts) -> str:
        """The sentence in the reader's language (plain text, not yet escaped); a value that is
        itself a Problem (the reason inside a refusal) is worded in that language too."""
        values = {k: _in_language(v, _) for k, v in self.values.items()}
        return _(self.message, **values)


def _in_language(value: object, _: Texts) -> object:
    if isinstance(value, Words):
        return _(value)
    return value.in_language(_) if isinstance(value, Problem) else value


SUMMARY = Words(N_("summary"))
TITLE = Words(N_("title"))
UKRAINIAN_TITLE = Words(N_("Ukrainian title"))
SOURCE_LABEL = Words(N_("source label"))
ACTOR_NAME = Words(N_("actor name"))
NAME = Words(N_("name"))


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of untrusted input, on one line, to quote in a message.

    Non-text values (a list from a YAML file) are shown with bounded repr, so quoting a huge
    structure costs no more than quoting a short one.
    """
    shown = value if isinstance(value, str) else _REPR.repr(value)
    cut = shown[:limit]
    # A printable string has no control, line or paragraph separator characters (the
    # usual case, checked in C); only other strings are looked at character by character.
    if cut.isprintable():
        visible = cut
    else:
        visible = "".join("↵" if _is_break(char) else char for char in cut)
    return visible + ("…" if len(shown) > limit else "")


def _is_break(char: str) -> bool:
    return unicodedata.category(char) in _BREAKS


def _one_line(value: str) -> bool:
    return not any(_is_break(char) for char in value)


def _bounded(value: str, what: Words, limit: int) -> str:
    if not value.strip():
        raise Problem(N_("The {what} is empty."), what=what)
    if len(value) > limit:
        raise Problem(
            N_("The {what} is {length} characters long; the limit is {limit}."),
            what=what, length=len(value), limit=limit,
        )  # fmt: skip
    return value


def _single_line(value: str, what: Words, limit: int) -> str:
    _bounded(value, what, limit)
    if not _one_line(value):
        raise Problem(
            N_("The {what} must be one line (no line breaks, tabs or control codes)."), what=what
        )
    return value


def channel_slug(value: str) -> str:
    """A channel's slug or alias: readers type it as a command, so command-name rules apply."""
    if not _SLUG.match(value):
        raise Problem(
            N_("“{value}” is not a valid command name: use 2 to 32 lower-case letters, digits "
               "or _."),
            value=excerpt(value),
        )  # fmt: skip
    return value


def title(value: str) -> str:
    """A channel title: shown in bold on one line in every reply and button."""
    return _single_line(value, TITLE, TITLE_MAX)


def title_uk(value: str) -> str:
    """A channel's Ukrainian title: the same rule as the English one."""
    return _single_line(value, UKRAINIAN_TITLE, TITLE_MAX)


_TEXT_CONTROLS = frozenset("\n\r\t")  # what typing or pasting a paragraph legitimately brings


def summary(value: str) -> str:
    """What happened: 1 to SUMMARY_MAX characters, line breaks allowed, shown as typed.

    Other control codes (a pasted NUL, record separator or bell) are refused: Telegram drops
    some and draws others as boxes, so what readers saw would differ from what was stored.
    """
    _bounded(value, SUMMARY, SUMMARY_MAX)
    if not value.isprintable() and any(
        unicodedata.category(char) == "Cc" and char not in _TEXT_CONTROLS for char in value
    ):
        raise Problem(
            N_("The {what} must not contain control codes (invisible characters such as NUL); "
               "line breaks are fine."),
            what=SUMMARY,
        )  # fmt: skip
    return value


def source_label(value: str) -> str:
    """The name of a source (an import column): one line, short enough to read."""
    return _single_line(value, SOURCE_LABEL, LABEL_MAX)


def actor_name(value: str, what: Words = ACTOR_NAME) -> str:
    """Who made a change (imports, restores) or an admin's name (/grant): one short line."""
    return _single_line(value, what, ACTOR_NAME_MAX)


@lru_cache(maxsize=4096)
def is_web_url(value: str) -> bool:
    """An http(s) address with a host, on one line and of sane length: safe to make a link.

    Remembered (a pure function of the text): every source line of every page and digest asks
    it, mostly about the same few addresses, and `urlsplit` is the dearest part of a line.
    """
    if len(value) > URL_MAX:
        return False
    # In a printable string the only white space is " " (see `excerpt`); the character by
    # character look is for the rest.
    if " " in value if value.isprintable() else any(_is_break(c) or c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def source_url(value: str) -> str:
    """A source readers can open: http or https only, kept exactly as typed."""
    valid = is_web_url(value)
    if valid:
        try:
            _URL.validate_python(value)
        except ValidationError:
            valid = False
    if not valid:
        raise Problem(
            N_("“{value}” is not a web address; a source must start with http:// or https://"),
            value=excerpt(value),
        )
    return value


def event_time(value: datetime, now: datetime | None = None) -> datetime:
    """When something happened: no zone means UTC, and not more than a day ahead of now."""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    current = now or utc_now()
    if moment > current + FUTURE_SLACK:
        raise Problem(
            N_("“{value}” is in the future: a date may be at most one day ahead of now "
               "({now} UTC)."),
            value=moment.isoformat(), now=f"{current.astimezone(UTC):%Y-%m-%d %H:%M}",
        )  # fmt: skip
    return moment


ChannelSlug = Annotated[str, AfterValidator(channel_slug)]
Title = Annotated[str, AfterValidator(title)]
TitleUk = Annotated[str, AfterValidator(title_uk)]
Summary = Annotated[str, AfterValidator(summary)]
SourceUrl = Annotated[str, AfterValidator(source_url)]
SourceLabel = Annotated[str, AfterValidator(source_label)]
ActorName = Annotated[str, AfterValidator(actor_name)]
EventTime = Annotated[datetime, AfterValidator(event_time)]
