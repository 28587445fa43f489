"""Navigation button data: what a button asks for, packed under Telegram's 64-byte limit.

Anyone can send any callback data to a bot, so data coming back is parsed strictly and an
unknown shape is treated as forged (None), never trusted.
"""

import enum
import re
from dataclasses import dataclass

PREFIX = "nav"
MAX_BYTES = 64  # Telegram's limit for callback_data
_SLUG = r"[a-z0-9_]{1,32}"  # channel slugs are command names: at most 32 of these characters
_DATA = re.compile(rf"{PREFIX}:(?P<action>[a-z])(?::(?P<slug>{_SLUG}))?")


class Action(enum.StrEnum):
    """Where a navigation button leads."""

    OVERVIEW = "o"
    CHANNEL = "c"
    HISTORY = "h"
    LATEST = "l"
    SUBSCRIBE = "s"
    UNSUBSCRIBE = "u"


@dataclass(frozen=True)
class Target:
    """A decoded button: the page and, except for the overview, its channel's slug."""

    action: Action
    slug: str | None = None


def encode(action: Action, slug: str | None = None) -> str:
    """Callback data for a button; raises ValueError for data Telegram would refuse."""
    data = PREFIX + ":" + action.value + (f":{slug}" if slug is not None else "")
    if decode(data) != Target(action, slug) or len(data.encode()) > MAX_BYTES:
        raise ValueError(f"cannot make a navigation button for {action.name} {slug!r}")
    return data


def decode(data: str | None) -> Target | None:
    """The target of well-formed data, or None for anything else (stale format or forged)."""
    if data is None or len(data.encode()) > MAX_BYTES:
        return None
    match = _DATA.fullmatch(data)
    if match is None:
        return None
    try:
        action = Action(match["action"])
    except ValueError:
        return None
    slug = match["slug"]
    if (action is Action.OVERVIEW) != (slug is None):
        return None
    return Target(action, slug)
