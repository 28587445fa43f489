"""Each subscriber's followed channels kept on its row (migration m140), moved by triggers.

A due-digest run reads every due subscriber with the channels it follows; the list is kept
beside the row instead of gathered per row from `subscription_channels` (a third of the
query's time at 100,000 subscribers, bench/NOTES.md). Whatever writes the table, the list
read back must be the table's.
"""

import random
from datetime import UTC, datetime, time

import storage
from tests.old_schema import old_database

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _in_table(db, chat_id: int) -> frozenset[int]:
    rows = db.execute("SELECT channel_id FROM subscription_channels WHERE chat_id = ?", [chat_id])
    return frozenset(channel_id for (channel_id,) in rows.fetchall())


def _subscribe(db, chat_id: int, channel_ids) -> None:
    storage.subscribe(
        db, chat_id, chat_type="private", channel_ids=channel_ids, digest_time=time(8),
        timezone="Europe/Kyiv", now=NOW,
    )  # fmt: skip


def test_the_channels_read_back_are_the_ones_subscribed_through_every_change(db) -> None:
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    rng = random.Random(3)
    chats = range(1, 31)
    for _ in range(300):
        chat = rng.choice(chats)
        some = rng.sample(channel_ids, rng.randint(1, 3))
        match rng.randrange(4):
            case 0:
                _subscribe(db, chat, some)
            case 1:
                _subscribe(db, chat, None)
            case 2:
                storage.unsubscribe(db, chat, some, all_channel_ids=channel_ids, now=NOW)
            case _:
                storage.unsubscribe(db, chat, now=NOW)
    seen = 0
    for chat in chats:
        subscriber = storage.get_subscriber(db, chat)
        if subscriber is None or subscriber.all_channels:
            continue
        assert subscriber.channel_ids == _in_table(db, chat)
        seen += 1
    due = storage.due_subscribers(db, datetime(2026, 12, 31, tzinfo=UTC), 100)
    assert seen > 5 and due
    for subscriber in due:
        if not subscriber.all_channels:
            assert subscriber.channel_ids == _in_table(db, subscriber.chat_id)


def test_rows_written_by_hand_move_the_list_too(db) -> None:
    # A restore, the CLI or a later migration writing the table directly: the triggers keep up.
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    _subscribe(db, 5, channel_ids[:2])
    with db.conn:
        db.execute("DELETE FROM subscription_channels WHERE chat_id = 5 AND channel_id = ?",
                   [channel_ids[0]])  # fmt: skip
        db.execute("INSERT INTO subscription_channels (chat_id, channel_id) VALUES (5, ?)",
                   [channel_ids[3]])  # fmt: skip
        db.execute("UPDATE subscription_channels SET channel_id = ? WHERE chat_id = 5 "
                   "AND channel_id = ?", [channel_ids[4], channel_ids[1]])  # fmt: skip
    assert storage.get_subscriber(db, 5).channel_ids == {channel_ids[3], channel_ids[4]}


def test_a_database_from_before_m140_gets_the_lists_filled_in(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = old_database(path, stop_before="m140_subscription_lists")
    channel_ids = [row[0] for row in old.execute("SELECT id FROM channels ORDER BY id")]
    with old.conn:  # as the bot wrote them then
        for chat, every in ((8, 0), (9, 0), (10, 1)):
            old.execute(
                "INSERT INTO subscribers (chat_id, chat_type, all_channels, digest_time, "
                "timezone, next_due_at, created_at, updated_at) VALUES (?, 'private', ?, "
                "'08:00', 'UTC', '2026-11-25T08:00:00+00:00', '2026-11-24', '2026-11-24')",
                [chat, every],
            )
        old.conn.executemany(
            "INSERT INTO subscription_channels (chat_id, channel_id) VALUES (?, ?)",
            [(9, channel_id) for channel_id in channel_ids[1:4]] + [(8, channel_ids[0])],
        )
    old.close()
    db = storage.open_database(path)
    assert storage.get_subscriber(db, 9).channel_ids == frozenset(channel_ids[1:4])
    assert storage.get_subscriber(db, 8).channel_ids == {channel_ids[0]}
    assert storage.get_subscriber(db, 10).all_channels
