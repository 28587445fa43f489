"""Routing questions to intents and channels: English and Ukrainian, typos, orders, periods."""

from dataclasses import replace

# ruff: noqa: RUF001 (Ukrainian text and apostrophes are the point of these tests)
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import storage
from language import routing
from language.routing import Intent, Period, Router, route, word_similarity
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
    # nothing to go on
    ("hello", N, (), None),
    ("привіт", N, (), None),
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
