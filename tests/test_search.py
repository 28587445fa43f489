"""/search: FTS5 over every summary and note, newest first, matches in bold, hostile input."""
# ruff: noqa: RUF001 (Ukrainian word forms)

from datetime import UTC, datetime

import pytest

import storage
from bench.synthetic import add_history
from storage.models import Actor
from storage.search import MAX_MATCHES
from tests.conftest import Chat
from tests.sqlite_steps import steps

EDITOR = Actor(id=900, name="Editor")


def add(
    db, slug: str, summary: str, when: datetime, kind: str = "status", phase: str = "negotiating"
):
    channel = storage.find_channel(db, slug)
    return storage.record_status(
        db, channel_id=channel.id, kind=kind, phase=phase, summary=summary, actor=EDITOR,
        changed_at=when,
    )  # fmt: skip


def day(n: int) -> datetime:
    return datetime(2026, 11, n, 9, 0, tzinfo=UTC)


async def test_results_are_newest_first_with_channel_date_and_bold_matches(db, any_chat: Chat):
    add(db, "exchanges", "Exchange of 90 prisoners completed", day(10))
    add(db, "exchanges", "New prisoner exchange agreed in Istanbul", day(20))
    add(db, "aid", "Red Cross convoy reached Kherson", day(21))
    reply = await any_chat.ask("/search prisoner exchange")
    assert "2 matches, newest first" in reply
    assert reply.index("Istanbul") < reply.index("completed")
    assert "<b>Detainee swaps and prisoner releases</b> · /exchanges" in reply
    assert "20 Nov 2026 · status: New <b>prisoner</b> <b>exchange</b> agreed" in reply
    # Porter stemming and prefixes: "prisoner" finds "prisoners", "exchange" finds "Exchange".
    assert "10 Nov 2026 · status: <b>Exchange</b> of 90 <b>prisoners</b> completed" in reply
    assert "Kherson" not in reply


async def test_notes_are_searched_too(db, private_chat: Chat) -> None:
    add(db, "ceasefire", "Mediators from Qatar met both sides", day(5), kind="note")
    reply = await private_chat.ask("/search qatar")
    assert "5 Nov 2026 · 📌 note: Mediators from <b>Qatar</b> met both sides" in reply


async def test_relevance_orders_entries_of_the_same_day(db, private_chat: Chat) -> None:
    add(db, "aid", "Talks on water supplies, mostly about logistics and staffing", day(3))
    add(db, "corridors", "Water water water: corridor for water trucks", day(3))
    add(db, "summit", "Water mentioned once", day(1))
    reply = await private_chat.ask("/search water")
    # Same day: the entry that is more about water first; an older day always after.
    assert reply.index("corridor for") < reply.index("logistics") < reply.index("mentioned once")


async def test_seeded_statuses_are_searchable_and_ranked(private_chat: Chat) -> None:
    reply = await private_chat.ask("/search talks")
    assert reply.count("1 Jan 2025") == 2
    assert "further <b>talks</b> planned" in reply and "leader-level <b>talks</b>" in reply


async def test_index_follows_new_entries_and_ukrainian_words(db, private_chat: Chat) -> None:
    assert "Nothing matches" in await private_chat.ask("/search неділю")
    add(db, "exchanges", "Обмін полоненими відбувся в неділю", day(23))
    reply = await private_chat.ask("/search ОБМІН")
    assert "<b>Обмін</b> полоненими" in reply
    assert "<b>неділю</b>" in await private_chat.ask("/search неділю")


async def test_stored_html_is_escaped_before_marking(db, private_chat: Chat) -> None:
    add(db, "aid", '<b>Convoy</b> & "trucks" <script>alert(1)</script>', day(7))
    reply = await private_chat.ask("/search convoy")
    assert "&lt;b&gt;<b>Convoy</b>&lt;/b&gt; &amp; &quot;trucks&quot; &lt;script&gt;" in reply
    reply = await private_chat.ask("/search b script")
    assert "&lt;<b>b</b>&gt;Convoy&lt;/<b>b</b>&gt;" in reply
    assert "&lt;<b>script</b>&gt;" in reply


async def test_control_characters_in_a_summary_disable_highlighting(db, private_chat) -> None:
    add(db, "aid", "Odd \x01text\x02 with convoy", day(7))
    reply = await private_chat.ask("/search convoy")
    assert "Odd \x01text\x02 with convoy" in reply


@pytest.mark.parametrize(
    "query",
    [
        '"', '"prisoner', "prisoner AND", "OR", "NEAR(exchange prisoner)", "exchange*", "*",
        "(exchange", "exchange)", "prisoner NOT swap", "summary:talks", "^talks", "'; DROP TABLE x",
        "a" * 500, "🚚", "-exchange", "+",
    ],
)  # fmt: skip
async def test_hostile_queries_never_crash(db, private_chat: Chat, query: str) -> None:
    reply = await private_chat.ask(f"/search {query}")
    assert reply.startswith(("<b>Search:", "Tell me what to look for"))
    assert db["status_history"].count == 6


@pytest.mark.parametrize(
    ("query", "found"),
    [('"exchanges"', True), ("NEAR(exchanges planned)", False), ("talks OR", False),
     ("(exchanges", True), ("exchanges AND planned", False)],
)  # fmt: skip
async def test_operators_are_plain_words(private_chat: Chat, query: str, found: bool) -> None:
    reply = await private_chat.ask(f"/search {query}")
    assert ("Sporadic" in reply) is found


@pytest.mark.parametrize(
    "command", ["/search", "/search   ", "/search ?!", "/search@BackchannelBot"]
)
async def test_search_without_words_explains(any_chat: Chat, command: str) -> None:
    assert "Tell me what to look for" in await any_chat.ask(command)


async def test_long_result_lists_are_capped(db, private_chat: Chat) -> None:
    for n in range(1, 16):
        add(db, "corridors", f"Convoy number {n}", day(n))
    reply = await private_chat.ask("/search convoy")
    assert "15 matches" in reply and "…and 5 more" in reply
    assert "</b> number 15\n" in reply and "</b> number 5\n" not in reply


async def test_archived_channels_are_not_searched(db, private_chat: Chat) -> None:
    channel = storage.find_channel(db, "summit")
    db["channels"].update(channel.id, {"archived": 1})
    assert "Nothing matches" in await private_chat.ask("/search putin")


def test_search_migration_indexes_existing_history(tmp_path, frozen_time) -> None:
    from tests.old_schema import old_database

    path = tmp_path / "old.db"
    old_database(path, stop_before="m030_search").close()
    db = storage.open_database(path)  # applies m030_search to a database with history
    results = storage.search_entries(db, "putin", 10)
    assert results.total == 1 and results.hits[0].channel_slug == "summit"
    add(db, "summit", "Putin again", day(2))
    assert storage.search_entries(db, "putin", 10).total == 2


def _search_steps(db, words: str) -> int:
    """SQLite virtual-machine steps one search takes: its work, independent of machine speed."""
    return steps(db, lambda: storage.search_entries(db, words, 10))


async def test_a_search_matching_everything_is_bounded(db, private_chat: Chat) -> None:
    """/search a matched every entry and counted and sorted them all: 0.8 s at 200,000 rows."""
    add_history(db, 3_000)
    small = _search_steps(db, "a")
    add_history(db, 12_000, seed=2)
    large = _search_steps(db, "a")
    assert large < small * 1.3, (small, large)
    reply = await private_chat.ask("/search a")
    assert f"More than {MAX_MATCHES} matches, newest first" in reply
    assert "…and many more. Add words to narrow the search." in reply
    assert reply.count("Synthetic update") == 10


@pytest.mark.parametrize(
    ("query", "stored", "marked"),
    [
        ("полонені", "Обмін полоненими відбувся", "Обмін <b>полоненими</b> відбувся"),
        ("обмін", "Переговори щодо обміну тривають", "щодо <b>обміну</b> тривають"),
        ("коридори", "Відкрито коридор для евакуації", "Відкрито <b>коридор</b> для"),
        ("евакуація", "Відкрито коридор для евакуації", "для <b>евакуації</b>"),
        ("перемир'я", "Про перемир’я домовилися", "Про <b>перемир’я</b> домовилися"),
        ("зустрічі лідерів", "Зустріч лідери не планують", "<b>Зустріч</b> <b>лідери</b>"),
    ],
)
async def test_ukrainian_word_forms_find_each_other(db, private_chat, query, stored, marked):
    add(db, "aid", stored, day(12), kind="note")
    reply = await private_chat.ask(f"/search {query}")
    assert "12 Nov 2026 · 📌 note: " in reply and marked in reply


async def test_a_ukrainian_form_does_not_find_a_different_word(db, private_chat: Chat) -> None:
    add(db, "aid", "Обмеження на в'їзд конвоїв", day(12))
    reply = await private_chat.ask("/search обмін")
    assert "1 match," in reply and "Обмеження" not in reply


async def test_translations_are_searched_and_shown_when_they_matched(db, private_chat) -> None:
    entry = add(db, "aid", "Convoy reached Kherson", day(14))
    storage.translate_entry(db, entry_id=entry.id, text="Конвой дістався Херсона", actor=EDITOR)
    reply = await private_chat.ask("/search херсон")
    assert "14 Nov 2026 · status: Конвой дістався <b>Херсона</b>" in reply
    assert "<b>Kherson</b>" in await private_chat.ask("/search kherson")


async def test_seeded_statuses_are_found_in_ukrainian(private_chat: Chat) -> None:
    reply = await private_chat.ask("/search полонених")
    assert "Nothing matches" in reply  # the seeded exchanges summary speaks of обміни only
    reply = await private_chat.ask("/search обмінів")
    assert "<b>Detainee swaps and prisoner releases</b> · /exchanges" in reply
    assert "Епізодичні <b>обміни</b>" in reply


def test_word_form_migration_indexes_existing_history(tmp_path, frozen_time) -> None:
    from tests.old_schema import old_database

    path = tmp_path / "old.db"
    old = old_database(path, stop_before="m070_bilingual")
    summit = old.execute("SELECT id FROM channels WHERE slug = 'summit'").fetchone()[0]
    old.execute(
        "INSERT INTO status_history (channel_id, kind, phase, summary, source_grade, changed_at, "
        "recorded_at, actor_name) VALUES (?, 'note', 'stalled', ?, 'unconfirmed', ?, ?, 'Olena')",
        [
            summit,
            "Зеленський чекає зустрічі з Путіним",
            "2026-11-02T09:00:00+00:00",
            "2026-11-02T09:00:00+00:00",
        ],
    )
    old.conn.commit()
    old.close()
    db = storage.open_database(path)
    results = storage.search_entries(db, "путін зустріч", 10)
    assert [hit.entry.summary for hit in results.hits] == ["Зеленський чекає зустрічі з Путіним"]
    assert results.hits[0].entry.summary_language == "uk"
    # The seeded statuses got their Ukrainian summaries, searchable too.
    assert storage.search_entries(db, "відхилив", 10).hits[0].channel_slug == "summit"
