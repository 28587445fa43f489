"""The rules for every value people can write: one definition, shared by every writing path.

Admin commands, the guided /set, the CLI, imports and restores all validate through these
(bot/editing builds its models from the annotated types below), so a value refused on one
path is refused on all of them. The functions are pure: they raise ValueError with a sentence
an admin can act on, quoting at most a short excerpt of the bad value. render/ asks
`is_web_url` again before making a link, for rows stored before a rule existed.
"""

from __future__ import annotations

import re
import reprlib
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, HttpUrl, TypeAdapter, ValidationError

from storage.timestamps import utc_now

SLUG_PATTERN = r"^[a-z0-9_]{2,32}$"
NAME_RULE = "use 2 to 32 lower-case letters, digits or _"
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


def _bounded(value: str, what: str, limit: int) -> str:
    if not value.strip():
        raise ValueError(f"The {what} is empty.")
    if len(value) > limit:
        raise ValueError(f"The {what} is {len(value)} characters long; the limit is {limit}.")
    return value


def _single_line(value: str, what: str, limit: int) -> str:
    _bounded(value, what, limit)
    if not _one_line(value):
        raise ValueError(f"The {what} must be one line (no line breaks, tabs or control codes).")
    return value


def channel_slug(value: str) -> str:
    """A channel's slug or alias: readers type it as a command, so command-name rules apply."""
    if not _SLUG.match(value):
        raise ValueError(f"“{excerpt(value)}” is not a valid command name: {NAME_RULE}.")
    return value


def title(value: str) -> str:
    """A channel title: shown in bold on one line in every reply and button."""
    return _single_line(value, "title", TITLE_MAX)


def title_uk(value: str) -> str:
    """A channel's Ukrainian title: the same rule as the English one."""
    return _single_line(value, "Ukrainian title", TITLE_MAX)


def summary(value: str) -> str:
    """What happened: 1 to SUMMARY_MAX characters, line breaks allowed, shown as typed."""
    return _bounded(value, "summary", SUMMARY_MAX)


def source_label(value: str) -> str:
    """The name of a source (an import column): one line, short enough to read."""
    return _single_line(value, "source label", LABEL_MAX)


def actor_name(value: str, what: str = "actor name") -> str:
    """Who made a change (imports, restores) or an admin's name (/grant): one short line."""
    return _single_line(value, what, ACTOR_NAME_MAX)


def is_web_url(value: str) -> bool:
    """An http(s) address with a host, on one line and of sane length: safe to make a link."""
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
        raise ValueError(
            f"“{excerpt(value)}” is not a web address; a source must start with http:// or https://"
        )
    return value


def event_time(value: datetime, now: datetime | None = None) -> datetime:
    """When something happened: no zone means UTC, and not more than a day ahead of now."""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    current = now or utc_now()
    if moment > current + FUTURE_SLACK:
        raise ValueError(
            f"“{moment.isoformat()}” is in the future: a date may be at most one day ahead of "
            f"now ({current.astimezone(UTC):%Y-%m-%d %H:%M} UTC)."
        )
    return moment


ChannelSlug = Annotated[str, AfterValidator(channel_slug)]
Title = Annotated[str, AfterValidator(title)]
TitleUk = Annotated[str, AfterValidator(title_uk)]
Summary = Annotated[str, AfterValidator(summary)]
SourceUrl = Annotated[str, AfterValidator(source_url)]
SourceLabel = Annotated[str, AfterValidator(source_label)]
ActorName = Annotated[str, AfterValidator(actor_name)]
EventTime = Annotated[datetime, AfterValidator(event_time)]
