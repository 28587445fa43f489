"""Dates readers see: when the status is from, the latest note apart from it, and staleness."""

import storage
from storage.models import Actor
from tests.conftest import Chat

EDITOR = Actor(id=900, name="Editor")
CEASEFIRE_SUMMARY = "Preliminary frameworks under discussion for localized pauses in fighting"


def add_note(db, slug: str, summary: str) -> None:
    channel = storage.find_channel(db, slug)
    storage.add_note(db, channel_id=channel.id, summary=summary, actor=EDITOR)


def block_of(overview: str, command: str) -> str:
    """The /status block of one channel (blocks are separated by blank lines)."""
    (block,) = [part for part in overview.split("\n\n") if part.endswith(f"· /{command}")]
    return block


async def test_status_shows_the_date_and_how_long_ago(any_chat: Chat) -> None:
    reply = await any_chat.ask("/status")
    # Seeded 1 Jan 2025, asked on 24 Nov 2026.
    assert reply.count("status from 1 Jan 2025 (692 days ago)") == 6


async def test_a_note_neither_dates_the_status_nor_clears_stale(db, any_chat: Chat) -> None:
    add_note(db, "ceasefire", "Envoys met in Istanbul")
    overview = await any_chat.ask("/status")
    block = block_of(overview, "ceasefire")
    assert "status from 1 Jan 2025 (692 days ago)" in block
    assert "last note 24 Nov 2026 (today)" in block
    assert "⚠️ stale" in block and overview.count("stale") == 6
    card = await any_chat.ask("/ceasefire")
    assert "Status from 1 Jan 2025 (692 days ago) · ⚠️ stale" in card
    assert "Last note: 24 Nov 2026 (today)" in card


async def test_a_new_status_has_no_last_note_until_one_follows(db, any_chat: Chat) -> None:
    add_note(db, "aid", "Older note")
    channel = storage.find_channel(db, "aid")
    storage.record_status(
        db, channel_id=channel.id, kind="status", phase="negotiating", summary="Talks resumed",
        actor=EDITOR,
    )  # fmt: skip
    block = block_of(await any_chat.ask("/status"), "aid")
    assert "status from 24 Nov 2026 (today)" in block
    assert "last note" not in block and "stale" not in block


async def test_a_channel_with_one_entry_shows_it_once(any_chat: Chat) -> None:
    card = await any_chat.ask("/ceasefire")
    assert card.count(CEASEFIRE_SUMMARY) == 1
    assert card.count("Putin&#x27;s decline of Zelenskyy meeting") == 1
    assert "More: /history ceasefire" in card
