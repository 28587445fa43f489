"""Edited and forwarded messages are never run: an edit writes nothing, a forward is no command.

Editing an old `/set` used to record it again; forwarding someone's "/grant 4242 Mallory"
ran it with the forwarder's rights.
"""

import pytest

import storage
from bot.cli.update_factory import forwarded_from, user_dict
from bot.handlers.resent import EDIT_NOTICE, FORWARD_NOTICE
from bot.jobs import scheduling as jobs
from tests.admin_support import admin_in, rows
from tests.conftest import ADMIN_ID, GROUP_ID, READER_ID, Chat
from tests.digest_support import add_subscriber

MALLORY = 4242


def dump(db) -> str:
    return "\n".join(db.conn.iterdump())


def dump_outside_the_inbox(db) -> str:
    """Everything but the source inbox (and its own audit rows), where an admin's forward in
    private is filed."""
    inbox = ('"source_items"', '"sources"', "source_items", "sources_fts", ",'source_add',")
    return "\n".join(line for line in db.conn.iterdump() if not any(t in line for t in inbox))


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


@pytest.mark.parametrize(
    ("earlier", "command"),
    [
        ([], "/set aid stalled Convoys halted"),
        ([], "/note aid Lists handed over"),
        ([], "/confirm aid"),
        ([], "/grant 4242 Mallory"),
        ([], "/addchannel energy Energy truce"),
        (["/set aid stalled Convoys halted", "/set aid negotiating Talks resumed"], "/undo"),
    ],
)
async def test_editing_an_admin_command_writes_nothing(db, admin, earlier, command) -> None:
    for text in earlier:
        await admin.ask(text)
    await admin.ask(command)
    before = dump(db)
    assert await admin.send(command, edited=True) == [EDIT_NOTICE]
    assert dump(db) == before


async def test_editing_digestnow_sends_nothing(db, app, api, admin) -> None:
    add_subscriber(db, READER_ID)
    assert await admin.send("/digestnow", edited=True) == [EDIT_NOTICE]
    assert jobs.service(app).background is None
    assert storage.get_subscriber(db, READER_ID).last_digest_at is None


async def test_edited_reader_command_gets_the_notice_and_questions_are_ignored(app, api) -> None:
    reader = Chat(app, api)
    assert await reader.send("/ceasefire", edited=True) == [EDIT_NOTICE]
    assert await reader.send("any news on prisoner swaps?", edited=True) == []
    group = Chat(app, api, chat_id=GROUP_ID, chat_type="supergroup")
    assert await group.send("@BackchannelBot any news?", edited=True) == []
    # A command for another bot is not ours to comment on.
    assert await group.send("/start@OtherBot", edited=True) == []


async def test_editing_the_guided_summary_saves_nothing_more(db, admin) -> None:
    aid = storage.find_channel(db, "aid").id
    await admin.ask("/set")
    await admin.press(f"set:c:{aid}")
    await admin.press(f"set:p:{aid}:stalled")
    assert "✅ Status saved" in await admin.ask("Convoys halted")
    before = dump(db)
    await admin.ask("/set")
    await admin.press(f"set:c:{aid}")
    await admin.press(f"set:p:{aid}:collapsed")
    # The edit of the first summary must not become the second form's summary.
    assert await admin.send("Convoys halted again", edited=True) == []
    assert dump(db) == before


@pytest.mark.parametrize(
    "command", ["/grant 4242 Mallory", "/set aid collapsed Talks over", "/revoke 777", "/undo"]
)
async def test_a_forwarded_command_is_not_run(db, admin, command) -> None:
    # An admin's forward in private is filed in the source inbox (issue 17), never run.
    await admin.ask("/grant 777 Taras")
    await admin.ask("/set aid negotiating Talks resumed")  # what a forwarded /undo would revert
    before = dump_outside_the_inbox(db)
    forward = forwarded_from(user_dict(MALLORY, "Mallory"))
    (answer,) = await admin.send(command, **forward)
    assert answer.startswith("<b>Filed in the inbox:</b>")
    assert dump_outside_the_inbox(db) == before


async def test_a_forwarded_command_in_a_group_is_not_run(db, app, api) -> None:
    admin = admin_in(app, api, group=True)
    forward = forwarded_from(user_dict(MALLORY, "Mallory"))
    assert await admin.send("/grant@BackchannelBot 4242", **forward) == [FORWARD_NOTICE]
    assert rows(db, "admins") == []
    # Forwarded chat between people in a group is none of the bot's business.
    assert await admin.send("any news on swaps?", **forward) == []


async def test_a_forwarded_text_is_never_a_guided_summary(db, admin) -> None:
    aid = storage.find_channel(db, "aid").id
    await admin.ask("/set")
    await admin.press(f"set:c:{aid}")
    await admin.press(f"set:p:{aid}:collapsed")
    before = dump_outside_the_inbox(db)
    forward = forwarded_from(user_dict(MALLORY, "Mallory"))
    (filed,) = await admin.send("Aid convoys halted", **forward)
    assert filed.startswith("<b>Filed in the inbox:</b>")
    assert dump_outside_the_inbox(db) == before
    assert "✅ Status saved" in await admin.ask("Aid convoys halted")
    assert storage.history(db, aid, 1)[0].actor_id == ADMIN_ID


async def test_a_forwarded_question_in_private_is_still_answered(app, api) -> None:
    reader = Chat(app, api)
    forward = forwarded_from(user_dict(MALLORY, "Mallory"))
    (answer,) = await reader.send("any news on prisoner swaps?", **forward)
    assert answer.startswith("<b>Detainee swaps and prisoner releases</b>")


async def test_a_channel_post_copied_to_its_discussion_group_gets_no_notice(db, app, api) -> None:
    """Telegram forwards every post of a channel to its linked group by itself."""
    channel = {"id": -1009876, "type": "channel", "title": "Newsroom"}
    group = Chat(app, api, chat_id=GROUP_ID, chat_type="supergroup")
    automatic = {
        "is_automatic_forward": True, "sender_chat": channel,
        "forward_origin": {"type": "channel", "chat": channel, "message_id": 3, "date": 0},
    }  # fmt: skip
    assert await group.send("/ceasefire", **automatic) == []
