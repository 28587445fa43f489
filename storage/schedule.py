"""When a subscriber's next digest is due: pure date arithmetic on an injected `now`.

Subscribers choose a wall-clock hour in their own zone ("07:30 in Kyiv"), but the database
stores one UTC instant per subscriber so the scheduler can pick due rows with an index.
Converting through zoneinfo keeps the hour right across daylight-saving changes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from language.suggestions import closest

_HHMM = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
ZONE_CUTOFF = 75  # zone names share long prefixes ("Europe/"), so ask for a closer match


def next_due(now: datetime, at: time, zone: str) -> datetime:
    """The first moment strictly after `now` when it is `at` o'clock in `zone`, in UTC.

    A time skipped by a spring-forward change (02:30 on the night clocks jump) is taken with
    the offset before the change, so it lands just after the jump instead of being lost; a
    time repeated by a fall-back change is taken at its first occurrence.
    """
    if now.tzinfo is None:
        raise ValueError("next_due needs an aware datetime")
    tz = ZoneInfo(zone)
    local_day = now.astimezone(tz).date()
    for offset in range(3):
        candidate = datetime.combine(local_day + timedelta(days=offset), at, tzinfo=tz)
        instant = candidate.astimezone(UTC)
        if instant > now:
            return instant
    raise AssertionError("unreachable: a local hour recurs within three days")


@cache
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def canonical_zone(name: str) -> str | None:
    """The IANA zone name as spelt in the database, whatever the case; None if unknown."""
    return _zones_by_lower().get(name.strip().lower())


def closest_zone(name: str) -> str | None:
    """The most similar IANA zone name, to suggest after a typo ("Europe/Kiyv")."""
    zones = _zones_by_lower()
    match = closest(name.strip(), list(zones), cutoff=ZONE_CUTOFF)
    return zones[match] if match else None


def parse_hhmm(value: str) -> time | None:
    """Read "7:30" or "07:30" (24-hour clock, ASCII digits); None when it is not a valid time."""
    match = _HHMM.fullmatch(value.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return time(hours, minutes) if hours <= 23 and minutes <= 59 else None
