"""Matching items to channels (English and Ukrainian) and collapsing duplicate reports."""

from __future__ import annotations

import time

import pytest

import storage
from sources.dedup import TitleIndex
from sources.matching import Matcher
from sources.poller import channel_terms
from sources.text import plain_text, title_key


@pytest.fixture
def matcher(db) -> Matcher:
    return Matcher(channel_terms(db))


def slug_of(db, match) -> str | None:
    if match.channel_id is None:
        return None
    return next(c.slug for c in storage.list_channels(db) if c.id == match.channel_id)


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        ("Prisoner exchange completed", "", "exchanges"),
        ("Відбувся черговий обмін полоненими", "", "exchanges"),
        ("Тактичне перемир'я на Великдень", "", "ceasefire"),
        ("Convoy delivers medical supplies", "humanitarian aid reached Kherson", "aid"),
        ("Annual report on water engineering", "Pipes and pumps", None),
    ],
)
def test_items_match_the_channel_readers_would_ask_about(db, matcher, title, summary, expected):
    assert slug_of(db, matcher.match(title, summary)) == expected


def test_a_sources_own_channels_limit_and_catch_its_items(db, matcher) -> None:
    aid = storage.find_channel(db, "aid").id
    # Unknown words still land in the channel the source was followed for, scored 0.
    assert matcher.match("Water report", "", (aid,)).channel_id == aid
    assert matcher.match("Water report", "", (aid,)).score == 0
    # Words of another channel do not pull the item away from the source's channel.
    assert matcher.match("Prisoner exchange", "", (aid,)).channel_id == aid


def test_near_same_titles_share_a_cluster() -> None:
    index = TitleIndex()
    index.add(1, 1, title_key("ICRC visits prisoners of war ahead of a prisoner exchange"))
    index.add(2, 2, title_key("Aid convoy reaches Kherson"))
    assert index.find(title_key("ICRC visits prisoners of war ahead of prisoner exchange")) == 1
    assert index.find(title_key("ICRC Visits Prisoners of War, Ahead of a Prisoner Exchange!")) == 1
    assert index.find(title_key("Aid convoy blocked at Zaporizhzhia checkpoint")) is None
    assert index.find(title_key("Update")) is None  # one word is no evidence
    index.add(3, 3, title_key("Exchange: 84 detainees returned home"))
    assert index.find(title_key("Exchange: 85 detainees returned home")) is None
    assert index.find(title_key("Exchange - 84 detainees returned home")) == 3


def test_plain_text_strips_markup_and_invisible_characters() -> None:
    hostile = '<script>alert(1)</script><b>Truce</b>\u202e &amp; <a href="x">talks</a>\x00'
    assert plain_text(hostile, 100) == "Truce & talks"
    assert plain_text("x" * 50, 10) == "xxxxxxxxx…"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("a <b>bold</b> word<br>next<p>para", "a bold word next para"),
        ("before <script>never shown", "before"),  # unclosed: everything after is dropped
        ("x <!-- hidden", "x"),
        ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
    ],
)
def test_markup_edge_cases(markup: str, expected: str) -> None:
    assert plain_text(markup, 100) == expected


def test_hostile_markup_costs_linear_time() -> None:
    started = time.perf_counter()
    for hostile in ["<" * 2_000_000, "<script" * 300_000, "<!--" * 500_000, "a<b" * 600_000]:
        assert len(plain_text(hostile, 600)) <= 600
    assert time.perf_counter() - started < 2  # quadratic scanning would take minutes
