"""Authorization: no admin command or admin button changes anything for a non-admin, and each
attempt is logged.

The commands come from the registered handlers, so a new admin command fails this test until
it has an attempt below that would change the database in an admin's hands.
"""

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage
from bot.auth import REFUSAL
from bot.command_menu import registered_commands
from tests.admin_support import admin_in
from tests.conftest import ADMIN_ID, GROUP_ID, READER_ID, Chat
from tests.digest_support import EDITOR, add_subscriber

REVOKED_ADMIN = 777  # was an admin once: granted, then revoked
GRANTED_ADMIN = 778  # still an admin, the target of /revoke attempts
GROUP_OWNER = 600  # owns the Telegram group, but is no Backchannel admin

# What an admin would type to change something (or to read admin-only data).
ATTEMPTS = {
    "set": ["/set", "/set aid stalled Convoys halted https://example.org/r official"],
    "note": ["/note aid Lists handed over"],
    "confirm": ["/confirm aid"],
    "undo": ["/undo"],
    "addchannel": ["/addchannel energy Energy infrastructure truce /grid"],
    "renamechannel": ["/renamechannel aid Aid corridors", "/renamechannel aid | Коридори"],
    "translate": ["/translate aid Конвої зупинено"],
    "archivechannel": ["/archivechannel aid"],
    "restorechannel": ["/restorechannel summit"],
    "admins": ["/admins"],
    "grant": ["/grant 501 Me", f"/grant {REVOKED_ADMIN}"],
    "revoke": [f"/revoke {GRANTED_ADMIN}"],
    "audit": ["/audit 50"],
    "cancel": ["/cancel"],
    "digestnow": ["/digestnow"],
    "export": ["/export"],
    "sources": ["/sources"],
    "source": ["/source add https://t.me/icrc_ua aid official", "/source pause 1"],
    "inbox": ["/inbox", "/inbox notify on"],
    "publish": ["/publish @desknews digest", "/publish off"],
}
# Admin buttons: the guided /set's channel (also the Update button), phase and cancel.
BUTTONS = ["set:c:{aid}", "set:p:{aid}:stalled", "set:x", "set:c:999", "set:p:{aid}:bogus"]
# The inbox's buttons: note, phase update, dismiss, mute (no item exists, but none may act).
BUTTONS += ["ibx:n:1:{aid}", "ibx:u:1:{aid}", "ibx:d:1", "ibx:m:1", "ibx:r:1"]
PEOPLE = [
    ("reader in private", READER_ID, READER_ID),
    ("reader in the group", READER_ID, GROUP_ID),
    ("group owner", GROUP_OWNER, GROUP_ID),
    ("revoked admin", REVOKED_ADMIN, REVOKED_ADMIN),
]
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def dump(db) -> str:
    """Every table's schema and rows, as SQL: equal dumps mean an identical database."""
    return "\n".join(db.conn.iterdump())


@pytest.fixture
def world(db, app, api):
    """Data a refused attempt could damage: history, a subscriber, admins, an archived channel."""
    storage.record_status(
        db, channel_id=storage.find_channel(db, "aid").id, kind="status",
        phase="negotiating", summary="Convoys resume", actor=EDITOR,
    )  # fmt: skip
    add_subscriber(db, READER_ID)
    add_subscriber(db, GROUP_ID)
    owner = storage.Actor(id=ADMIN_ID, name="Olena")
    for user_id in (REVOKED_ADMIN, GRANTED_ADMIN):
        storage.grant_admin(db, user_id=user_id, name="Taras", actor=owner)
    storage.revoke_admin(db, user_id=REVOKED_ADMIN, actor=owner)
    summit = storage.find_channel(db, "summit").id
    storage.set_archived(db, channel_id=summit, archived=True, actor=owner)
    api.chat_member_status[GROUP_OWNER] = "creator"
    storage.add_source(db, url="https://t.me/ombudsman_ua", kind="telegram", actor=owner)
    # A channel the bot may publish to, already linked (so /publish off has something to undo).
    api.chats["@desknews"] = {"id": -1009876, "type": "channel", "title": "Desk news"}
    api.chat_member_status[7000000001] = "administrator"
    api.chat_member_rights[7000000001] = {"can_post_messages": True, "can_edit_messages": True}
    storage.link_target(
        db, chat_id=-1005555, title="Old desk", language="en", with_digest=False, actor=owner
    )
    return {"aid": storage.find_channel(db, "aid").id}


def test_every_admin_command_has_attempts(app) -> None:
    admin_commands = {info.name for info in registered_commands(app) if info.admin_only}
    assert admin_commands == set(ATTEMPTS)


@FUZZ
@given(
    attempt=st.sampled_from(
        [("command", text) for texts in ATTEMPTS.values() for text in texts]
        + [("button", data) for data in BUTTONS]
    ),
    person=st.sampled_from(PEOPLE),
    open_form=st.booleans(),
)
async def test_non_admins_change_nothing_and_are_logged(
    db, app, api, world, caplog, attempt, person, open_form
) -> None:
    kind, what = attempt
    _, user_id, chat_id = person
    if open_form:  # an admin's guided form waits for a phase in the same chat
        admin = admin_in(app, api, user_id=ADMIN_ID, group=chat_id < 0)
        await admin.ask("/set")
        await admin.press(f"set:c:{world['aid']}")
    intruder = admin_in(app, api, user_id=user_id)
    intruder.chat_id, intruder.chat_type = chat_id, "private" if chat_id > 0 else "supergroup"
    before, logged = dump(db), len(caplog.records)
    caplog.set_level(logging.INFO)
    if kind == "command":
        seen = await Chat(app, api, user_id, chat_id, intruder.chat_type).send(what)
        assert seen == [REFUSAL], what
    else:
        pressed = await intruder.press(what.format(**world))
        assert pressed.edits == [] and pressed.messages == []
        assert len(pressed.answers) == 1 and pressed.answers[0].get("show_alert")
    assert dump(db) == before
    refusals = [
        record
        for record in caplog.records[logged:]
        if record.levelno == logging.WARNING and "refused" in record.getMessage()
    ]
    assert [r.getMessage().endswith(f"to user {user_id}") for r in refusals] == [True], what


@pytest.mark.parametrize(
    "command",
    [
        text
        for name, texts in ATTEMPTS.items()
        if name not in {"admins", "audit", "cancel", "digestnow", "export", "undo", "sources"}
        for text in texts
        if text not in {"/set", "/inbox"}
    ],
)
async def test_the_same_attempts_do_change_things_for_an_admin(db, app, api, world, command):
    """The comparison above can fail: in an admin's hands every attempt changes the dump."""
    before = dump(db)
    replies = await admin_in(app, api).send(command)
    assert replies and REFUSAL not in replies
    assert dump(db) != before


async def test_admin_buttons_work_for_an_admin(db, app, api, world) -> None:
    admin = admin_in(app, api)
    picked = await admin.press(f"set:c:{world['aid']}")
    assert "Which phase is it now?" in picked.edits[0]
    asked = await admin.press(f"set:p:{world['aid']}:stalled")
    assert "send the summary" in asked.edits[0]
    before = dump(db)
    assert "✅ Status saved" in await admin.ask("Convoys halted again")
    assert dump(db) != before
