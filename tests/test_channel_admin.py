"""/addchannel, /renamechannel, /archivechannel, /restorechannel and the command menu."""

import pytest

from bot.cli.offline_api import ScriptedFailure
from tests.admin_support import admin_in, rows
from tests.conftest import Chat


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


def menu(api) -> list[str]:
    return [command["command"] for command in api.sent("setMyCommands")[-1]["commands"]]


async def test_add_channel_is_live_for_readers_and_in_the_menu(db, app, api, admin) -> None:
    reply = await admin.ask("/addchannel energy Energy infrastructure truce /grid /Power")
    assert "🆕 Added <b>Energy infrastructure truce</b>" in reply
    assert "/energy (also /grid, /power)" in reply
    assert "/set energy &lt;phase&gt; &lt;summary&gt;" in reply
    reader = Chat(app, api)
    assert (await reader.ask("/power")).startswith("<b>Energy infrastructure truce</b>")
    assert "/energy (also /grid, /power): Energy infrastructure truce" in await reader.ask("/help")
    assert menu(api)[-1] == "energy"
    audit = rows(db, "audit_log")
    assert [row["action"] for row in audit[-2:]] == ["add_channel", "status"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/addchannel", "“” is not a valid command name"),
        ("/addchannel energy", "The title is empty"),
        ("/addchannel Energy Energy truce", "“Energy” is not a valid command name"),
        ("/addchannel e Energy truce", "“e” is not a valid command name"),
        ("/addchannel " + "e" * 33 + " Energy truce", "is not a valid command name"),
        ("/addchannel en-ergy Energy truce", "is not a valid command name"),
        ("/addchannel status Status", "/status is already a command"),
        ("/addchannel audit Audits", "/audit is already a command"),
        ("/addchannel ceasefire Again", "/ceasefire is already a command"),
        ("/addchannel energy Energy truce /prisoners", "/prisoners is already a command"),
        ("/addchannel energy Energy truce /grid /grid", "/grid is already a command"),
        ("/addchannel energy Energy truce /g", "“g” is not a valid command name"),
        ("/addchannel energy " + "T" * 101, "The title is 101 characters long; the limit is 100"),
    ],
)
async def test_add_channel_validation(db, admin, command, expected) -> None:
    before = rows(db, "channels")
    reply = await admin.ask(command)
    assert expected in reply and "Nothing was changed" in reply
    assert "/addchannel energy Energy infrastructure truce /grid /power" in reply
    assert rows(db, "channels") == before


async def test_rename_changes_title_everywhere(db, app, api, admin) -> None:
    reply = await admin.ask("/renamechannel aid Aid <access> & convoys")
    assert "Renamed /aid: <b>Civilian humanitarian aid access</b> → <b>Aid &lt;access&gt;" in reply
    assert "• Aid &lt;access&gt; &amp; convoys: /aid" in await Chat(app, api).ask("/channels")
    assert {"command": "aid", "description": "Aid <access> & convoys"} in api.sent("setMyCommands")[
        -1
    ]["commands"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/renamechannel", "Channels you can use here: summit, aid"),
        ("/renamechannel zzz New", "Type <code>/renamechannel"),
        ("/renamechannel nosuch Foo", "There is no channel called “nosuch”"),
        ("/renamechannel corridor Foo", "Did you mean <code>/renamechannel corridors</code>?"),
        ("/archivechannel corridor", "Did you mean <code>/archivechannel corridors</code>?"),
        ("/renamechannel aid", "Nothing was changed: The title is empty."),
        ("/archivechannel", "Type <code>/archivechannel &lt;slug&gt;</code>"),
        ("/restorechannel aid", "/aid is not archived"),
        ("/restorechannel", "Channels you can use here: none"),
    ],
)
async def test_channel_command_mistakes(db, admin, command, expected) -> None:
    before = rows(db, "channels"), rows(db, "audit_log")
    assert expected in await admin.ask(command)
    assert (rows(db, "channels"), rows(db, "audit_log")) == before


async def test_archive_hides_and_restore_brings_back(db, app, api, admin) -> None:
    reader = Chat(app, api)
    await admin.ask("/set aid negotiating Before archiving")
    reply = await admin.ask("/archivechannel aid")
    assert "🗄 Archived <b>Civilian humanitarian aid access</b>" in reply
    assert "Civilian humanitarian aid access" not in await reader.ask("/status")
    assert "I don't know the command /aid" in await reader.ask("/aid")
    assert "aid" not in menu(api)
    assert "/aid is already archived" in await admin.ask("/archivechannel aid")
    assert "Channels you can use here: aid" in await admin.ask("/restorechannel")
    # Its name stays reserved while archived.
    assert "/aid is already a command" in await admin.ask("/addchannel aid Other aid")
    assert "♻️ Restored" in await admin.ask("/restorechannel aid")
    assert "Before archiving" in await reader.ask("/aid")
    assert "aid" in menu(api)
    actions = [row["action"] for row in rows(db, "audit_log")[-2:]]
    assert actions == ["archive", "restore"]


async def test_menu_failure_keeps_the_change(db, app, api, admin) -> None:
    api.fail_next("setMyCommands", ScriptedFailure(500, "Internal Server Error"))
    reply = await admin.ask("/renamechannel summit Summit talks")
    assert "Renamed /summit" in reply and "menu will catch up" in reply
    assert "Summit talks" in await Chat(app, api).ask("/channels")


async def test_renaming_to_the_same_title_changes_and_logs_nothing(db, admin) -> None:
    """Found by fuzzing admins: an audit row for a rename that renamed nothing."""
    assert "✏️ Renamed" in await admin.ask("/renamechannel aid Aid corridors")
    before = rows(db, "channels"), rows(db, "audit_log")
    reply = await admin.ask("/renamechannel aid  Aid corridors ")
    assert reply == "/aid already has that title, so nothing was changed."
    assert (rows(db, "channels"), rows(db, "audit_log")) == before
