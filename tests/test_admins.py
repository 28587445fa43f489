"""/admins, /grant, /revoke, /audit, and what /help and the menu show to whom."""

import pytest

from tests.admin_support import admin_in, rows
from tests.conftest import Chat

NEW_ADMIN = 777


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


async def test_grant_lets_someone_update_and_revoke_stops_them(db, app, api, admin) -> None:
    newcomer = admin_in(app, api, user_id=NEW_ADMIN)
    assert "only Backchannel admins" in await newcomer.ask("/set aid stalled Halted")
    reply = await admin.ask("/grant 777 Taras <T&T>")
    assert "✅ 777 (Taras &lt;T&amp;T&gt;) is now an admin" in reply
    assert "✅ Status saved" in await newcomer.ask("/set aid stalled Halted")
    listing = await admin.ask("/admins")
    assert "• 900" in listing and "• 777 Taras &lt;T&amp;T&gt; (by Olena, 2026-11-24)" in listing
    assert "777 is already an admin" in await admin.ask("/grant 777")
    assert "🚫 777 is no longer an admin" in await admin.ask("/revoke 777")
    assert "only Backchannel admins" in await newcomer.ask("/note aid Again")
    assert [row["action"] for row in rows(db, "audit_log")[-3:]] == ["grant", "status", "revoke"]


async def test_grant_by_replying_to_a_message(db, app, api) -> None:
    admin = admin_in(app, api, group=True)
    replied = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": admin.chat_id, "type": "supergroup", "title": "Group"},
        "from": {"id": 555, "is_bot": False, "first_name": "Mariia"},
        "text": "hi",
    }
    (reply,) = await admin.send("/grant", reply_to_message=replied)
    assert "555 (Mariia) is now an admin" in reply
    assert rows(db, "admins")[0]["name"] == "Mariia"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/grant", "Type <code>/grant &lt;user id&gt; [name]</code>"),
        ("/grant olena", "Type <code>/grant"),
        ("/grant -5", "Type <code>/grant"),
        ("/grant 900", "900 is already an admin"),
        ("/revoke", "Type <code>/revoke &lt;user id&gt;</code>"),
        ("/revoke 12 13", "Type <code>/revoke"),
        ("/revoke 900", "900 is in ADMIN_IDS, so it stays an admin"),
        ("/revoke 4242", "4242 is not an admin, so nothing changed"),
        ("/audit 0", "a number from 1 to 50"),
        ("/audit ten", "a number from 1 to 50"),
        # Unicode digits Python's int() cannot read (superscripts) must not crash.
        ("/audit ²", "a number from 1 to 50"),
        ("/grant ²", "Type <code>/grant"),
        ("/revoke ³", "Type <code>/revoke"),
    ],
)
async def test_admin_management_mistakes(db, admin, command, expected) -> None:
    before = rows(db, "admins"), rows(db, "audit_log")
    assert expected in await admin.ask(command)
    assert (rows(db, "admins"), rows(db, "audit_log")) == before


async def test_audit_shows_who_what_when_escaped(db, admin, frozen_time) -> None:
    await admin.ask("/set ceasefire negotiating Talks <b>resumed</b> & more")
    frozen_time.shift(60)
    await admin.ask("/confirm aid")
    reply = await admin.ask("/audit 2")
    assert "Audit log: last 2, newest first" in reply and "times in UTC" in reply
    confirm, status = reply.split("\n• ")[1:]
    assert confirm.startswith("2026-11-24 12:01 · Olena (900) · <b>confirm</b> · Civilian")
    assert status.startswith("2026-11-24 12:00 · Olena (900) · <b>status</b> · Tactical")
    assert "phase: exploratory → negotiating" in status
    assert "summary: Preliminary frameworks" in status
    assert "→ Talks &lt;b&gt;resumed&lt;/b&gt; &amp; more" in status


@pytest.mark.parametrize("number", ["51", "999", "9" * 40])
async def test_audit_caps_a_big_number_and_says_so(db, admin, number) -> None:
    for index in range(52):
        await admin.ask(f"/note aid Note {index}")
    replies = await admin.send(f"/audit {number}")  # long: split into several messages
    assert replies[0].startswith("Showing the last 50 changes, the most /audit lists.")
    assert "".join(replies).count("• 2026-11-24") == 50


async def test_audit_default_lists_ten(db, admin) -> None:
    for number in range(12):
        await admin.ask(f"/note aid Note {number}")
    reply = await admin.ask("/audit")
    assert reply.count("\n• ") == 10 and "Note 1\n" not in reply
    assert "<b>note</b> · Civilian humanitarian aid access\n  summary: none → Note 11" in reply


async def test_help_shows_admin_commands_only_to_admins(app, api, admin) -> None:
    admin_help = await admin.ask("/help")
    assert "<b>Admin commands</b>" in admin_help
    for name in ["set", "note", "confirm", "undo", "addchannel", "audit", "grant", "revoke"]:
        assert f"\n/{name}: " in admin_help
    assert "/set: Set a channel" in admin_help
    reader_help = await Chat(app, api).ask("/help")
    assert "Admin commands" not in reader_help and "/set" not in reader_help
    menu = [c["command"] for c in api.sent("setMyCommands")[0]["commands"]]
    assert "set" not in menu and "audit" not in menu and "status" in menu
