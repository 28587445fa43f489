"""Who may do what in forum topics and channels: the attacks a hostile reader found.

Forum topics: Telegram puts a topic's creation message in `reply_to_message` of every
message in the topic, so "the message being replied to" must not be read naively.
Channels: every message, the bot's own included, carries the channel as `sender_chat`, so
that cannot tell who pressed a button.
"""

import pytest

import storage
from bot.auth import REFUSAL
from bot.cli.offline_api import BOT_USER
from bot.cli.update_factory import bot_message, chat_dict, in_topic, user_dict
from tests.admin_support import admin_in, rows
from tests.conftest import ADMIN_ID, GROUP_ID, Chat
from tests.navigation_support import TapBotApi, Tapper, buttons

MALLORY = 4242
CHANNEL_ID = -1009876
GROUP = chat_dict(GROUP_ID, "supergroup")
CHANNEL = chat_dict(CHANNEL_ID, "channel", "Newsroom")


@pytest.fixture
def api() -> TapBotApi:
    return TapBotApi()


def topic_by(user: dict) -> dict:
    """Fields of a message in a forum topic that `user` opened."""
    return in_topic(GROUP, 77, user)


async def test_bare_grant_in_a_forum_topic_grants_nobody(db, app, api) -> None:
    admin = admin_in(app, api, group=True)
    (answer,) = await admin.send("/grant", **topic_by(user_dict(MALLORY, "Mallory")))
    assert "Type <code>/grant &lt;user id&gt; [name]</code>" in answer
    assert rows(db, "admins") == []
    mallory = Chat(app, api, user_id=MALLORY, chat_id=GROUP_ID, chat_type="supergroup")
    assert await mallory.send("/set aid stalled Halted", **topic_by(user_dict(MALLORY, "M"))) == [
        REFUSAL
    ]


async def test_grant_by_a_real_reply_inside_a_topic(db, app, api) -> None:
    admin = admin_in(app, api, group=True)
    topic = topic_by(user_dict(MALLORY, "Mallory"))
    mariia = {
        "message_id": 90, "date": 0, "chat": GROUP, "message_thread_id": 77,
        "is_topic_message": True, "from": user_dict(555, "Mariia"), "text": "hi",
    }  # fmt: skip
    (answer,) = await admin.send("/grant", **{**topic, "reply_to_message": mariia})
    assert "555 (Mariia) is now an admin" in answer
    assert [row["user_id"] for row in rows(db, "admins")] == [555]


async def test_grant_replying_to_a_service_message_grants_nobody(db, app, api) -> None:
    admin = admin_in(app, api, group=True)
    joined = {
        "message_id": 91, "date": 0, "chat": GROUP, "from": user_dict(MALLORY, "Mallory"),
        "new_chat_members": [user_dict(MALLORY, "Mallory")],
    }  # fmt: skip
    (answer,) = await admin.send("/grant", reply_to_message=joined)
    assert "Type <code>/grant" in answer and rows(db, "admins") == []


async def test_topic_the_bot_opened_does_not_address_every_message_to_it(app, api) -> None:
    member = Chat(app, api, user_id=42, chat_id=GROUP_ID, chat_type="supergroup")
    assert await member.send("ceasefire news, anyone?", **topic_by(BOT_USER)) == []


async def post_channel_page(app, api) -> dict:
    """A channel admin posts /ceasefire; the bot's answer as channel members see it."""
    poster = Chat(app, api, chat_id=CHANNEL_ID, chat_type="channel")
    (page,) = await poster.send("/ceasefire")
    sent = api.messages[-1]
    return {**bot_message(CHANNEL, page, sent["message_id"]), "reply_markup": sent["reply_markup"]}


def data_of(message: dict, label: str) -> str:
    (button,) = [b for b in buttons(message) if label in b["text"]]
    return button["callback_data"]


async def test_channel_members_cannot_change_the_channel_digest(db, app, api) -> None:
    page = await post_channel_page(app, api)
    tap = await Tapper(app, api, user_id=42).press_data(data_of(page, "Subscribe"), page)
    assert tap.notice == "Only this channel's admins can change its digest."
    assert storage.get_subscriber(db, CHANNEL_ID) is None
    api.chat_member_status[43] = "administrator"
    tap = await Tapper(app, api, user_id=43).press_data(data_of(page, "Subscribe"), page)
    assert "in your daily digest" in tap.notice
    ceasefire = storage.find_channel(db, "ceasefire").id
    assert storage.is_subscribed(db, CHANNEL_ID, ceasefire)
    page = {**page, "reply_markup": tap.edits[0]["reply_markup"]}
    tap = await Tapper(app, api, user_id=42).press_data(data_of(page, "Unsubscribe"), page)
    assert tap.notice == "Only this channel's admins can change its digest."
    assert storage.is_subscribed(db, CHANNEL_ID, ceasefire)


async def test_channel_posts_are_from_its_admins(db, app, api) -> None:
    """Only a channel's admins can post in it, so its posts may manage its digest."""
    poster = Chat(app, api, chat_id=CHANNEL_ID, chat_type="channel")
    (answer,) = await poster.send("/subscribe@BackchannelBot ceasefire")
    assert "Added Tactical ceasefire proposals" in answer
    assert storage.is_subscribed(db, CHANNEL_ID, storage.find_channel(db, "ceasefire").id)
    assert "🤫 Quiet on" in (await poster.send("/quiet on"))[0]


@pytest.mark.parametrize(
    "command", ["/export@BackchannelBot", "/set aid stalled Halted", "/grant 4242 Mallory", "/set"]
)
async def test_admin_commands_in_a_channel_post_point_to_a_private_chat(db, app, api, command):
    poster = Chat(app, api, chat_id=CHANNEL_ID, chat_type="channel")
    before = rows(db, "audit_log")
    (answer,) = await poster.send(command)
    assert "Admin commands work in a private chat with me" in answer
    assert "Did you mean" not in answer and REFUSAL not in answer
    assert rows(db, "audit_log") == before


async def test_reader_commands_work_in_a_channel_post(app, api) -> None:
    poster = Chat(app, api, chat_id=CHANNEL_ID, chat_type="channel")
    (answer,) = await poster.send("/status@BackchannelBot")
    assert "Tactical ceasefire proposals" in answer


async def test_the_guided_form_is_not_opened_in_a_channel(db, app, api) -> None:
    """Channel posts name no person, so a form there could never get its summary."""
    page = await post_channel_page(app, api)
    aid = storage.find_channel(db, "aid").id
    tap = await Tapper(app, api, user_id=ADMIN_ID).press_data(f"set:c:{aid}", page)
    assert "Admin commands work in a private chat with me" in tap.notice
    assert tap.edits == [] and tap.sent == []
    # An admin browsing the channel's pages does not put an Update button there either.
    tap = await Tapper(app, api, user_id=ADMIN_ID).press_data(data_of(page, "History"), page)
    tap = await Tapper(app, api, user_id=ADMIN_ID).press_data("nav:c:ceasefire", page)
    assert "✏️ Update" not in tap.keyboard
