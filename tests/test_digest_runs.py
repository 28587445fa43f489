"""Digest runs against a real database and the fake HTTP layer: nothing lost, nothing doubled."""

from datetime import UTC, datetime, time, timedelta

import pytest

import storage
from bot.cli.offline_api import ScriptedFailure
from digests import runner
from tests.digest_support import (
    FIRST_DUE,
    FakeClock,
    SimulatedCrash,
    add_subscriber,
    crash_for_chat,
    make_sender,
    set_status,
    texts_to,
)

BLOCKED = ScriptedFailure(403, "Forbidden: bot was blocked by the user")
SERVER = ScriptedFailure(500, "Internal Server Error")


@pytest.fixture
def sender(app):
    return make_sender(app.bot, FakeClock())


async def test_digest_comes_at_the_subscribers_hour_and_only_once(db, api, sender) -> None:
    add_subscriber(db, 501)
    # Subscribed at 08:00 New York time, after that day's 07:30.
    joined = datetime(2026, 11, 24, 13, tzinfo=UTC)
    add_subscriber(db, 502, ["ceasefire"], at=time(7, 30), zone="America/New_York", now=joined)
    set_status(db, "ceasefire", "negotiating", "Easter pause discussed")
    set_status(db, "aid", "negotiating", "Convoys resume")
    report = await runner.send_due(db, sender, now=FIRST_DUE - timedelta(seconds=1))
    assert report.delivered == 0 and api.sent() == []
    await runner.send_due(db, sender, now=FIRST_DUE)
    (digest,) = texts_to(api, 501)
    assert "Easter pause discussed" in digest and "Convoys resume" in digest
    assert "2 changes in 2 channels since you subscribed" in digest
    assert texts_to(api, 502) == []
    assert (await runner.send_due(db, sender, now=FIRST_DUE)).delivered == 0
    subscriber = storage.get_subscriber(db, 501)
    assert subscriber.watermark == storage.latest_change_id(db)
    assert subscriber.next_due_at == FIRST_DUE + timedelta(days=1)
    # New York subscriber: 07:30 EST is 12:30 UTC; sees only ceasefire.
    await runner.send_due(db, sender, now=datetime(2026, 11, 25, 12, 30, tzinfo=UTC))
    (digest,) = texts_to(api, 502)
    assert "Easter pause" in digest and "Convoys" not in digest
    assert len(texts_to(api, 501)) == 1


async def test_next_digest_covers_only_what_is_new(db, api, sender) -> None:
    add_subscriber(db, 501)
    set_status(db, "aid", "negotiating", "first news")
    await runner.send_due(db, sender, now=FIRST_DUE)
    set_status(db, "aid", "agreement", "second news")
    await runner.send_due(db, sender, now=FIRST_DUE + timedelta(days=1))
    first, second = texts_to(api, 501)
    assert "first news" in first
    assert "second news" in second and "first news" not in second
    assert "since your last digest" in second
    assert "🤝 Negotiating → ✅ Agreement · ⬆️ improved" in second


@pytest.mark.parametrize(("quiet", "notes"), [(True, 0), (False, 1)])
async def test_day_without_changes(db, api, sender, quiet: bool, notes: int) -> None:
    add_subscriber(db, 501, quiet=quiet)
    set_status(db, "aid", "negotiating", "news for others only")
    add_subscriber(db, 502, ["summit"], quiet=quiet)
    report = await runner.send_due(db, sender, now=FIRST_DUE)
    assert len(texts_to(api, 502)) == notes
    if notes:
        assert "Nothing new in your channels since you subscribed." in texts_to(api, 502)[0]
    assert (report.nothing_new, report.delivered) == (1 - notes, 1 + notes)
    after = storage.get_subscriber(db, 502)
    assert after.next_due_at == FIRST_DUE + timedelta(days=1)
    assert after.watermark == storage.latest_change_id(db)


async def test_missed_days_give_one_digest_covering_all_of_them(
    db, api, sender, frozen_time
) -> None:
    add_subscriber(db, 501)
    for day in range(4):
        frozen_time.shift(86400)
        set_status(db, "corridors", "negotiating", f"day {day} news")
    # The bot was down from the 25th to the 28th, 09:00 UTC.
    back = datetime(2026, 11, 28, 9, tzinfo=UTC)
    await runner.send_due(db, sender, now=back)
    await runner.send_due(db, sender, now=back + timedelta(minutes=1))
    (digest,) = texts_to(api, 501)
    assert all(f"day {day} news" in digest for day in range(4))
    assert storage.get_subscriber(db, 501).next_due_at == datetime(2026, 11, 29, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("crash_point", "expected_counts"),
    [("before send", [1, 1, 1]), ("after send, before recording", [1, 2, 1])],
)
async def test_crash_loses_nothing_and_repeats_at_most_the_one_in_flight(
    db, api, app, monkeypatch, crash_point, expected_counts
) -> None:
    for chat_id in (501, 502, 503):
        add_subscriber(db, chat_id)
    set_status(db, "aid", "negotiating", "news")
    sender = make_sender(app.bot)
    crash_for_chat(monkeypatch, sender, crash_point, "record_delivery", 502)
    with pytest.raises(SimulatedCrash):
        await runner.send_due(db, sender, now=FIRST_DUE)
    monkeypatch.undo()
    # Restart: a new process, a new sender, a bit later.
    await runner.send_due(db, make_sender(app.bot), now=FIRST_DUE + timedelta(seconds=30))
    assert [len(texts_to(api, chat_id)) for chat_id in (501, 502, 503)] == expected_counts
    assert all("news" in text for text in texts_to(api, 502))
    assert all(storage.get_subscriber(db, c).watermark == 7 for c in (501, 502, 503))


PAID_TIER_WORKERS = 16  # what README.md documents for DIGEST_RATE_LIMIT=1000


async def test_with_several_workers_a_crash_repeats_at_most_one_message_per_worker(
    db, api, app, monkeypatch
) -> None:
    chats = range(501, 541)
    for chat_id in chats:
        add_subscriber(db, chat_id)
    set_status(db, "aid", "negotiating", "news")
    real_record = storage.record_deliveries

    def crashing_record(connection, deliveries):
        # The process dies while committing the batch that holds chat 520's delivery: every
        # message of that batch was accepted by Telegram and none of them is recorded.
        if any(delivery[0] == 520 for delivery in deliveries):
            raise SimulatedCrash
        return real_record(connection, deliveries)

    monkeypatch.setattr(storage, "record_deliveries", crashing_record)
    with pytest.raises(SimulatedCrash):
        await runner.send_due(db, make_sender(app.bot), now=FIRST_DUE, workers=PAID_TIER_WORKERS)
    monkeypatch.undo()
    await runner.send_due(
        db, make_sender(app.bot), now=FIRST_DUE + timedelta(seconds=30), workers=PAID_TIER_WORKERS
    )
    counts = [len(texts_to(api, chat_id)) for chat_id in chats]
    assert all(1 <= count <= 2 for count in counts), counts
    assert counts[520 - 501] == 2
    assert sum(count == 2 for count in counts) <= PAID_TIER_WORKERS
    assert all(
        storage.get_subscriber(db, c).watermark == storage.latest_change_id(db) for c in chats
    )


async def test_blocked_chat_is_deactivated_and_others_still_get_theirs(db, api, sender) -> None:
    for chat_id in (501, 502, 503):
        add_subscriber(db, chat_id)
    set_status(db, "aid", "negotiating", "news")
    api.fail_next("sendMessage", BLOCKED)
    report = await runner.send_due(db, sender, now=FIRST_DUE)
    assert (report.deactivated, report.delivered) == (1, 2)
    assert not storage.is_subscribed(db, 501)
    assert storage.get_subscriber(db, 501).paused_reason == "unreachable"
    assert [len(texts_to(api, c)) for c in (501, 502, 503)] == [0, 1, 1]
    await runner.send_due(db, sender, now=FIRST_DUE + timedelta(days=1))
    assert texts_to(api, 501) == []  # not retried forever


async def test_persistent_trouble_is_retried_later_without_loss(db, api, sender) -> None:
    add_subscriber(db, 501)
    add_subscriber(db, 502)
    set_status(db, "aid", "negotiating", "news")
    for _ in range(5):
        api.fail_next("sendMessage", SERVER)
    report = await runner.send_due(db, sender, now=FIRST_DUE)
    assert (report.failed, report.delivered) == (1, 1)
    held = storage.get_subscriber(db, 501)
    assert held.next_due_at == FIRST_DUE + runner.RETRY_DELAY and held.watermark == 6
    await runner.send_due(db, sender, now=FIRST_DUE + runner.RETRY_DELAY)
    assert "news" in texts_to(api, 501)[0]
    assert storage.get_subscriber(db, 501).next_due_at == FIRST_DUE + timedelta(days=1)
    assert len(texts_to(api, 502)) == 1


async def test_unexpected_error_for_one_subscriber_spares_the_rest(
    db, api, sender, monkeypatch
) -> None:
    for chat_id in (501, 502, 503):
        add_subscriber(db, chat_id)
    set_status(db, "aid", "negotiating", "news")
    real_send = sender.send

    async def broken_for_502(chat_id, parts, *rest):
        if chat_id == 502:
            raise RuntimeError("bug")
        return await real_send(chat_id, parts, *rest)

    monkeypatch.setattr(sender, "send", broken_for_502)
    report = await runner.send_due(db, sender, now=FIRST_DUE)
    assert (report.delivered, report.failed) == (2, 1)
    assert storage.get_subscriber(db, 502).next_due_at == FIRST_DUE + runner.RETRY_DELAY


@pytest.mark.parametrize("workers", [1, 4])
async def test_subscribers_are_streamed_in_batches(db, api, app, monkeypatch, workers) -> None:
    for chat_id in range(1, 12):
        add_subscriber(db, chat_id, ["aid"] if chat_id % 2 else None)
    set_status(db, "aid", "negotiating", "news")
    batches = []
    real_due = storage.due_subscribers

    def recording_due(db_, now, limit):
        found = real_due(db_, now, limit)
        batches.append(len(found))
        return found

    monkeypatch.setattr(storage, "due_subscribers", recording_due)
    report = await runner.send_due(
        db, make_sender(app.bot), now=FIRST_DUE, batch_size=4, workers=workers
    )
    assert batches == [4, 4, 3, 0]
    assert report.delivered == 11 and report.distinct_digests == 2
    assert sorted(p["chat_id"] for p in api.sent()) == list(range(1, 12))


async def test_group_digest_goes_through_the_group_limit(db, api, app) -> None:
    add_subscriber(db, -100123)
    set_status(db, "aid", "negotiating", "news")
    sender = make_sender(app.bot)
    await runner.send_due(db, sender, now=FIRST_DUE)
    assert "news" in texts_to(api, -100123)[0]
    assert sender.limits.acquired == [-100123]


async def test_stopping_leaves_the_rest_due_for_the_next_run(db, api, sender) -> None:
    for chat_id in (501, 502, 503):
        add_subscriber(db, chat_id)
    set_status(db, "aid", "negotiating", "news")
    report = await runner.send_due(
        db, sender, now=FIRST_DUE, should_stop=lambda: len(api.sent()) >= 1
    )
    assert report.delivered == 1
    await runner.send_due(db, sender, now=FIRST_DUE + timedelta(seconds=5))
    assert [len(texts_to(api, c)) for c in (501, 502, 503)] == [1, 1, 1]


async def test_send_to_all_moves_watermarks_but_keeps_schedules(db, api, sender) -> None:
    add_subscriber(db, 501)
    add_subscriber(db, 502, ["summit"])  # quiet, nothing new for it
    set_status(db, "aid", "negotiating", "urgent news")
    report = await runner.send_to_all(db, sender)
    assert (report.delivered, report.nothing_new) == (1, 1)
    assert "urgent news" in texts_to(api, 501)[0] and texts_to(api, 502) == []
    assert storage.get_subscriber(db, 501).next_due_at == FIRST_DUE
    assert storage.get_subscriber(db, 501).watermark == storage.latest_change_id(db)
    # The regular digest at the usual hour does not repeat the urgent news.
    await runner.send_due(db, sender, now=FIRST_DUE)
    assert len(texts_to(api, 501)) == 1


async def test_new_channel_reaches_all_channel_subscribers(db, api, sender) -> None:
    from storage.channel_writes import create_channel
    from tests.digest_support import EDITOR

    add_subscriber(db, 501)
    add_subscriber(db, 502, ["aid"])
    create_channel(db, slug="energy", title="Energy truce", aliases=[], keywords=[],
                   phase="proposed", summary="Power plants", actor=EDITOR)  # fmt: skip
    await runner.send_due(db, sender, now=FIRST_DUE)
    assert "Energy truce" in texts_to(api, 501)[0]
    assert texts_to(api, 502) == []


async def test_schedule_follows_the_local_hour_across_spring_forward(db, api, sender) -> None:
    joined = datetime(2026, 3, 27, 12, tzinfo=UTC)
    add_subscriber(db, 501, at=time(7, 30), quiet=False, now=joined)
    expected = [  # 07:30 in Kyiv: UTC+2 until 29 March, UTC+3 after
        datetime(2026, 3, 28, 5, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 4, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 4, 30, tzinfo=UTC),
    ]
    for due, following in zip(expected, [*expected[1:], None], strict=True):
        assert storage.get_subscriber(db, 501).next_due_at == due
        await runner.send_due(db, sender, now=due)
        if following:
            assert storage.get_subscriber(db, 501).next_due_at == following
    assert len(texts_to(api, 501)) == 3


async def test_build_due_streams_digests_without_sending_or_recording(db, api) -> None:
    for chat_id in range(1, 8):
        add_subscriber(db, chat_id, ["aid"] if chat_id % 2 else None)
    for chat_id, hour in [(20, 7), (21, 6), (22, 7)]:
        add_subscriber(db, chat_id, ["aid"], at=time(hour, 30))  # due earlier that morning
    add_subscriber(db, 99, now=FIRST_DUE)  # due a day later
    set_status(db, "ceasefire", "negotiating", "news")
    built = list(runner.build_due(db, now=FIRST_DUE, batch_size=3))
    assert [subscriber.chat_id for subscriber, _ in built] == [21, 20, 22, *range(1, 8)]
    assert [digest.empty for _, digest in built] == [True] * 3 + [True, False] * 3 + [True]
    assert api.sent() == []
    assert storage.get_subscriber(db, 1).next_due_at == FIRST_DUE
