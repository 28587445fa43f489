"""One data-version check per update: what a reply shows still follows every commit.

The bot asks SQLite whether another connection committed once per update instead of once per
memo lookup (`storage.one_version_check`). These tests hold the promises that change keeps:
a commit by another process is seen by the next update, the bot's own writes within an
update are seen at once, and work that outlives the update checks for itself.
"""

import asyncio
from datetime import time
from typing import get_args

import pytest

import storage
from storage.channel_writes import rename_channel
from storage.memo import Group
from storage.migrations import VERSIONED_TABLES
from storage.models import Actor
from tests.admin_support import admin_in
from tests.conftest import Chat

EDITOR = Actor(id=7, name="Editor")


@pytest.fixture
def other(settings):
    """A second connection to the bot's database: another process (the CLI, a restore)."""
    connection = storage.open_database(settings.database_path)
    yield connection
    connection.close()


def _new_channel(db, slug: str, title: str) -> None:
    storage.create_channel(
        db, slug=slug, title=title, aliases=[], keywords=[], phase="stalled",
        summary="Opened by the CLI", actor=EDITOR,
    )  # fmt: skip


async def test_a_channel_added_by_another_process_answers_the_next_update(
    db, other, private_chat: Chat
) -> None:
    assert "Grain corridor talks" not in await private_chat.ask("/status")  # memos now warm
    assert "Grain corridor talks" not in await private_chat.ask("/grain")
    _new_channel(other, "grain", "Grain corridor talks")
    assert "Grain corridor talks" in await private_chat.ask("/grain")
    assert "Grain corridor talks" in await private_chat.ask("/status")


async def test_a_rename_by_another_process_shows_on_the_next_channel_page(
    db, other, private_chat: Chat
) -> None:
    assert "Civilian humanitarian aid access" in await private_chat.ask("/aid")
    rename_channel(
        other, channel_id=storage.find_channel(other, "aid").id, title="Aid convoys", actor=EDITOR
    )
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
    assert statements.count("PRAGMA data_version") == 1, statements
    # ... and reads the versions of the memos' tables once, since the PRAGMA moved.
    assert sum("FROM data_versions" in sql for sql in statements) == 1, statements


async def test_within_an_update_its_own_writes_are_seen_at_once(db) -> None:
    aid = storage.find_channel(db, "aid").id
    with storage.one_version_check():
        assert storage.list_channels(db)[1].title == "Civilian humanitarian aid access"
        rename_channel(db, channel_id=aid, title="Aid convoys", actor=EDITOR)
        assert storage.list_channels(db)[1].title == "Aid convoys"
        assert storage.command_index(db)["aid"].title == "Aid convoys"


async def test_a_task_started_in_an_update_sees_later_commits_of_other_processes(db, other) -> None:
    aid = storage.find_channel(db, "aid").id
    committed = asyncio.Event()

    async def long_running_job() -> str:  # e.g. a /digestnow run started by the update
        await committed.wait()
        return storage.list_channels(db)[1].title

    with storage.one_version_check():
        storage.list_channels(db)  # the update's one check, before the other commit
        job = asyncio.create_task(long_running_job())
        rename_channel(other, channel_id=aid, title="Aid convoys", actor=EDITOR)
    committed.set()
    assert await job == "Aid convoys"


def test_outside_an_update_every_lookup_checks(db, other) -> None:
    aid = storage.find_channel(db, "aid").id
    storage.list_channels(db)
    rename_channel(other, channel_id=aid, title="Aid convoys", actor=EDITOR)
    assert storage.list_channels(db)[1].title == "Aid convoys"


async def test_a_subscription_and_a_language_chosen_elsewhere_show_on_the_next_update(
    db, other, api, private_chat: Chat
) -> None:
    await private_chat.ask("/aid")
    buttons = str(api.calls[-1].params["reply_markup"])
    assert "Subscribe" in buttons and "Unsubscribe" not in buttons
    storage.subscribe(
        other, private_chat.chat_id, chat_type="private", channel_ids=None,
        digest_time=time(8, 0), timezone="Europe/Kyiv",
    )  # fmt: skip
    storage.choose_language(other, private_chat.chat_id, "uk")
    reply = await private_chat.ask("/aid")
    assert "🔕 Відписатися" in str(api.calls[-1].params["reply_markup"])
    assert "Джерело:" in reply  # the page is in Ukrainian now


# --- Versions per group of tables (migration m120): a commit retires only the memos it touched.

REMEMBERED_TABLES = ("FROM phases", "channel_commands", "FROM admins", "chat_languages",
                     "subscribers", "subscription_channels")  # fmt: skip


@pytest.mark.parametrize("writer", ["bot", "another process"])
@pytest.mark.parametrize("kind", ["status", "note"])
async def test_a_status_change_rereads_none_of_the_remembered_tables(
    db, settings, private_chat: Chat, writer: str, kind: str
) -> None:
    await private_chat.ask("/ceasefire")  # every memo warm
    other = db if writer == "bot" else storage.open_database(settings.database_path)
    ceasefire = storage.find_channel(db, "ceasefire").id
    statements: list[str] = []
    storage.record_status(
        other, channel_id=ceasefire, kind=kind, phase="stalled", summary="Talks paused again",
        actor=EDITOR,
    )  # fmt: skip
    db.conn.set_trace_callback(statements.append)
    try:
        reply = await private_chat.ask("/ceasefire")
    finally:
        db.conn.set_trace_callback(None)
    assert "Talks paused again" in reply  # rendered from the database, not a cached page
    reread = [sql for sql in statements if any(table in sql for table in REMEMBERED_TABLES)]
    assert reread == []
    # The channel list is not read again either: only the channel's own status row is.
    assert not any("LEFT JOIN channel_commands" in sql for sql in statements), statements


async def test_a_phase_relabelled_by_hand_in_another_connection_shows_next(
    db, other, private_chat: Chat
) -> None:
    assert "Frozen solid" not in await private_chat.ask("/aid")
    phase = storage.channel_status(db, storage.find_channel(db, "aid")).current.phase
    with other.conn:  # an operator's hand edit: no part of Backchannel wrote it
        other.execute("UPDATE phases SET label = 'Frozen solid' WHERE slug = ?", [phase])
    assert "Frozen solid" in await private_chat.ask("/aid")


async def test_an_admin_granted_and_revoked_by_another_process_counts_next(
    db, other, app, api
) -> None:
    newcomer = admin_in(app, api, user_id=777)
    assert "only Backchannel admins" in await newcomer.ask("/set aid stalled Halted")
    storage.grant_admin(other, user_id=777, name="Taras", actor=EDITOR)
    assert "✅ Status saved" in await newcomer.ask("/set aid stalled Halted")
    storage.revoke_admin(other, user_id=777, actor=EDITOR)
    assert "only Backchannel admins" in await newcomer.ask("/note aid Again")


async def test_an_archive_and_an_alias_by_another_process_show_next(
    db, other, private_chat: Chat
) -> None:
    assert "Civilian humanitarian aid access" in await private_chat.ask("/aid")
    storage.set_archived(
        other, channel_id=storage.find_channel(other, "aid").id, archived=True, actor=EDITOR
    )
    assert "Civilian humanitarian aid access" not in await private_chat.ask("/status")
    storage.create_channel(
        other, slug="grain", title="Grain corridor talks", aliases=["wheat"], keywords=[],
        phase="stalled", summary="Opened by the CLI", actor=EDITOR,
    )  # fmt: skip
    assert "Grain corridor talks" in await private_chat.ask("/wheat")


async def test_an_unsubscribe_by_another_process_shows_on_the_next_update(
    db, other, api, private_chat: Chat
) -> None:
    await private_chat.ask("/subscribe")
    await private_chat.ask("/aid")
    assert "Unsubscribe" in str(api.calls[-1].params["reply_markup"])
    storage.unsubscribe(other, private_chat.chat_id)
    await private_chat.ask("/aid")
    buttons = str(api.calls[-1].params["reply_markup"])
    assert "Subscribe" in buttons and "Unsubscribe" not in buttons


def test_every_remembered_table_moves_its_version_on_every_kind_of_write(db) -> None:
    """The triggers exist, and cover every column a memo reads (a later migration that rebuilt
    a table, or added a column the channel list reads, would otherwise go unnoticed)."""
    groups = dict(db.execute("SELECT name, version FROM data_versions").fetchall())
    assert set(groups) == set(get_args(Group))
    triggers = dict(
        db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    )
    for group, table, _ in VERSIONED_TABLES:
        for suffix in ("ai", "au", "ad"):
            sql = triggers[f"data_version_{table}_{suffix}"]
            assert f"WHERE name = '{group}'" in sql
    channel_columns = {column.name for column in db["channels"].columns}
    # Only what a status change moves is left out: the pointer, its time, and the previous
    # phase and latest note kept beside it (m130). No memo reads any of them.
    status_columns = {"current_status_id", "updated_at", "previous_phase", "last_note_at"}
    watched = {table: columns for _, table, columns in VERSIONED_TABLES}
    assert set(watched["channels"] or ()) == channel_columns - status_columns


def test_a_database_from_before_the_versions_upgrades_and_its_memos_follow_writes(
    tmp_path,
) -> None:
    from tests.old_schema import old_database

    path = tmp_path / "old.db"
    old_database(path, stop_before="m120_data_versions").close()
    db = storage.open_database(path)
    aid = storage.find_channel(db, "aid").id
    assert storage.list_channels(db)[1].title == "Civilian humanitarian aid access"
    other = storage.open_database(path)
    storage.record_status(
        other, channel_id=aid, kind="status", phase="stalled", summary="x", actor=EDITOR
    )
    before = dict(db.execute("SELECT name, version FROM data_versions").fetchall())
    rename_channel(other, channel_id=aid, title="Aid convoys", actor=EDITOR)
    other.close()
    after = dict(db.execute("SELECT name, version FROM data_versions").fetchall())
    assert after == {**before, "channels": before["channels"] + 1}
    assert storage.list_channels(db)[1].title == "Aid convoys"


def test_a_channel_status_shows_the_channel_as_it_is_now_not_as_handed_in(db) -> None:
    before = storage.find_channel(db, "aid")
    rename_channel(db, channel_id=before.id, title="Aid convoys", actor=EDITOR)
    assert storage.channel_status(db, before).channel.title == "Aid convoys"
