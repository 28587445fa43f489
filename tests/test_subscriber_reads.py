"""A subscriber read back is what its row holds, read alone or in bulk (a due run, a run for
everyone).

Reads take fewer columns than the row has (`storage.subscribers._COLUMNS`: the flags as one
number, a cut digest's progress as one text) because a due run reads every due subscriber;
whatever state a chat is in, what they give must be the row's columns, read plainly here.
"""

import random
from datetime import UTC, datetime, time, timedelta

import storage

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
ZONES = ["Europe/Kyiv", "UTC", "America/New_York", "Asia/Tokyo"]


def _stored(db, chat_id: int) -> storage.Subscriber:
    # The row's columns one by one, each converted the obvious way.
    row = db.execute(
        "SELECT chat_id, chat_type, all_channels, digest_time, timezone, quiet, active, "
        "next_due_at, watermark, last_digest_at, paused_reason, parts_sent, parts_upto, "
        "parts_hash FROM subscribers WHERE chat_id = ?",
        [chat_id],
    ).fetchone()
    channels = db.execute(
        "SELECT channel_id FROM subscription_channels WHERE chat_id = ?", [chat_id]
    ).fetchall()
    return storage.Subscriber(
        row[0], row[1], bool(row[2]), frozenset() if row[2] else frozenset(c for (c,) in channels),
        time.fromisoformat(row[3]), row[4], bool(row[5]), bool(row[6]),
        datetime.fromisoformat(row[7]), row[8],
        None if row[9] is None else datetime.fromisoformat(row[9]), *row[10:],
    )  # fmt: skip


def _everyone_due(db) -> list[storage.Subscriber]:
    return storage.due_subscribers(db, NOW + timedelta(days=3), 10_000)


def test_subscribers_read_back_are_their_rows_in_bulk_and_alone(db) -> None:
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    upto = storage.latest_change_id(db)
    rng = random.Random(7)
    for chat in range(1, 61):
        storage.subscribe(
            db, chat, chat_type=rng.choice(["private", "group", "supergroup"]),
            channel_ids=None if chat % 3 == 0 else rng.sample(channel_ids, rng.randint(1, 4)),
            digest_time=time(rng.randrange(24), rng.choice([0, 30])),
            timezone=rng.choice(ZONES), now=NOW,
        )  # fmt: skip
        match chat % 6:
            case 1:
                storage.set_quiet(db, chat, False)
            case 2:  # a digest of several parts cut short after two
                storage.record_parts_sent(db, chat, upto=upto, digest="ab12cd34" * 4, sent=2)
            case 3:  # delivered once: a last digest time, a watermark
                storage.record_delivery(
                    db, chat, watermark=upto, next_due_at=NOW + timedelta(days=1),
                    delivered_at=NOW - timedelta(hours=rng.randrange(1, 48)),
                )  # fmt: skip
            case 4:
                storage.deactivate(db, chat, "paused", NOW)
    # Rows no command writes, by hand: progress columns that disagree, a flag not 0 or 1.
    db.execute("UPDATE subscribers SET parts_hash = 'ff00', parts_sent = 0 WHERE chat_id = 5")
    db.execute("UPDATE subscribers SET parts_upto = 3, parts_sent = 0 WHERE chat_id = 11")
    db.execute("UPDATE subscribers SET quiet = 2 WHERE chat_id = 17")

    assert [storage.get_subscriber(db, chat) for chat in range(1, 61)] == [
        _stored(db, chat) for chat in range(1, 61)
    ]
    paused = storage.get_subscriber(db, 4)
    assert paused is not None and not paused.active and paused.paused_reason == "paused"
    due = _everyone_due(db)
    assert {s.chat_id for s in due} == {c for c in range(1, 61) if c % 6 != 4}
    assert due == [storage.get_subscriber(db, s.chat_id) for s in due]
    everyone = storage.active_subscribers(db, None, 10_000)
    assert everyone == [storage.get_subscriber(db, s.chat_id) for s in everyone]
    by_chat = {s.chat_id: s for s in due}
    assert by_chat[2].parts_sent == 2 and by_chat[2].parts_hash == "ab12cd34" * 4
    assert by_chat[5].parts_hash == "ff00" and by_chat[11].parts_upto == 3
    assert by_chat[1].quiet is False and by_chat[17].quiet is True and by_chat[3].all_channels
