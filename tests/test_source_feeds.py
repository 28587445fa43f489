"""Feeds as third-party input: parsing, cleaning and fetching against a local server."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from language.i18n import texts
from sources.addresses import AddressRefused, resolve
from sources.feeds import FeedError, parse_feed, read_with_feedparser
from sources.fetch import Fetcher, FetchError, FetchLimits
from storage.stored_messages import readable
from tests.feed_server import (
    FEEDS,
    body,
    endless,
    feed,
    many_items,
    redirect,
    serving,
    slow,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def server():
    yield from serving()


def parsed(name: str):
    return parse_feed((FEEDS / name).read_bytes(), NOW)


def test_rss_atom_and_ukrainian_feeds() -> None:
    rss = parsed("rss2.xml")
    assert rss.title == "ICRC news releases" and rss.warnings == []
    first = rss.entries[0]
    assert first.title == "ICRC visits prisoners of war ahead of a prisoner exchange"
    assert first.link == "https://example.org/icrc/pow-visits"
    assert first.summary == "Delegates met detainees on both sides before the swap."
    assert first.published_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    atom = parsed("atom.xml")
    assert atom.entries[0].link == "https://example.org/ocha/ceasefire-evacuation"
    assert atom.entries[0].summary == "Local pause discussed for a humanitarian corridor."
    (ukrainian,) = parsed("ukrainian.xml").entries
    assert ukrainian.title == "Відбувся черговий обмін полоненими"
    # +0200 in the feed, stored in UTC.
    assert ukrainian.published_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("entity_bomb.xml", "refused: the feed declares XML entities"),
        ("external_entity.xml", "refused: the feed declares XML entities"),
        ("not_a_feed.html", "not an RSS or Atom feed"),
    ],
)
def test_hostile_bodies_are_refused_with_a_reason(name: str, reason: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError, match=reason):
        parsed(name)
    assert time.perf_counter() - started < 2  # the bomb is refused, never expanded


def test_malformed_entity_declarations_are_refused_too() -> None:
    # The mismatched tag stops the XML parser before it reaches the declaration.
    broken_bomb = b'<rss></channel><!DOCTYPE r [<!ENTITY a "aaaa">]><item>&a;</item>'
    with pytest.raises(FeedError, match="malformed XML that declares entities"):
        parse_feed(broken_bomb, NOW)


def test_malformed_xml_is_read_leniently_and_flagged() -> None:
    feed_read = parsed("malformed.xml")
    assert [str(w) for w in feed_read.warnings] == ["malformed XML, read leniently"]
    assert feed_read.entries[0].title.startswith("Prisoner exchange talks resume")


def test_markup_duplicates_and_impossible_dates_are_repaired() -> None:
    hostile = parsed("hostile_titles.xml")
    assert hostile.title == "Hostile wire"
    titles = [entry.title for entry in hostile.entries]
    assert titles[0] == "Ceasefire talks & truce in Geneva"  # tags and script gone
    assert all("<" not in title and "alert" not in title for title in titles)
    assert hostile.entries[0].link is None  # javascript: is no source
    assert hostile.entries[0].summary == "Pause agreed."
    assert "The same GUID again" not in titles
    future, epoch = hostile.entries[1], hostile.entries[2]
    assert (future.published_at, future.date_flag) == (NOW, "future")
    assert (epoch.published_at, epoch.date_flag) == (NOW, "implausible")
    assert [str(w) for w in hostile.warnings] == [
        "1 duplicate GUIDs skipped",
        "2 dates in the future or before 2000 replaced by fetch time",
    ]


def test_ten_thousand_items_keep_the_newest_two_hundred() -> None:
    feed_read = parse_feed(many_items(10_000), NOW)
    assert len(feed_read.entries) == 200
    assert [str(w) for w in feed_read.warnings] == ["10,000 items, kept the 200 newest"]
    newest = max(entry.published_at for entry in feed_read.entries)
    assert feed_read.entries[0].published_at == newest


def local(**limits) -> Fetcher:
    return Fetcher(FetchLimits(allow_private=True, **limits))


async def test_fetch_is_conditional(server) -> None:
    server.routes["/feed"] = feed("rss2.xml", etag='"v1"')
    fetcher = local()
    first = await fetcher.fetch(server.url("/feed"))
    assert (first.status, first.etag) == (200, '"v1"') and b"ICRC" in first.body
    again = await fetcher.fetch(server.url("/feed"), etag=first.etag)
    assert (again.status, again.body) == (304, b"")
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'
    await fetcher.aclose()


@pytest.mark.parametrize(
    ("route", "limits", "reason"),
    [
        (endless(50), {}, "over the 2,097,152-byte limit"),
        (body(b"x" * 3_000_000), {}, "3,000,000 bytes is over the 2,097,152-byte limit"),
        (slow(0.2, 50), {"total_timeout": 0.5}, "timed out"),
        (redirect("/feed"), {}, "more than 5 redirects"),
        (redirect("ftp://example.org/feed"), {}, "only http:// and https://"),
        (redirect("http://user:pw@127.0.0.1/x"), {}, "user name or password"),
        (body(b"oops", status=500), {}, "HTTP 500"),
    ],
    ids=["50MB", "declared-size", "slow", "redirect-loop", "ftp-hop", "credentials", "500"],
)
async def test_hostile_servers_fail_cleanly(server, route, limits, reason) -> None:
    server.routes["/feed"] = route
    fetcher = local(**limits)
    with pytest.raises(FetchError, match=reason):
        await fetcher.fetch(server.url("/feed"))
    await fetcher.aclose()


async def test_redirects_are_followed_within_the_limit(server) -> None:
    server.routes["/old"] = redirect("/new", 301)
    server.routes["/new"] = feed("atom.xml")
    fetcher = local()
    result = await fetcher.fetch(server.url("/old"))
    assert result.url == server.url("/new") and b"OCHA" in result.body
    await fetcher.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/feed",
        "http://localhost:9/feed",
        "http://10.1.2.3/feed",
        "http://192.168.0.1/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://0.0.0.0/feed",
    ],
)
async def test_private_networks_are_refused_by_default(url: str) -> None:
    with pytest.raises(AddressRefused, match="private, loopback or link-local"):
        await resolve(url, allow_private=False)
    fetcher = Fetcher(FetchLimits())
    with pytest.raises(FetchError, match="refused"):
        await fetcher.fetch(url)
    await fetcher.aclose()


async def test_only_http_and_https() -> None:
    for url in ["file:///etc/passwd", "gopher://example.org/", "javascript:alert(1)"]:
        with pytest.raises(AddressRefused, match="only http:// and https://"):
            await resolve(url, allow_private=True)


@pytest.mark.parametrize(
    "name", ["rss2.xml", "atom.xml", "ukrainian.xml", "hostile_titles.xml", "many"]
)
def test_direct_reading_equals_feedparser(name: str) -> None:
    """Well-formed RSS 2.0 and Atom skip feedparser; what comes out must not differ."""
    data = many_items(300) if name == "many" else (FEEDS / name).read_bytes()
    assert parse_feed(data, NOW) == read_with_feedparser(data, NOW)


def test_feeds_the_direct_reading_does_not_handle_go_to_feedparser() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://example.org/"><title>RSS 1.0</title></channel>
  <item rdf:about="https://example.org/1"><title>Corridor opened</title>
    <link>https://example.org/1</link></item>
</rdf:RDF>"""
    (entry,) = parse_feed(rdf, NOW).entries
    assert (entry.title, entry.link) == ("Corridor opened", "https://example.org/1")
    odd_date = (
        (FEEDS / "rss2.xml")
        .read_bytes()
        .replace(b"Mon, 23 Nov 2026 09:00:00 GMT", b"2026-11-23 09:00:00Z (Monday)")
    )
    assert parse_feed(odd_date, NOW).entries[0].title.startswith("ICRC visits")


@pytest.mark.parametrize(
    ("stored", "english", "ukrainian"),
    [
        # Written before problems were stored as catalog entries: shown as it was stored.
        ("HTTP 404 Not Found", "HTTP 404 Not Found", "HTTP 404 Not Found"),
        (
            '[{"problem": "refused: {reason}", "values": {"reason": '
            '{"problem": "the address has no host name", "values": {}}}}]',
            "refused: the address has no host name",
            "відхилено: ",
        ),
        ('[{"problem": "{count} duplicate GUIDs skipped", "values": {}}]', "{count}", "{count}"),
        ("[1, null]", "1; None", "1; None"),
        ("{}", "{}", "{}"),
    ],
)
def test_a_stored_problem_reads_in_either_language_and_never_crashes(
    stored: str, english: str, ukrainian: str
) -> None:
    assert english in readable(stored, texts("en"))
    assert ukrainian in readable(stored, texts("uk"))
