"""When digests are due: local hours in any zone, across daylight-saving changes."""

from datetime import UTC, datetime, time

import pytest

from storage.schedule import canonical_zone, closest_zone, next_due, parse_hhmm


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "at", "zone", "expected"),
    [
        # Kyiv is UTC+2 in winter, UTC+3 in summer.
        (utc(2026, 11, 24, 12), time(8, 0), "Europe/Kyiv", utc(2026, 11, 25, 6)),
        (utc(2026, 11, 24, 5, 59), time(8, 0), "Europe/Kyiv", utc(2026, 11, 24, 6)),
        (utc(2026, 11, 24, 6, 0), time(8, 0), "Europe/Kyiv", utc(2026, 11, 25, 6)),
        (utc(2026, 7, 1, 12), time(7, 30), "Europe/Kyiv", utc(2026, 7, 2, 4, 30)),
        (utc(2026, 11, 24, 12), time(7, 30), "America/New_York", utc(2026, 11, 24, 12, 30)),
        (utc(2026, 11, 24, 12), time(23, 45), "Asia/Tokyo", utc(2026, 11, 24, 14, 45)),
        (utc(2026, 11, 24, 23, 30), time(0, 15), "UTC", utc(2026, 11, 25, 0, 15)),
        (utc(2026, 11, 24, 12), time(9, 0), "Asia/Kolkata", utc(2026, 11, 25, 3, 30)),
        # Spring forward in Kyiv: 29 Mar 2026, 03:00 -> 04:00.
        (utc(2026, 3, 28, 6), time(7, 30), "Europe/Kyiv", utc(2026, 3, 29, 4, 30)),
        (utc(2026, 3, 29, 6), time(7, 30), "Europe/Kyiv", utc(2026, 3, 30, 4, 30)),
        (utc(2026, 3, 27, 6), time(7, 30), "Europe/Kyiv", utc(2026, 3, 28, 5, 30)),
        # Fall back in Kyiv: 25 Oct 2026, 04:00 -> 03:00.
        (utc(2026, 10, 25, 6), time(7, 30), "Europe/Kyiv", utc(2026, 10, 26, 5, 30)),
        (utc(2026, 10, 24, 6), time(7, 30), "Europe/Kyiv", utc(2026, 10, 25, 5, 30)),
        # An hour the spring change skips lands just after the jump; a repeated one, first time.
        (utc(2026, 3, 28, 12), time(3, 30), "Europe/Kyiv", utc(2026, 3, 29, 1, 30)),
        (utc(2026, 10, 24, 12), time(3, 30), "Europe/Kyiv", utc(2026, 10, 25, 0, 30)),
    ],
)
def test_next_due(now: datetime, at: time, zone: str, expected: datetime) -> None:
    assert next_due(now, at, zone) == expected


def test_daily_hour_stays_local_across_both_changes() -> None:
    now, seen = utc(2026, 3, 27, 12), []
    for _ in range(3):
        now = next_due(now, time(7, 30), "Europe/Kyiv")
        seen.append(now.astimezone(UTC).hour)
    assert seen == [5, 4, 4]  # 28 Mar in winter time, then summer time


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_due(datetime(2026, 1, 1), time(8), "UTC")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("07:30", time(7, 30)), ("7:05", time(7, 5)), ("00:00", time(0, 0)), ("23:59", time(23, 59)),
     ("24:00", None), ("7:5", None), ("0730", None), ("seven", None), ("-1:00", None),
     ("07:60", None), ("", None), ("1:2:3", None), ("²:00", None),
     ("\u0660\u0667:\u0663\u0660", None), (" 08:15 ", time(8, 15))],
)  # fmt: skip
def test_parse_hhmm(typed: str, expected: time | None) -> None:
    assert parse_hhmm(typed) == expected


def test_zone_names_ignore_case_and_suggest() -> None:
    assert canonical_zone("europe/kyiv") == "Europe/Kyiv"
    assert canonical_zone("utc") == "UTC"
    assert canonical_zone("Mars/Olympus") is None
    assert closest_zone("Europe/Kiyv") == "Europe/Kyiv"
    assert closest_zone("qqqq") is None
