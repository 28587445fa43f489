"""One data-version check per update: what a reply shows still follows every commit.

The bot asks SQLite whether another connection committed once per update instead of once per
memo lookup (`storage.one_version_check`). These tests hold the promises that change keeps:
a commit by another process is seen by the next update, the bot's own writes within an
update are seen at once, and work that outlives the update checks for itself.
"""

import asyncio
from datetime import time

import storage
from storage.channel_writes import rename_channel
from storage.models import Actor
from tests.conftest import Chat

EDITOR = Actor(id=7, name="Editor")


def _new_channel(db, slug: str, title: str) -> None:
    storage.create_channel(
        db, slug=slug, title=title, aliases=[], keywords=[], phase="stalled",
        summary="Opened by the CLI", actor=EDITOR,
    )  # fmt: skip


async def test_a_channel_added_by_another_process_answers_the_next_update(
    db, settings, private_chat: Chat
) -> None:
    assert "Grain corridor talks" not in await private_chat.ask("/status")  # memos now warm
    assert "Grain corridor talks" not in await private_chat.ask("/grain")
    other = storage.open_database(settings.database_path)
    _new_channel(other, "grain", "Grain corridor talks")
    other.close()
    assert "Grain corridor talks" in await private_chat.ask("/grain")
    assert "Grain corridor talks" in await private_chat.ask("/status")


async def test_a_rename_by_another_process_shows_on_the_next_channel_page(
    db, settings, private_chat: Chat
) -> None:
    assert "Civilian humanitarian aid access" in await private_chat.ask("/aid")
    other = storage.open_database(settings.database_path)
    rename_channel(
        other, channel_id=storage.find_channel(other, "aid").id, title="Aid convoys", actor=EDITOR
    )
    other.close()
    reply = await private_chat.ask("/aid")
    assert "Aid convoys" in reply and "Civilian humanitarian aid access" not in reply


async def test_one_update_checks_the_data_version_once(db, private_chat: Chat) -> None:
    statements: list[str] = []
    await private_chat.ask("/status")
    # A write before the update: every memo and the cached page are stale, as after an edit.
    rename_channel(
        db, channel_id=storage.find_channel(db, "aid").id, title="Aid convoys", actor=EDITOR
    )
    db.conn.set_trace_callback(statements.append)
    try:
        reply = await private_chat.ask("/aid")
    finally:
        db.conn.set_trace_callback(None)
    assert "Aid convoys" in reply
    assert sum("data_version" in sql for sql in statements) == 1, statements


async def test_within_an_update_its_own_writes_are_seen_at_once(db) -> None:
    aid = storage.find_channel(db, "aid").id
    with storage.one_version_check():
        assert storage.list_channels(db)[1].title == "Civilian humanitarian aid access"
        rename_channel(db, channel_id=aid, title="Aid convoys", actor=EDITOR)
        assert storage.list_channels(db)[1].title == "Aid convoys"
        assert storage.command_index(db)["aid"].title == "Aid convoys"


async def test_a_task_started_in_an_update_sees_later_commits_of_other_processes(
    db, settings
) -> None:
    aid = storage.find_channel(db, "aid").id
    committed = asyncio.Event()

    async def long_running_job() -> str:  # e.g. a /digestnow run started by the update
        await committed.wait()
        return storage.list_channels(db)[1].title

    with storage.one_version_check():
        storage.list_channels(db)  # the update's one check, before the other commit
        job = asyncio.create_task(long_running_job())
        other = storage.open_database(settings.database_path)
        rename_channel(other, channel_id=aid, title="Aid convoys", actor=EDITOR)
        other.close()
    committed.set()
    assert await job == "Aid convoys"


def test_outside_an_update_every_lookup_checks(db, settings) -> None:
    aid = storage.find_channel(db, "aid").id
    storage.list_channels(db)
    other = storage.open_database(settings.database_path)
    rename_channel(other, channel_id=aid, title="Aid convoys", actor=EDITOR)
    other.close()
    assert storage.list_channels(db)[1].title == "Aid convoys"


async def test_a_subscription_and_a_language_chosen_elsewhere_show_on_the_next_update(
    db, settings, api, private_chat: Chat
) -> None:
    await private_chat.ask("/aid")
    buttons = str(api.calls[-1].params["reply_markup"])
    assert "Subscribe" in buttons and "Unsubscribe" not in buttons
    other = storage.open_database(settings.database_path)
    storage.subscribe(
        other, private_chat.chat_id, chat_type="private", channel_ids=None,
        digest_time=time(8, 0), timezone="Europe/Kyiv",
    )  # fmt: skip
    storage.choose_language(other, private_chat.chat_id, "uk")
    other.close()
    reply = await private_chat.ask("/aid")
    assert "🔕 Відписатися" in str(api.calls[-1].params["reply_markup"])
    assert "Джерело:" in reply  # the page is in Ukrainian now
