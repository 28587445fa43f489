"""Routing questions to intents and channels: English and Ukrainian, typos, orders, periods."""

# ruff: noqa: RUF001 (Ukrainian text and apostrophes are the point of these tests)
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import storage
from language import routing
from language.routing import Intent, Period, Router, route, word_similarity
from language.time_phrases import DaySpec
from storage.channel_writes import create_channel
from storage.models import Actor

S, P, L, N = (
    Intent.CHANNEL_STATUS,
    Intent.CHANGES_IN_PERIOD,
    Intent.LATEST_ENTRY,
    Intent.NONE,
)

# question, intent, expected channel candidates (several = ask with buttons), period in days
QUESTIONS = [
    # status of one channel, English
    ("any news on prisoner swaps?", S, "exchanges", None),
    ("is there a ceasefire?", S, "ceasefire", None),
    ("Is there a CEASEFIRE", S, "ceasefire", None),
    ("ceasefire?", S, "ceasefire", None),
    ("what about the truce", S, "ceasefire", None),
    ("swaps of prisoners, any news", S, "exchanges", None),
    ("how are the POW exchanges going", S, "exchanges", None),
    ("detainee release", S, "exchanges", None),
    ("humanitarian aid", S, "aid", None),
    ("medical supplies access", S, "aid", None),
    ("humanitarian corridors", S, "corridors", None),
    ("corridors humanitarian", S, "corridors", None),
    ("evacuation routes?", S, "corridors", None),
    ("is the ICRC monitoring anything", S, "corridors", None),
    ("summit with putin", S, "summit", None),
    ("will Zelensky and Putin meet", S, "summit", None),
    ("economy and sanctions", S, "reconstruction", None),
    ("energy grid rebuilding", S, "reconstruction", None),
    ("what's new with the economy", S, "reconstruction", None),
    # typos
    ("ceasfire", S, "ceasefire", None),
    ("any news on prisnoer exchnage", S, "exchanges", None),
    ("medcal suplies", S, "aid", None),
    ("evacuaton", S, "corridors", None),
    ("recontruction", S, "reconstruction", None),
    ("sumit", S, "summit", None),
    ("armistise", S, "ceasefire", None),
    # Ukrainian, with case endings and apostrophes
    ("що з обміном полоненими?", S, "exchanges", None),
    ("обмін полонених", S, "exchanges", None),
    ("полоненими обмінялися?", S, "exchanges", None),
    ("чи є перемир'я?", S, "ceasefire", None),
    ("перемир’я", S, "ceasefire", None),
    ("перемирʼя", S, "ceasefire", None),
    ("що з перемир'ям", S, "ceasefire", None),
    ("припинення вогню", S, "ceasefire", None),
    ("гуманітарна допомога", S, "aid", None),
    ("ліки", S, "aid", None),
    ("евакуація з маріуполя", S, "corridors", None),
    ("гуманітарні коридори", S, "corridors", None),
    ("зустріч путіна і зеленського", S, "summit", None),
    ("відбудова енергетики", S, "reconstruction", None),
    ("санкції", S, "reconstruction", None),
    ("обмiн", S, "exchanges", None),  # Latin "i" inside a Cyrillic word
    # equally good matches: ask instead of guessing
    ("humanitarian", S, ("aid", "corridors"), None),
    ("energy corridors", S, ("corridors", "reconstruction"), None),
    ("доступ до коридорів", S, ("aid", "corridors"), None),
    ("гуманітарна евакуація", S, "corridors", None),
    # latest entry
    ("when was the last exchange?", L, "exchanges", None),
    ("last prisoner swap", L, "exchanges", None),
    ("latest on the ceasefire", L, "ceasefire", None),
    ("when did the summit happen", L, "summit", None),
    ("коли був останній обмін?", L, "exchanges", None),
    ("коли востаннє говорили про перемир'я", L, "ceasefire", None),
    ("when was the last change?", L, (), None),
    ("latest humanitarian news", L, ("aid", "corridors"), None),
    # changes in a period
    ("what changed this week?", P, (), 7),
    ("this week what changed", P, (), 7),
    ("what changed this wek", P, (), 7),
    ("changes in the past 3 days", P, (), 3),
    ("anything new in the last two weeks", P, (), 14),
    ("what happened in the last month", P, (), 30),
    ("за останній місяць", P, (), 30),
    ("що змінилося за тиждень?", P, (), 7),
    ("що нового за останні 3 дні", P, (), 3),
    ("зміни минулого тижня", P, (), 7),
    ("що змінилося цього року", P, (), 365),
    ("any news on swaps this month", P, "exchanges", 30),
    ("обмін полоненими за останній місяць", P, "exchanges", 30),
    ("ceasefire news in the past fortnight", P, "ceasefire", 14),
    ("what happened today", P, (), 0),
    ("що сталося сьогодні", P, (), 0),
    ("what changed yesterday", P, (), 1),
    ("зміни вчора", P, (), 1),
    # changes without a period: the last week
    ("any updates?", P, (), 7),
    ("what's new?", P, (), 7),
    ("що нового?", P, (), 7),
    # greetings are answered like /start (see CALENDAR_QUESTIONS for help and status)
    ("hello", Intent.GREETING, (), None),
    ("привіт", Intent.GREETING, (), None),
    # nothing to go on
    ("what's the weather like?", N, (), None),
    ("summer holidays", N, (), None),
    ("", N, (), None),
    ("???", N, (), None),
    ("tell me a joke", N, (), None),
]


@pytest.fixture
def channels(db) -> list[storage.Channel]:
    return storage.list_channels(db)


def test_the_table_is_big_enough() -> None:
    assert len(QUESTIONS) >= 60
    assert sum(any("\u0400" <= ch <= "\u04ff" for ch in q) for q, *_ in QUESTIONS) >= 20


@pytest.mark.parametrize(("question", "intent", "expected", "days"), QUESTIONS)
def test_question_routes(channels, question, intent, expected, days) -> None:
    found = route(question, channels)
    assert found.intent is intent
    wanted = (expected,) if isinstance(expected, str) else expected
    assert tuple(match.slug for match in found.channels) == wanted
    assert (found.period.days if found.period else None) == days
    assert found.ambiguous == (len(wanted) > 1)
    assert found.channel == (wanted[0] if len(wanted) == 1 else None)


def test_one_router_kept_for_every_question_answers_like_a_fresh_one(channels) -> None:
    # The bot keeps one Router per data version and remembers word scores across questions.
    shared = Router(channels)
    for question, intent, expected, _days in QUESTIONS * 2:
        kept, fresh = shared.route(question), route(question, channels)
        assert kept == fresh and kept.scores == fresh.scores, question
        assert kept.intent is intent
        wanted = (expected,) if isinstance(expected, str) else expected
        assert tuple(match.slug for match in kept.channels) == wanted


def test_routing_is_deterministic(channels) -> None:
    answers = {repr(route("humanitarian aid corridors", channels)) for _ in range(20)}
    assert len(answers) == 1


def test_scores_favour_more_matching_words(channels) -> None:
    found = route("humanitarian aid for civilians", channels)
    scores = {match.slug: match.score for match in found.scores}
    assert scores["aid"] > scores["corridors"] > 0
    assert found.channel == "aid"


@pytest.mark.parametrize(
    ("word", "term", "matches"),
    [
        ("ceasfire", "ceasefire", True),
        ("обміном", "обмін", True),
        ("полоненими", "полонені", True),
        ("summer", "summit", False),
        ("and", "aid", False),
        ("changes", "exchanges", True),  # why "changes" is a stopword, not a channel word
    ],
)
def test_word_similarity(word, term, matches) -> None:
    assert (word_similarity(word, term) > 0) is matches


def test_new_channel_with_keywords_is_reachable(db) -> None:
    create_channel(
        db, slug="energy", title="Energy infrastructure truce", aliases=["grid"],
        keywords=["blackout", "powerplant", "блекаут", "електростанції"], phase="proposed",
        summary="Strikes on power plants paused?", actor=Actor(id=1, name="Admin"),
    )  # fmt: skip
    channels = storage.list_channels(db)
    assert route("any news about the blackouts?", channels).channel == "energy"
    assert route("удари по електростанціях", channels).channel == "energy"


@pytest.mark.parametrize(
    ("period", "start"),
    [
        (Period(7), datetime(2026, 11, 17, 12, 0, tzinfo=UTC)),
        (Period(0, from_midnight=True), datetime(2026, 11, 23, 22, 0, tzinfo=UTC)),
        (Period(1, from_midnight=True), datetime(2026, 11, 22, 22, 0, tzinfo=UTC)),
    ],
)
def test_period_start_in_local_time(period, start) -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert period.start(now, ZoneInfo("Europe/Kyiv")) == start


@pytest.mark.parametrize(
    ("period", "label"),
    [(Period(7), "in the last 7 days"), (Period(1), "in the last day"),
     (Period(0, from_midnight=True), "today"), (Period(1, from_midnight=True), "since yesterday")],
)  # fmt: skip
def test_period_labels(period, label) -> None:
    assert period.label == label


KYIV = ZoneInfo("Europe/Kyiv")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday; 14:00 in Kyiv
W, AT, U = Intent.CHANGES_IN_PERIOD, Intent.STATUS_AT, Intent.UNREADABLE_TIME
G, H, OV = Intent.GREETING, Intent.HELP, Intent.OVERVIEW


def kyiv(day: str) -> datetime:
    """Local midnight in Kyiv of an ISO date."""
    return datetime.fromisoformat(day).replace(tzinfo=KYIV)


# question, intent, channels, and what it resolves to at NOW in Kyiv: a window (start, end or
# None for "until now"), the day a status is asked for, the phrase the bot cannot read, or the
# words it searches for.
CALENDAR_QUESTIONS = [
    # named months: the latest one that has begun
    ("what happened in November?", W, (), (kyiv("2026-11-01"), kyiv("2026-12-01"))),
    ("що сталося в листопаді?", W, (), (kyiv("2026-11-01"), kyiv("2026-12-01"))),
    ("у листопаді", W, (), (kyiv("2026-11-01"), kyiv("2026-12-01"))),
    ("what changed in December", W, (), (kyiv("2025-12-01"), kyiv("2026-01-01"))),
    ("зміни у грудні", W, (), (kyiv("2025-12-01"), kyiv("2026-01-01"))),
    ("what changed in Novmber", W, (), (kyiv("2026-11-01"), kyiv("2026-12-01"))),
    ("news in May", W, (), (kyiv("2026-05-01"), kyiv("2026-06-01"))),
    ("exchanges in October 2025", W, "exchanges", (kyiv("2025-10-01"), kyiv("2025-11-01"))),
    ("обмін полоненими у жовтні", W, "exchanges", (kyiv("2026-10-01"), kyiv("2026-11-01"))),
    ("what happened in 2025", W, (), (kyiv("2025-01-01"), kyiv("2026-01-01"))),
    ("що змінилося у 2025 році", W, (), (kyiv("2025-01-01"), kyiv("2026-01-01"))),
    # since a weekday or a date
    ("since Monday?", W, (), (kyiv("2026-11-23"), None)),
    ("what changed since tuesday", W, (), (kyiv("2026-11-24"), None)),
    ("з понеділка", W, (), (kyiv("2026-11-23"), None)),
    ("що нового з п'ятниці", W, (), (kyiv("2026-11-20"), None)),
    ("ceasefire news since Sunday", W, "ceasefire", (kyiv("2026-11-22"), None)),
    ("since 3 March", W, (), (kyiv("2026-03-03"), None)),
    ("since March 3rd", W, (), (kyiv("2026-03-03"), None)),
    ("з 3 березня", W, (), (kyiv("2026-03-03"), None)),
    ("зміни з 1 листопада", W, (), (kyiv("2026-11-01"), None)),
    ("since 25 December", W, (), (kyiv("2025-12-25"), None)),
    ("exchanges since 2026-03-03", W, "exchanges", (kyiv("2026-03-03"), None)),
    ("news from 10.11.2026", W, (), (kyiv("2026-11-10"), None)),
    ("since March", W, (), (kyiv("2026-03-01"), None)),
    ("з березня", W, (), (kyiv("2026-03-01"), None)),
    ("what happened on Monday", W, (), (kyiv("2026-11-23"), kyiv("2026-11-24"))),
    ("what happened on 3 March", W, (), (kyiv("2026-03-03"), kyiv("2026-03-04"))),
    # hours
    ("last 48 hours", W, (), (NOW - timedelta(hours=48), None)),
    ("за останні 48 годин", W, (), (NOW - timedelta(hours=48), None)),
    ("what changed in the last hour", W, (), (NOW - timedelta(hours=1), None)),
    ("aid in the past 12 hours", W, "aid", (NOW - timedelta(hours=12), None)),
    # the status in force on a day
    ("what was the ceasefire status on 1 March?", AT, "ceasefire", date(2026, 3, 1)),
    ("стан перемир'я на 1 березня", AT, "ceasefire", date(2026, 3, 1)),
    ("ceasefire on 2025-03-01", AT, "ceasefire", date(2025, 3, 1)),
    ("exchanges 1 January 2025", AT, "exchanges", date(2025, 1, 1)),
    ("обмін полоненими станом на 15 серпня", AT, "exchanges", date(2026, 8, 15)),
    ("what was the status on 1 March", AT, (), date(2026, 3, 1)),
    ("статус на 1 березня 2025 року", AT, (), date(2025, 3, 1)),
    # help, the overview and greetings, answered like /help, /status and /start
    ("help", H, (), None),
    ("help?", H, (), None),
    ("допомога", H, (), None),
    ("what can you do?", H, (), None),
    ("що ти вмієш?", H, (), None),
    ("status", OV, (), None),
    ("статус", OV, (), None),
    ("what's the status?", OV, (), None),
    ("загальний стан", OV, (), None),
    ("hi there", G, (), None),
    ("good morning", G, (), None),
    ("добрий день", G, (), None),
    ("вітаю!", G, (), None),
    # what cannot be read is said, never replaced by another window
    ("since 31 February", U, (), "31 february"),
    ("з 45 березня", U, (), "45 березня"),
    ("since the war began", U, (), "since the war began"),
    ("ceasefire since then", U, "ceasefire", "since then"),
    ("what changed in the last 5 minutes", U, (), "last 5 minutes"),
    ("за останні 10 хвилин", U, (), "останні 10 хвилин"),
    ("status on 2025-13-01", U, (), "2025-13-01"),
    # words that name no channel: searched for
    ("Qatar", N, (), ("qatar",)),
    ("what about Qatar?", N, (), ("qatar",)),
    ("Катар", N, (), ("катар",)),
    ("any word from Istanbul", N, (), ("word", "istanbul")),
    # a greeting or "help" beside a channel asks about the channel
    ("hello, any news on the ceasefire?", S, "ceasefire", None),
    ("гуманітарна допомога", S, "aid", None),
    ("may I ask about the ceasefire", S, "ceasefire", None),
]


def test_the_calendar_table_is_big_enough() -> None:
    assert len(CALENDAR_QUESTIONS) >= 40
    assert sum(any("\u0400" <= ch <= "\u04ff" for ch in q) for q, *_ in CALENDAR_QUESTIONS) >= 20


@pytest.mark.parametrize(("question", "intent", "expected", "resolved"), CALENDAR_QUESTIONS)
def test_calendar_questions_route(channels, question, intent, expected, resolved) -> None:
    found = Router(channels).route(question)
    assert found.intent is intent
    wanted = (expected,) if isinstance(expected, str) else expected
    assert tuple(match.slug for match in found.channels) == wanted
    if intent is W:
        assert (found.period.start(NOW, KYIV), found.period.end(NOW, KYIV)) == resolved
    elif intent is AT:
        assert found.at.resolve(NOW.astimezone(KYIV).date()) == resolved
    elif intent is U:
        assert found.unreadable == resolved
    elif intent is N:
        assert found.words == resolved
    else:
        assert found.period is None and found.at is None


@pytest.mark.parametrize(
    ("spec", "today", "day"),
    [
        (DaySpec(29, 2), date(2026, 11, 24), date(2024, 2, 29)),
        (DaySpec(24, 11), date(2026, 11, 24), date(2026, 11, 24)),
        (DaySpec(25, 11), date(2026, 11, 24), date(2025, 11, 25)),
        (DaySpec(weekday=1), date(2026, 11, 24), date(2026, 11, 24)),
        (DaySpec(weekday=2), date(2026, 11, 24), date(2026, 11, 18)),
    ],
)
def test_days_without_a_year_are_the_latest_that_has_come(spec, today, day) -> None:
    assert spec.resolve(today) == day


def test_one_router_serves_channels_until_their_names_or_keywords_change(db) -> None:
    before = storage.list_channels(db)
    router = routing.router_for(before)
    router.route("any news on prisoner swaps?")
    aid = storage.find_channel(db, "aid")
    storage.record_status(db, channel_id=aid.id, kind="status", phase="negotiating",
                          summary="Convoys resume", actor=Actor(id=1, name="editor"))  # fmt: skip
    after = storage.list_channels(db)
    assert after != before  # the change moved the channel's updated_at
    assert routing.router_for(after) is router
    renamed = [replace(c, keywords=[*c.keywords, "grain"]) if c.id == aid.id else c for c in after]
    assert routing.router_for(renamed) is not router
    assert routing.router_for(renamed).route("grain deal?").channel == "aid"


def test_channel_scores_are_the_word_scores_added_in_order(channels) -> None:
    # `score_channels` adds each channel's word scores in C; the same floats as one by one.
    router = Router(channels)
    for question, *_ in QUESTIONS:
        words = routing.normalize(question) * 3
        totals = [0.0] * len(channels)
        for word in words:
            if word in routing.STOPWORDS or word in routing._NOT_CHANNEL_WORDS or word.isdigit():
                continue
            for index, score in enumerate(router._scores_of(word)):
                totals[index] += score
        expected = sorted(
            (
                routing.ChannelMatch(channel.slug, round(total, 3))
                for channel, total in zip(channels, totals, strict=True)
                if total > 0
            ),
            key=lambda match: -match.score,
        )
        assert router.score_channels(words) == expected, question


def test_the_same_channel_objects_get_their_router_and_new_ones_are_read_again(db) -> None:
    channels = storage.list_channels(db)
    router = routing.router_for(channels)
    assert routing.router_for(storage.list_channels(db)) is router  # the same objects again
    aid = next(c for c in channels if c.slug == "aid")
    retitled = [replace(c, keywords=["grain"]) if c is aid else c for c in channels]
    assert routing.router_for(retitled).route("grain deal?").channel == "aid"
    assert routing.router_for(channels) is router
    assert routing.router_for([]).route("grain deal?").channel is None
    assert routing.router_for(channels) is router
