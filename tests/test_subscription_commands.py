"""Subscription commands through the real Application, in private chats and groups."""

from datetime import UTC, datetime, time, timedelta

import pytest

import storage
from bot.cli.offline_api import ScriptedFailure
from bot.jobs import scheduling as jobs
from tests.conftest import ADMIN_ID, GROUP_ID, READER_ID, Chat
from tests.digest_support import FIRST_DUE, add_subscriber, make_sender, set_status


def ids(db, *slugs: str) -> frozenset[int]:
    return frozenset(storage.find_channel(db, slug).id for slug in slugs)


@pytest.fixture
def group_admin(api) -> None:
    api.chat_member_status[READER_ID] = "administrator"


async def test_subscribe_to_everything_then_see_it(private_chat: Chat, db) -> None:
    reply = await private_chat.ask("/subscribe")
    assert reply.startswith("✅ Subscribed to every channel.")
    assert "Next digest: Wed 25 Nov at 08:00 (Europe/Kyiv), then daily." in reply
    subscriber = storage.get_subscriber(db, READER_ID)
    assert subscriber.all_channels and subscriber.active and subscriber.quiet
    assert subscriber.next_due_at == FIRST_DUE
    assert subscriber.watermark == storage.latest_change_id(db)
    mysubs = await private_chat.ask("/mysubs")
    assert "You get: every channel (new ones included)" in mysubs
    assert "Daily at 08:00 (Europe/Kyiv)" in mysubs
    assert "nothing is sent (/quiet off for a short note)" in mysubs
    assert "already get every channel" in await private_chat.ask("/subscribe ceasefire")


async def test_subscribe_to_some_channels_by_name_or_alias(private_chat: Chat, db) -> None:
    reply = await private_chat.ask("/subscribe ceasefire, prisoners")
    assert "Added Tactical ceasefire proposals (/ceasefire), Detainee swaps" in reply
    assert storage.get_subscriber(db, READER_ID).channel_ids == ids(db, "ceasefire", "exchanges")
    await private_chat.ask("/subscribe /aid")
    assert storage.is_subscribed(db, READER_ID, storage.find_channel(db, "aid").id)
    assert not storage.is_subscribed(db, READER_ID, storage.find_channel(db, "summit").id)
    assert "Civilian humanitarian aid access (/aid)" in await private_chat.ask("/mysubs")
    await private_chat.ask("/subscribe all")
    assert storage.get_subscriber(db, READER_ID).all_channels


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/subscribe ceasfire", "Did you mean “ceasefire”?"),
        ("/subscribe aid zzz", "There is no channel called “zzz”. Nothing was changed."),
        ("/subscribe <b>", "There is no channel called “&lt;b&gt;”"),
    ],
)
async def test_unknown_channel_changes_nothing(any_chat: Chat, api, db, command, expected) -> None:
    api.chat_member_status[READER_ID] = "creator"
    reply = await any_chat.ask(command)
    assert expected in reply and "Channels: summit aid ceasefire" in reply
    assert storage.get_subscriber(db, any_chat.chat_id) is None


async def test_unsubscribe_some_then_all(private_chat: Chat, db) -> None:
    assert "not subscribed" in await private_chat.ask("/unsubscribe")
    await private_chat.ask("/subscribe")
    reply = await private_chat.ask("/unsubscribe summit reconstruction")
    assert reply.startswith("Removed Leader-level summit (/summit), Economic contacts")
    assert "still includes: Civilian humanitarian aid access (/aid)," in reply
    assert storage.get_subscriber(db, READER_ID).channel_ids == ids(
        db, "aid", "ceasefire", "exchanges", "corridors"
    )
    assert "does not include Leader-level summit" in await private_chat.ask("/unsubscribe summit")
    await private_chat.ask("/unsubscribe aid ceasefire exchanges")
    assert "🔕 Unsubscribed" in await private_chat.ask("/unsubscribe corridors")
    assert not storage.is_subscribed(db, READER_ID)
    assert "You are not subscribed" in await private_chat.ask("/mysubs")


async def test_resubscribing_keeps_the_hour_and_starts_from_now(private_chat: Chat, db) -> None:
    await private_chat.ask("/subscribe")
    await private_chat.ask("/digesttime 06:15 Asia/Tokyo")
    await private_chat.ask("/unsubscribe")
    set_status(db, "aid", "negotiating", "news while away")
    reply = await private_chat.ask("/subscribe aid")
    assert "at 06:15 (Asia/Tokyo)" in reply
    assert storage.get_subscriber(db, READER_ID).watermark == storage.latest_change_id(db)


@pytest.mark.parametrize(
    ("command", "expected", "stored"),
    [
        ("/digesttime 07:30", "Digest time set to 07:30 (Europe/Kyiv).",
         (time(7, 30), "Europe/Kyiv")),
        ("/digesttime 7:05 america/new_york", "Next digest: Tue 24 Nov at 07:05 (America/New_York)",
         (time(7, 5), "America/New_York")),
        ("/digesttime 13:00 UTC", "Next digest: Tue 24 Nov at 13:00 (UTC)", (time(13), "UTC")),
        ("/digesttime", "Type the hour as HH:MM", None),
        ("/digesttime 25:00", "“25:00” is not a time I can read.", None),
        ("/digesttime noon", "“noon” is not a time I can read.", None),
        ("/digesttime 07:30 Europe/Kiyv", "Did you mean <code>Europe/Kyiv</code>?", None),
        ("/digesttime 07:30 Mars", "I don't know the time zone “Mars”.", None),
        ("/digesttime 07:30 Europe/Kyiv extra", "is not a time I can read", None),
    ],
)  # fmt: skip
async def test_digesttime(private_chat: Chat, db, command, expected, stored) -> None:
    await private_chat.ask("/subscribe")
    assert expected in await private_chat.ask(command)
    subscriber = storage.get_subscriber(db, READER_ID)
    assert (subscriber.digest_time, subscriber.timezone) == (stored or (time(8), "Europe/Kyiv"))


async def test_digesttime_needs_a_subscription(private_chat: Chat) -> None:
    assert "not subscribed" in await private_chat.ask("/digesttime 07:30")


@pytest.mark.parametrize(
    ("command", "expected", "quiet"),
    [
        ("/quiet on", "Quiet on", True),
        ("/quiet OFF", "Quiet off", False),
        ("/quiet", "Type <code>/quiet on</code>", True),
        ("/quiet maybe", "Type <code>/quiet on</code>", True),
    ],
)
async def test_quiet(private_chat: Chat, db, command, expected, quiet) -> None:
    await private_chat.ask("/subscribe")
    assert expected in await private_chat.ask(command)
    assert storage.get_subscriber(db, READER_ID).quiet is quiet


async def test_digest_on_demand_moves_nothing(private_chat: Chat, db) -> None:
    assert "not subscribed" in await private_chat.ask("/digest")
    await private_chat.ask("/subscribe")
    assert "Nothing new in your channels" in await private_chat.ask("/digest")
    set_status(db, "aid", "negotiating", "Convoys resume")
    before = storage.get_subscriber(db, READER_ID)
    reply = await private_chat.ask("/digest@BackchannelBot")
    assert "Convoys resume" in reply and "1 change in 1 channel" in reply
    assert storage.get_subscriber(db, READER_ID) == before


async def test_group_members_cannot_change_the_group_subscription(group_chat: Chat, db) -> None:
    for command in ["/subscribe", "/digesttime 07:00", "/quiet off", "/unsubscribe"]:
        assert "Only this group's admins" in await group_chat.ask(command)
    assert storage.get_subscriber(db, GROUP_ID) is None


@pytest.mark.parametrize("status", ["administrator", "creator"])
async def test_group_admin_subscribes_the_group(group_chat: Chat, api, db, status) -> None:
    api.chat_member_status[READER_ID] = status
    reply = await group_chat.ask("/subscribe@BackchannelBot ceasefire")
    assert "Added Tactical ceasefire proposals" in reply
    (check,) = api.sent("getChatMember")
    assert (check["chat_id"], check["user_id"]) == (GROUP_ID, READER_ID)
    subscriber = storage.get_subscriber(db, GROUP_ID)
    assert subscriber.chat_type == "supergroup" and subscriber.channel_ids == ids(db, "ceasefire")
    api.chat_member_status[READER_ID] = "member"
    assert "This group gets: Tactical ceasefire" in await group_chat.ask("/mysubs")
    assert "Only this group's admins" in await group_chat.ask("/unsubscribe")


async def test_anonymous_group_admin_may_subscribe(group_chat: Chat, db) -> None:
    sender_chat = {"id": GROUP_ID, "type": "supergroup", "title": "Group"}
    await group_chat.send("/subscribe", sender_chat=sender_chat)
    assert storage.is_subscribed(db, GROUP_ID)


async def test_failed_admin_check_refuses_politely(group_chat: Chat, api, db) -> None:
    api.fail_next("getChatMember", ScriptedFailure(400, "Bad Request: user not found"))
    assert "Only this group's admins" in await group_chat.ask("/subscribe")
    assert storage.get_subscriber(db, GROUP_ID) is None


async def test_paused_subscription_says_why(private_chat: Chat, db) -> None:
    await private_chat.ask("/subscribe")
    storage.deactivate(db, READER_ID, "unreachable")
    assert "paused because I could not deliver them" in await private_chat.ask("/mysubs")
    await private_chat.ask("/subscribe")
    assert storage.is_subscribed(db, READER_ID)


async def test_help_lists_digest_commands_but_not_admin_ones(private_chat: Chat) -> None:
    reply = await private_chat.ask("/help")
    for name in ["/subscribe", "/unsubscribe", "/mysubs", "/digesttime", "/quiet", "/digest"]:
        assert f"{name}:" in reply
    assert "/digestnow" not in reply


@pytest.fixture
def running_app(app):
    # The app fixture is already started, as run_polling would.
    jobs.service(app).sender = make_sender(app.bot)
    return app


async def test_digestnow_for_admins_only(running_app, api, db) -> None:
    add_subscriber(db, 501)
    add_subscriber(db, GROUP_ID)
    set_status(db, "aid", "negotiating", "urgent news")
    reader = Chat(running_app, api, user_id=777, chat_id=777)
    assert "only Backchannel admins" in await reader.ask("/digestnow")
    assert jobs.service(running_app).background is None
    admin = Chat(running_app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID)
    assert "Sending the digest to 2 subscribers" in await admin.ask("/digestnow")
    await jobs.service(running_app).background
    sent = {p["chat_id"]: p["text"] for p in api.sent()}
    assert "urgent news" in sent[501] and "urgent news" in sent[GROUP_ID]
    assert "Digest for everyone done: 2 delivered" in sent[ADMIN_ID]
    assert storage.get_subscriber(db, 501).next_due_at == FIRST_DUE


async def test_the_job_sends_due_digests_in_the_background(running_app, api, db) -> None:
    job = jobs.install(running_app)
    assert sorted(j.name for j in running_app.job_queue.jobs()) == [
        "alerts",
        "digests",
        "publishing",
    ]
    assert job.job.trigger.interval == timedelta(seconds=jobs.TICK_SECONDS)
    add_subscriber(db, 501, now=datetime(2026, 11, 24, 3, tzinfo=UTC))  # due at 06:00 today
    set_status(db, "aid", "negotiating", "news")
    await job.run(running_app)
    await jobs.service(running_app).background
    assert "news" in api.sent()[-1]["text"]
    # Nothing due: the tick starts no run.
    jobs.service(running_app).background = None
    await job.run(running_app)
    assert jobs.service(running_app).background is None


async def test_digestnow_is_off_in_the_console(app, api, db) -> None:
    from bot.context import CONSOLE_KEY

    app.bot_data[CONSOLE_KEY] = True
    add_subscriber(db, 501)
    admin = Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID)
    assert "off in the console" in await admin.ask("/digestnow")
    assert jobs.service(app).background is None


def test_is_subscribed_follows_the_chats_channels_and_pauses(db) -> None:
    ceasefire, aid = (storage.find_channel(db, slug).id for slug in ("ceasefire", "aid"))
    assert not storage.is_subscribed(db, 11) and not storage.is_subscribed(db, 11, aid)
    add_subscriber(db, 11)
    assert storage.is_subscribed(db, 11) and storage.is_subscribed(db, 11, aid)
    add_subscriber(db, 12, ["ceasefire"])
    assert storage.is_subscribed(db, 12, ceasefire) and not storage.is_subscribed(db, 12, aid)
    storage.unsubscribe(db, 12)
    assert not storage.is_subscribed(db, 12) and not storage.is_subscribed(db, 12, ceasefire)
    # Coming back to everything forgets the old list, and nothing is followed twice.
    add_subscriber(db, 12)
    assert storage.is_subscribed(db, 12, aid) and storage.is_subscribed(db, 12, ceasefire)
