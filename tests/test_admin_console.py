"""The console user is an admin in the console only; buttons are pressed by typing their text."""

import io

import storage
from bot.app import build_application
from bot.cli.console import CONSOLE_USER_ID, run_console
from bot.cli.offline_api import OfflineBotApi
from tests.admin_support import admin_in
from tests.conftest import TEST_TOKEN


async def chat(settings, db, lines: str) -> str:
    out = io.StringIO()
    await run_console(settings, db, io.StringIO(lines), out)
    return out.getvalue()


async def test_console_user_can_update_and_use_the_guided_form(settings, db) -> None:
    transcript = await chat(
        settings,
        db,
        "/set aid stalled Convoys halted\n"
        "/set\n"
        "Tactical ceasefire proposals\n"
        "🤝 negotiating\n"
        "Easter pause <b>discussed</b>\n",
    )
    assert "🧩 Partial agreement → 🧊 Stalled · ⬇️ setback" in transcript
    assert "[Tactical ceasefire proposals]" in transcript
    assert "(type a button's text or number to press it)" in transcript
    assert "bot (edited)> Tactical ceasefire proposals → 🤝 Negotiating." in transcript
    assert "Easter pause <b>discussed</b>" in transcript  # rendered as the reader sees it
    ceasefire = storage.find_channel(db, "ceasefire")
    assert storage.history(db, ceasefire.id, 1)[0].summary == "Easter pause <b>discussed</b>"
    assert "only Backchannel admins" not in transcript


async def test_console_admin_does_not_leak_into_telegram(settings, db) -> None:
    await chat(settings, db, "/status\n")
    assert CONSOLE_USER_ID not in settings.admin_ids
    api = OfflineBotApi()
    application = build_application(settings, db, token=TEST_TOKEN, request=api)
    async with application:
        reply = await admin_in(application, api, user_id=CONSOLE_USER_ID).ask("/undo")
    assert "only Backchannel admins" in reply
