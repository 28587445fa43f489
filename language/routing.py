"""Plain-language questions to intents: which channel, what kind of answer, over what period.

Pure and deterministic (no I/O, no clock, no randomness), so the same question always gets the
same answer and a better matcher can replace this module without touching any handler. The
vocabulary of channels comes from the database (title, slug, aliases, keywords), so a new
channel with keywords is reachable without code changes; only the question words below
("when", "this week", "що нового"...) live in code.
"""

from __future__ import annotations

import enum
import functools
import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import reduce
from operator import add
from typing import Any, Generic, Protocol, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Prefix

from language.calendar_words import (
    GREETINGS,
    HELP,
    HELP_ALONE,
    HOURS,
    IN,
    MONTHS,
    OVERVIEW,
    OVERVIEW_ALONE,
    SINCE,
    STATE,
    UNREADABLE_UNITS,
    WEEKDAYS,
    YEAR_WORDS,
)
from language.question_words import (
    CHANGE_CUES,
    LATEST_CUES,
    MODIFIERS,
    NUMBERS,
    STOPWORDS,
    TODAY,
    UNITS,
    YESTERDAY,
)
from language.time_phrases import (
    UNREADABLE_TOKEN,
    CalendarWindow,
    DaySpec,
    OnDay,
    Since,
    read_time,
    spell_numeric_dates,
)

# A channel whose score is within this share of the best one is "about as good": ask, don't guess.
AMBIGUITY_RATIO = 0.85
MAX_CHOICES = 3
DEFAULT_PERIOD_DAYS = 7
MIN_FUZZY_LENGTH = 4  # shorter words must match exactly: "aid" is not "and"
TYPO_CUTOFF = 80.0
ENDING_CUTOFF = 0.9
ENDING_SCORE = 0.85
_WORD = re.compile(r"[\w']+")
# Typographic, modifier-letter and accent apostrophes all become "'" (перемир'я has all of them).
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u02bc`\u00b4\u2018", "'"))
_VOCABULARY = sorted(
    word
    for word in CHANGE_CUES
    | LATEST_CUES
    | MODIFIERS
    | set(UNITS)
    | TODAY
    | YESTERDAY
    | set(NUMBERS)
    | set(MONTHS)
    | set(WEEKDAYS)
    | HOURS
    | UNREADABLE_UNITS
    if not word.isdigit()
)
# Words that never name a channel besides the question words: calendar words, greetings.
_NOT_CHANNEL_WORDS = (
    set(MONTHS) | set(WEEKDAYS) | HOURS | UNREADABLE_UNITS | YEAR_WORDS | SINCE | IN | STATE
    | (GREETINGS - {"start"})
)  # fmt: skip
# Words that, with filler and greetings only, ask for help, the overview or just say hello.
_FILLER = STOPWORDS | {"you", "your", "bot", "ти", "ви", "бот", "ботик", "будь", "ласка", "справ"}


class Intent(enum.StrEnum):
    """What kind of answer a question asks for."""

    CHANNEL_STATUS = "channel_status"
    CHANGES_IN_PERIOD = "changes_in_period"
    LATEST_ENTRY = "latest_entry"
    STATUS_AT = "status_at"  # the status in force on a given day
    GREETING = "greeting"  # answered like /start
    HELP = "help"  # answered like /help
    OVERVIEW = "overview"  # answered like /status
    UNREADABLE_TIME = "unreadable_time"  # a date or window the bot cannot read: say so
    NONE = "none"  # no channel: the handler searches the words, else says it did not understand


class Routable(Protocol):
    """What routing needs to know about a channel (storage.Channel fits)."""

    slug: str
    title: str
    aliases: list[str]
    keywords: list[str]


@dataclass(frozen=True)
class Period:
    """A time window ending now: the last `days` days, or since local midnight `days` ago."""

    days: int
    from_midnight: bool = False

    @property
    def label(self) -> str:
        """How replies name the window."""
        if self.from_midnight:
            return "today" if self.days == 0 else "since yesterday"
        return "in the last day" if self.days == 1 else f"in the last {self.days} days"

    def start(self, now: datetime, zone: tzinfo) -> datetime:
        """The first moment inside the window, for an aware `now`."""
        if not self.from_midnight:
            return now - timedelta(days=self.days)
        local = now.astimezone(zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight - timedelta(days=self.days)

    def end(self, now: datetime, zone: tzinfo) -> datetime | None:
        """Open-ended: the window runs up to now."""
        return None


@dataclass(frozen=True)
class ChannelMatch:
    """A channel the question may be about, and how strongly (sum of matched words)."""

    slug: str
    score: float


Window = Period | CalendarWindow


@dataclass(frozen=True)
class Route:
    """The answer plan: intent, candidate channels (one = sure, several = ask) and period.

    `at` is the day of a STATUS_AT question, `unreadable` the phrase an UNREADABLE_TIME
    question could not read, and `words` the question's content words (what to search for
    when no channel matched).
    """

    intent: Intent
    channels: tuple[ChannelMatch, ...] = ()
    period: Window | None = None
    scores: tuple[ChannelMatch, ...] = field(default=(), compare=False)
    at: DaySpec | None = None
    unreadable: str | None = None
    words: tuple[str, ...] = ()

    @property
    def channel(self) -> str | None:
        """The one channel the question is clearly about, or None (none or ambiguous)."""
        return self.channels[0].slug if len(self.channels) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """Several channels matched about equally well."""
        return len(self.channels) > 1


def normalize(question: str) -> list[str]:
    """Lower-case words with one kind of apostrophe, so every spelling of перемир'я is equal."""
    folded = unicodedata.normalize("NFC", question).translate(_APOSTROPHES).lower()
    return [word.strip("'") for word in _WORD.findall(folded) if word.strip("'")]


def word_similarity(word: str, term: str) -> float:
    """0..1: exact words, typos (ratio) and changed endings (Jaro-Winkler with a shared stem)."""
    if word == term:
        return 1.0
    if min(len(word), len(term)) < MIN_FUZZY_LENGTH:
        return 0.0
    ratio = fuzz.ratio(word, term)
    if ratio >= TYPO_CUTOFF:
        return ratio / 100
    # Case endings (обмін/обміном, полонені/полоненими) keep the stem and change the tail.
    stem = Prefix.similarity(word, term)
    if stem >= MIN_FUZZY_LENGTH and JaroWinkler.normalized_similarity(word, term) >= ENDING_CUTOFF:
        return ENDING_SCORE
    return 0.0


# Channels change rarely and the same words recur in question after question, so both the
# channels' term lists and each word's best score against them are memoised (bounded LRU);
# the results are exactly what the uncached functions return.
def _terms_of(channel: Routable) -> tuple[str, ...]:
    return _terms(channel.slug, tuple(channel.aliases), tuple(channel.keywords), channel.title)


@functools.lru_cache(maxsize=1024)
def _terms(
    slug: str, aliases: tuple[str, ...], keywords: tuple[str, ...], title: str
) -> tuple[str, ...]:
    words = {slug, *aliases}
    for phrase in [*keywords, title]:
        words.update(normalize(phrase))
    return tuple(sorted(word for word in words if word and word not in STOPWORDS))


@functools.lru_cache(maxsize=65536)
def _best_similarity(word: str, terms: tuple[str, ...]) -> float:
    best = process.extractOne(word, terms, scorer=_scorer, score_cutoff=0.01)
    return best[1] if best else 0.0


def score_channels(words: Iterable[str], channels: Sequence[Routable]) -> list[ChannelMatch]:
    """Channels with a positive score, best first; ties keep the channels' display order."""
    return Router(channels).score_channels(words)


def _scorer(word: str, term: str, **_: object) -> float:
    return word_similarity(word, term)


def correct_cues(words: list[str]) -> list[str]:
    """Fix typos in question words ("wek", "yesterdy") so time phrases survive them."""
    return [_corrected(word) for word in words]


@functools.lru_cache(maxsize=65536)
def _corrected(word: str) -> str:
    # Memoised like _best_similarity: the vocabulary is fixed, so a word's fix never changes.
    if word in _VOCABULARY or len(word) < 3 or word.isdigit():
        return word
    best = process.extractOne(word, _VOCABULARY, scorer=fuzz.ratio, score_cutoff=85)
    return best[0] if best else word


def find_period(words: list[str]) -> tuple[Period | None, set[int]]:
    """The time window a question names, and the positions of the words that named it."""
    for index, word in enumerate(words):
        if word in TODAY:
            return Period(0, from_midnight=True), {index}
        if word in YESTERDAY:
            return Period(1, from_midnight=True), {index}
        if word not in UNITS:
            continue
        used = {index}
        amount = 1
        if index >= 1 and words[index - 1] in NUMBERS:
            amount = NUMBERS[words[index - 1]]
            used.add(index - 1)
        before = [i for i in (index - 1, index - 2) if i >= 0 and words[i] in MODIFIERS]
        used.update(before)
        if len(used) > 1:  # a bare "week" is not a time phrase; "this week" and "2 weeks" are
            return Period(amount * UNITS[word]), used
    return None, set()


def _alone(words: list[str]) -> Intent | None:
    """HELP, OVERVIEW or GREETING when the message is only that ("help", "статус", "привіт")."""
    plain = set(words)
    if not plain:
        return None
    if plain <= HELP | GREETINGS | _FILLER and (
        plain & HELP_ALONE or {"can", "do"} <= plain or plain & {"вмієш", "вмієте", "можеш"}
    ):
        return Intent.HELP
    if plain <= OVERVIEW | GREETINGS | _FILLER and plain & OVERVIEW_ALONE:
        return Intent.OVERVIEW
    if plain <= GREETINGS | _FILLER and plain & GREETINGS:
        return Intent.GREETING
    return None


def _unread_since(cues: list[str], used: set[int], typed: list[str]) -> str | None:
    """The phrase, as typed, where "since" is followed by nothing read ("since the war began")."""
    for index, word in enumerate(cues):
        if word == "since" and index not in used and index + 1 not in used:
            return " ".join(typed[index : index + 4])
    return None


def _content_words(words: list[str]) -> tuple[str, ...]:
    """The words worth searching for: no question words, filler or numbers."""
    return tuple(
        word for word in words
        if word not in _FILLER and word not in _NOT_CHANNEL_WORDS and not word.isdigit()
        and len(word) > 1
    )  # fmt: skip


def _candidates(matches: list[ChannelMatch]) -> tuple[ChannelMatch, ...]:
    if not matches:
        return ()
    best = matches[0].score
    close = [match for match in matches if match.score >= best * AMBIGUITY_RATIO]
    return tuple(close[:MAX_CHOICES])


Channel = TypeVar("Channel", bound=Routable)


class Router(Generic[Channel]):
    """`route` for one set of channels, remembering each word's scores against all of them.

    Handlers keep one Router while the channels stay the same (per data version): readers'
    questions reuse the same words ("news", "swaps", "ceasefire"), and scoring a word means a
    fuzzy comparison with every term of every channel.
    """

    MAX_REMEMBERED_WORDS = 65536
    MAX_REMEMBERED_QUESTIONS = 4096

    def __init__(self, channels: Sequence[Channel]) -> None:
        self.channels: list[Channel] = list(channels)
        self._terms = [_terms_of(channel) for channel in self.channels]
        self._word_scores: dict[str, tuple[float, ...]] = {}
        self._routes: dict[str, Route] = {}

    def _scores_of(self, word: str) -> tuple[float, ...]:
        scores = self._word_scores.get(word)
        if scores is None:
            if len(self._word_scores) >= self.MAX_REMEMBERED_WORDS:
                self._word_scores.clear()
            scores = tuple(_best_similarity(word, terms) for terms in self._terms)
            self._word_scores[word] = scores
        return scores

    def score_channels(self, words: Iterable[str]) -> list[ChannelMatch]:
        """Channels with a positive score, best first; ties keep the channels' order."""
        scores = self._scores_of
        rows = [
            scores(word)
            for word in words
            if not (word in STOPWORDS or word in _NOT_CHANNEL_WORDS or word.isdigit())
        ]
        # Column sums in C, each added in word order (the same floats as a loop; not `sum`,
        # which compensates rounding from Python 3.12): source polling scores every item's
        # title and summary, tens of words each, and the Python loop was a tenth of a poll.
        totals = [reduce(add, column, 0.0) for column in zip(*rows, strict=True)]
        if not rows:
            totals = [0.0] * len(self.channels)
        matches = [
            ChannelMatch(channel.slug, round(total, 3))
            for channel, total in zip(self.channels, totals, strict=True)
            if total > 0
        ]
        return sorted(matches, key=lambda match: -match.score)

    def route(self, question: str) -> Route:
        """Decide what a question asks for (the same text always gets the same plan).

        A plan holds no moment: phrases such as "yesterday" are resolved against `now` only
        when the answer is made, so remembering plans by their text is exact.
        """
        found = self._routes.get(question)
        if found is None:
            if len(self._routes) >= self.MAX_REMEMBERED_QUESTIONS:
                self._routes.clear()
            found = self._routes[question] = self._route(question)
        return found

    def _route(self, question: str) -> Route:
        spelled, bad_dates = spell_numeric_dates(question)
        words = normalize(spelled)
        matches = self.score_channels(words)
        candidates = _candidates(matches)
        cues = correct_cues(words)
        scores = tuple(matches)
        alone = _alone(cues)
        if alone is not None and (alone is Intent.HELP or not candidates):
            return Route(alone, (), None, scores)
        reading = read_time(cues, MODIFIERS)
        if reading.unreadable is not None:
            phrase = bad_dates[0] if reading.unreadable.startswith(UNREADABLE_TOKEN) else None
            return Route(Intent.UNREADABLE_TIME, candidates, scores=scores,
                         unreadable=phrase or reading.unreadable)  # fmt: skip
        # Typed words, not typo-corrected ones: "exchanges" is a channel, not "changes".
        rest = {word for index, word in enumerate(words) if index not in reading.used}
        if reading.at is not None:
            if reading.since:
                return Route(Intent.CHANGES_IN_PERIOD, candidates, Since(reading.at), scores)
            if rest & CHANGE_CUES and not rest & STATE:
                return Route(Intent.CHANGES_IN_PERIOD, candidates, OnDay(reading.at), scores)
            return Route(Intent.STATUS_AT, candidates, None, scores, at=reading.at)
        if reading.window is not None:
            return Route(Intent.CHANGES_IN_PERIOD, candidates, reading.window, scores)
        period, used = find_period(cues)
        unread = _unread_since(cues, used, words)
        if unread is not None:
            return Route(Intent.UNREADABLE_TIME, candidates, scores=scores, unreadable=unread)
        rest = {word for index, word in enumerate(cues) if index not in used}
        if period is not None:
            return Route(Intent.CHANGES_IN_PERIOD, candidates, period, scores)
        if rest & LATEST_CUES:
            return Route(Intent.LATEST_ENTRY, candidates, None, scores)
        if candidates:
            return Route(Intent.CHANNEL_STATUS, candidates, None, scores)
        if rest & CHANGE_CUES:
            return Route(Intent.CHANGES_IN_PERIOD, (), Period(DEFAULT_PERIOD_DAYS), scores)
        return Route(Intent.NONE, (), None, scores, words=_content_words(words))


def router_for(channels: Sequence[Channel]) -> Router[Channel]:
    """The Router for channels with these names, aliases and keywords, kept across changes.

    A status change moves the data version but not what routing reads, so the first
    question after a change (a cold reply) reuses every word score learnt so far. The
    router's own `channels` are those it was first built with: take fresh ones from storage.
    """
    global _last
    # The very same channel objects as last time (storage hands out one object per unchanged
    # channel, and nobody changes them): the same router, without building the key (several
    # microseconds, on every question).
    last_channels, last_router = _last
    if (
        last_router is not None
        and len(channels) == len(last_channels)
        and all(map(operator.is_, channels, last_channels))
    ):
        return last_router
    key = tuple((c.slug, c.title, tuple(c.aliases), tuple(c.keywords)) for c in channels)
    found = _routers.get(key)
    if found is None:
        if len(_routers) >= 8:  # names change rarely; keep the last few sets
            _routers.clear()
        found = _routers[key] = Router(channels)
    _last = (tuple(channels), found)
    return found


_routers: dict[tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...], Router[Any]] = {}
_last: tuple[tuple[Any, ...], Router[Any] | None] = ((), None)


def route(question: str, channels: Sequence[Routable]) -> Route:
    """Decide what a question asks for; the one entry point for a single question."""
    return Router(channels).route(question)
