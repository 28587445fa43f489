"""Subscribe/Unsubscribe and the admins' Update button under a channel reply."""

import pytest

import storage
from tests.conftest import ADMIN_ID, GROUP_ID, READER_ID, Chat
from tests.navigation_support import TapBotApi, Tapper, labels


@pytest.fixture
def api() -> TapBotApi:
    return TapBotApi()


async def test_subscribe_button_adds_the_channel_and_flips(db, private_chat, app, api) -> None:
    await private_chat.ask("/ceasefire")
    tap = await Tapper(app, api).press("Subscribe")
    assert "Tactical ceasefire proposals is in your daily digest (08:00 Europe/Kyiv)" in tap.notice
    assert "🔕 Unsubscribe" in tap.keyboard
    channel = storage.find_channel(db, "ceasefire")
    assert storage.is_subscribed(db, READER_ID, channel.id)
    assert not storage.is_subscribed(db, READER_ID, storage.find_channel(db, "aid").id)
    tap = await Tapper(app, api).press("Unsubscribe")
    assert "that was your last channel, so the digest stops" in tap.notice
    assert "🔔 Subscribe" in tap.keyboard
    assert not storage.is_subscribed(db, READER_ID)


async def test_unsubscribe_from_an_all_channels_digest_keeps_the_rest(db, private_chat, app, api):
    await private_chat.ask("/subscribe")
    await private_chat.ask("/aid")
    assert "🔕 Unsubscribe" in labels(api.last_with_buttons())
    tap = await Tapper(app, api).press("Unsubscribe")
    assert tap.notice == "🔕 Civilian humanitarian aid access removed from your daily digest."
    assert not storage.is_subscribed(db, READER_ID, storage.find_channel(db, "aid").id)
    assert storage.is_subscribed(db, READER_ID, storage.find_channel(db, "summit").id)


async def test_only_group_admins_can_subscribe_the_group(db, app, api) -> None:
    member = Chat(app, api, user_id=42, chat_id=GROUP_ID, chat_type="supergroup")
    await member.ask("/exchanges")
    tap = await Tapper(app, api, user_id=42).press("Subscribe")
    assert tap.notice == "Only this group's admins can change its digest."
    assert not storage.is_subscribed(db, GROUP_ID)
    api.chat_member_status[43] = "administrator"
    tap = await Tapper(app, api, user_id=43).press("Subscribe")
    assert "in your daily digest" in tap.notice
    assert storage.is_subscribed(db, GROUP_ID, storage.find_channel(db, "exchanges").id)


async def test_update_button_only_for_admins_and_opens_the_phase_step(db, app, api) -> None:
    reader = Chat(app, api)
    await reader.ask("/corridors")
    assert "✏️ Update" not in labels(api.last_with_buttons())
    admin = Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID)
    await admin.ask("/corridors")
    assert "✏️ Update" in labels(api.last_with_buttons())
    tap = await Tapper(app, api, user_id=ADMIN_ID).press("Update")
    assert "Which phase is it now?" in tap.text
    assert "📝 Proposed (now)" in tap.keyboard
    await Tapper(app, api, user_id=ADMIN_ID).press("Negotiating")
    reply = await admin.ask("Monitoring deal signed in Geneva")
    assert "Status saved" in reply
    assert storage.channel_status(db, storage.find_channel(db, "corridors")).phase.slug == (
        "negotiating"
    )


async def test_forged_update_press_by_a_reader_changes_nothing(db, app, api) -> None:
    channel = storage.find_channel(db, "aid")
    before = storage.channel_status(db, channel)
    await Chat(app, api).ask("/aid")
    tap = await Tapper(app, api).press_data(f"set:c:{channel.id}", api.last_with_buttons())
    assert "only Backchannel admins" in tap.answers[0]["text"] and tap.edits == []
    assert storage.channel_status(db, channel) == before
