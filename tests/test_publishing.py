"""/publish: phase changes posted to a Telegram channel, and corrected there when undone."""

from __future__ import annotations

import pytest

import storage
from bot.jobs import scheduling as jobs
from tests.conftest import ADMIN_ID, READER_ID, Chat
from tests.digest_support import make_sender

CHANNEL_ID = -1001234567890
BOT_ID = 7000000001
CAN_POST_AND_EDIT = {"can_post_messages": True, "can_edit_messages": True}


@pytest.fixture
def news_channel(api):
    api.chats["@desknews"] = {"id": CHANNEL_ID, "type": "channel", "title": "Desk news"}
    api.chats[CHANNEL_ID] = api.chats["@desknews"]
    api.chat_member_status[BOT_ID] = "administrator"
    api.chat_member_rights[BOT_ID] = CAN_POST_AND_EDIT
    return CHANNEL_ID


@pytest.fixture
def admin(app, api) -> Chat:
    return Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Editor")


def _posts(api, method: str = "sendMessage") -> list[dict]:
    return [p for p in api.sent(method) if int(p["chat_id"]) == CHANNEL_ID]


async def _publish(app, db) -> None:
    await jobs.service(app).publish()


async def test_a_phase_change_is_posted_then_corrected_when_undone(
    app, api, db, admin, news_channel
):
    assert "is posted to Desk news" in await admin.ask("/publish @desknews")
    await admin.ask(
        "/set ceasefire negotiating Talks resumed in Doha https://example.org/d official"
    )
    await _publish(app, db)
    (post,) = _posts(api)
    assert "Talks resumed in Doha" in post["text"] and "🤝" in post["text"]
    assert post["parse_mode"] == "HTML"

    await admin.ask("/undo")
    await _publish(app, db)
    (edit,) = _posts(api, "editMessageText")
    assert edit["message_id"] == (await _sent_id(db))
    assert edit["text"].startswith("<s>") and "Talks resumed in Doha" in edit["text"]
    assert "this change was withdrawn" in edit["text"]
    await _publish(app, db)  # nothing more to do: corrected once
    assert len(_posts(api, "editMessageText")) == 1


async def _sent_id(db) -> int:
    row = db.execute("SELECT message_id FROM sent_messages").fetchone()
    return row[0]


async def test_notes_and_unchanged_phases_are_not_posted(app, api, db, admin, news_channel):
    await admin.ask("/publish @desknews")
    await admin.ask("/note ceasefire Delegations met again")
    await _publish(app, db)
    assert _posts(api) == []
    assert storage.publish_target(db).watermark == storage.latest_change_id(db)


async def test_the_channel_history_is_not_flooded_on_linking(app, api, db, admin, news_channel):
    await admin.ask("/set aid collapsed Convoys halted")
    await admin.ask("/publish @desknews")
    await _publish(app, db)
    assert _posts(api) == []


async def test_a_failed_post_is_retried_and_never_skipped(app, api, db, admin, news_channel):
    from bot.cli.offline_api import ScriptedFailure

    await admin.ask("/publish @desknews")
    await admin.ask("/set aid collapsed Convoys halted")
    await admin.ask("/set exchanges negotiating Lists being exchanged")
    for _ in range(5):
        api.fail_next("sendMessage", ScriptedFailure(502, "Bad Gateway"))
    sender = make_sender(app.bot)
    from digests.publishing import publish

    report = await publish(db, sender, "Europe/Kyiv")
    assert report.failed == 1 and _posts(api) == []
    await publish(db, sender, "Europe/Kyiv")
    texts = [p["text"] for p in _posts(api)]
    assert len(texts) == 2 and "Convoys halted" in texts[0] and "Lists being" in texts[1]


@pytest.mark.parametrize(
    ("rights", "expected"),
    [
        ({"can_post_messages": False, "can_edit_messages": True}, "allowed to post messages"),
        ({"can_post_messages": True, "can_edit_messages": False}, "allowed to edit messages"),
    ],
)
async def test_missing_rights_are_named(app, api, db, admin, news_channel, rights, expected):
    api.chat_member_rights[BOT_ID] = rights
    assert expected in await admin.ask("/publish @desknews")
    assert storage.publish_target(db) is None


async def test_unknown_channels_groups_and_bad_input(app, api, db, admin, news_channel):
    assert "I cannot see @nosuchchannel" in await admin.ask("/publish @nosuchchannel")
    api.chats["@agroup"] = {"id": -1009, "type": "supergroup", "title": "A group"}
    assert "is not a channel" in await admin.ask("/publish @agroup")
    assert "<code>/publish @yourchannel</code>" in await admin.ask("/publish <b>x</b>")
    assert storage.publish_target(db) is None


async def test_readers_cannot_publish(app, api, db, news_channel):
    reader = Chat(app, api, user_id=READER_ID, chat_id=READER_ID)
    assert "only Backchannel admins" in await reader.ask("/publish @desknews")
    assert storage.publish_target(db) is None


async def test_off_unlinks_and_is_audited(app, api, db, admin, news_channel):
    await admin.ask("/publish @desknews digest uk")
    assert storage.get_subscriber(db, CHANNEL_ID).active
    assert "Stopped publishing to Desk news" in await admin.ask("/publish off")
    assert storage.publish_target(db) is None
    assert not storage.get_subscriber(db, CHANNEL_ID).active
    actions = [entry.action for entry in storage.recent_audit(db, 5)]
    assert actions[:2] == ["unpublish", "publish"]
