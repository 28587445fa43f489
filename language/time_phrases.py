"""Calendar phrases in questions: "in November", "since Monday", "з 3 березня", "last 48 hours".

Pure like the rest of routing: phrases become specs ("3 March, no year"), and a spec becomes
dates only when `now` and the time zone are handed in (`start`, `end`, `resolve`). A phrase
that looks like a date or window but cannot be read ("31 February", "since the war began",
"last 5 minutes") is reported as unreadable, so the bot says so instead of answering for some
other window.
"""
# ruff: noqa: RUF001, RUF002 (Ukrainian words)

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from language.calendar_words import (
    AMBIGUOUS_MONTHS,
    HOURS,
    IN,
    MONTHS,
    SHORT_MONTHS,
    SINCE,
    UNREADABLE_UNITS,
    WEEKDAYS,
    YEAR_WORDS,
)

MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_HOURS = 24 * 365
_ORDINAL = re.compile(r"^(\d{1,3})(?:st|nd|rd|th|го|ге|е)?$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ENGLISH_MONTH = {number: name for name, number in MONTHS.items() if name.isascii()}
UNREADABLE_TOKEN = "unreadabledate"
_PHRASE_WORDS = 4


@dataclass(frozen=True)
class DaySpec:
    """A calendar day as typed: day and month (the year optional), or a weekday."""

    day: int = 1
    month: int = 1
    year: int | None = None
    weekday: int | None = None

    def resolve(self, today: date) -> date:
        """The day meant: with a year, that very day; else the latest such day up to `today`."""
        if self.weekday is not None:
            return today - timedelta(days=(today.weekday() - self.weekday) % 7)
        if self.year is not None:
            return date(self.year, self.month, self.day)
        for year in range(today.year, today.year - 9, -1):  # 29 February: up to 8 years back
            if self.day <= calendar.monthrange(year, self.month)[1]:
                candidate = date(year, self.month, self.day)
                if candidate <= today:
                    return candidate
        raise ValueError("no such day in the last eight years")


def midnight(day: date, zone: tzinfo) -> datetime:
    """The first moment of a local calendar day."""
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _today(now: datetime, zone: tzinfo) -> date:
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class Since:
    """From the start of a day until now: "since Monday", "з 3 березня"."""

    day: DaySpec

    def start(self, now: datetime, zone: tzinfo) -> datetime:
        """The window's first moment."""
        return midnight(self.day.resolve(_today(now, zone)), zone)

    def end(self, now: datetime, zone: tzinfo) -> datetime | None:
        """Open-ended: up to now."""
        return None


@dataclass(frozen=True)
class OnDay:
    """One calendar day: "what happened on 3 March", "у понеділок"."""

    day: DaySpec

    def start(self, now: datetime, zone: tzinfo) -> datetime:
        """Local midnight at the start of the day."""
        return midnight(self.day.resolve(_today(now, zone)), zone)

    def end(self, now: datetime, zone: tzinfo) -> datetime | None:
        """Local midnight at its end."""
        return midnight(self.day.resolve(_today(now, zone)) + timedelta(days=1), zone)


@dataclass(frozen=True)
class InMonth:
    """A calendar month: the latest one of that name that has begun, unless a year is given."""

    month: int
    year: int | None = None

    def first_day(self, today: date) -> date:
        """The month's first day."""
        if self.year is not None:
            return date(self.year, self.month, 1)
        year = today.year if self.month <= today.month else today.year - 1
        return date(year, self.month, 1)

    def start(self, now: datetime, zone: tzinfo) -> datetime:
        """Local midnight of the 1st."""
        return midnight(self.first_day(_today(now, zone)), zone)

    def end(self, now: datetime, zone: tzinfo) -> datetime | None:
        """Local midnight of the next month's 1st."""
        first = self.first_day(_today(now, zone))
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return midnight(following, zone)


@dataclass(frozen=True)
class InYear:
    """A calendar year: "in 2025", "у 2025 році"."""

    year: int

    def start(self, now: datetime, zone: tzinfo) -> datetime:
        """Local midnight of 1 January."""
        return midnight(date(self.year, 1, 1), zone)

    def end(self, now: datetime, zone: tzinfo) -> datetime | None:
        """Local midnight of the next 1 January."""
        return midnight(date(self.year + 1, 1, 1), zone)


@dataclass(frozen=True)
class LastHours:
    """The last N hours: "last 48 hours", "за останні 48 годин"."""

    hours: int

    def start(self, now: datetime, zone: tzinfo) -> datetime:
        """N hours before now."""
        return now - timedelta(hours=self.hours)

    def end(self, now: datetime, zone: tzinfo) -> datetime | None:
        """Up to now."""
        return None


CalendarWindow = Since | OnDay | InMonth | InYear | LastHours


@dataclass(frozen=True)
class TimeReading:
    """What a question says about time: a day (`at`), a window, or an unreadable phrase."""

    at: DaySpec | None = None
    window: CalendarWindow | None = None
    since: bool = False  # the day came after "since"/"з": a window from it, not the day itself
    unreadable: str | None = None
    used: frozenset[int] = field(default_factory=frozenset)


def spell_numeric_dates(text: str) -> tuple[str, list[str]]:
    """Write "2025-03-01" and "01.03.2025" as words ("1 march 2025") for the one date parser.

    A date with no such month becomes a marker the parser reports as unreadable; those dates
    are returned as typed, to quote back.
    """
    unreadable: list[str] = []

    def spelled(typed: str, year: str, month: str, day: str) -> str:
        if not 1 <= int(month) <= 12:
            unreadable.append(typed)
            return f" {UNREADABLE_TOKEN} "
        return f" {int(day)} {_ENGLISH_MONTH[int(month)]} {year} "

    text = _ISO_DATE.sub(lambda m: spelled(m.group(), m.group(1), m.group(2), m.group(3)), text)
    text = _DOTTED_DATE.sub(lambda m: spelled(m.group(), m.group(3), m.group(2), m.group(1)), text)
    return text, unreadable


def _number(word: str) -> int | None:
    match = _ORDINAL.match(word)
    return int(match.group(1)) if match else None


def _year(words: list[str], index: int) -> tuple[int | None, list[int]]:
    """A year at `index` ("2025", optionally followed by "року"), and the indexes it used."""
    if index >= len(words) or not (words[index].isdigit() and len(words[index]) == 4):
        return None, []
    used = [index]
    if index + 1 < len(words) and words[index + 1] in YEAR_WORDS:
        used.append(index + 1)
    return int(words[index]), used


def _month(word: str, short: bool) -> int | None:
    return MONTHS.get(word) or (SHORT_MONTHS.get(word) if short else None)


def _date_at(words: list[str], index: int) -> tuple[DaySpec | str, list[int]] | None:
    """A day and month starting at `index` ("3 March", "March 3rd", "3rd of March",
    "3 березня 2025"); the phrase itself when that day does not exist."""
    day = _number(words[index])
    month_index = index + 1
    if day is not None and month_index < len(words) and words[month_index] == "of":
        month_index += 1
    month = _month(words[month_index], short=True) if month_index < len(words) else None
    if day is None or month is None:
        month = _month(words[index], short=False)
        day = _number(words[index + 1]) if month and index + 1 < len(words) else None
        if month is None or day is None:
            return None
        month_index = index + 1
    year, year_used = _year(words, month_index + 1)
    used = list(range(index, month_index + 1)) + year_used
    leap_year = 2000  # without a year, 29 February is a real day
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        return " ".join(words[i] for i in used), used
    if not 1 <= day <= calendar.monthrange(year or leap_year, month)[1]:
        return " ".join(words[i] for i in used), used
    return DaySpec(day=day, month=month, year=year), used


def _before(words: list[str], index: int) -> str:
    """The word before `index`, skipping an article ("since the 3rd")."""
    index -= 1
    if index >= 0 and words[index] == "the":
        index -= 1
    return words[index] if index >= 0 else ""


def _phrase(words: list[str], start: int) -> str:
    return " ".join(words[start : start + _PHRASE_WORDS])


def read_time(words: list[str], modifiers: set[str]) -> TimeReading:
    """Find the calendar phrase of a question (first match wins); see the module docstring.

    `modifiers` are the words that make "hour" a window ("last hour", "останню годину").
    """
    if UNREADABLE_TOKEN in words:
        return TimeReading(unreadable=_phrase(words, words.index(UNREADABLE_TOKEN)))
    for index, word in enumerate(words):
        found = _date_at(words, index)
        if found is not None:
            spec, used = found
            since = _before(words, index) in SINCE
            start = index - 1 if since else index
            if isinstance(spec, str):
                return TimeReading(unreadable=spec)
            return TimeReading(at=spec, since=since, used=frozenset([*used, start]))
        if word in WEEKDAYS:
            since = _before(words, index) in SINCE
            spec = DaySpec(weekday=WEEKDAYS[word])
            return TimeReading(at=spec, since=since, used=frozenset({index, index - 1}))
    for index, word in enumerate(words):
        reading = _month_or_year(words, index, word)
        if reading is not None:
            return reading
        if word in HOURS or word in UNREADABLE_UNITS:
            before = words[index - 1] if index else ""
            amount = _number(before) if before else None
            if amount is None and before not in modifiers:
                continue
            if word in UNREADABLE_UNITS or (amount is not None and not 1 <= amount <= MAX_HOURS):
                return TimeReading(unreadable=" ".join(words[max(0, index - 2) : index + 1]))
            return TimeReading(window=LastHours(amount or 1), used=frozenset({index, index - 1}))
    return TimeReading()


def _month_or_year(words: list[str], index: int, word: str) -> TimeReading | None:
    before = _before(words, index)
    since = before in SINCE
    if word in MONTHS:
        year, year_used = _year(words, index + 1)
        if word in AMBIGUOUS_MONTHS and not (since or before in IN or year):
            return None
        used = frozenset([index, *year_used, *([index - 1] if since or before in IN else [])])
        month = MONTHS[word]
        if since:
            return TimeReading(window=Since(DaySpec(1, month, year)), used=used)
        return TimeReading(window=InMonth(month, year), used=used)
    year, year_used = _year(words, index)
    if year is not None and (since or before in IN or len(year_used) == 2):
        used = frozenset([*year_used, index - 1])
        if not MIN_YEAR <= year <= MAX_YEAR:
            return TimeReading(unreadable=" ".join(words[max(0, index - 1) : index + 2]))
        if since:
            return TimeReading(window=Since(DaySpec(1, 1, year)), used=used)
        return TimeReading(window=InYear(year), used=used)
    return None
