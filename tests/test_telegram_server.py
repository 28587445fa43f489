"""Against a Bot API server over real HTTP: the configurable base URL, and `backchannel run`."""

import os
import signal

import pytest

from bot.app import build_application
from bot.cli.update_factory import chat_dict, text_update, user_dict
from bot.config import Settings
from tests import forked_cli
from tests.bot_api_emulator import BotApiEmulator

TOKEN = "424242:SECRET-token-for-tests"


async def test_application_uses_the_configured_base_url(tmp_path, db) -> None:
    with BotApiEmulator() as server:
        settings = Settings(_env_file=None, bot_api_base_url=server.url, database_path=":memory:")
        application = build_application(settings, db, token=TOKEN)
        async with application:
            await application.post_init(application)
            update = text_update(
                application.bot, "/ceasefire", user=user_dict(5, "R"), chat=chat_dict(5)
            )
            await application.process_update(update)
        (sent,) = server.of("sendMessage")
    assert {call.token for call in server.calls} == {TOKEN}
    assert [c.method for c in server.calls][:2] == ["getMe", "setMyCommands"]
    assert sent.params["chat_id"] == 5 and sent.params["parse_mode"] == "HTML"
    assert sent.params["text"].startswith("<b>Tactical ceasefire proposals</b>")


@pytest.mark.subprocess
def test_backchannel_run_serves_telegram_by_polling(tmp_path) -> None:
    with BotApiEmulator() as server:
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": server.url,
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "LOG_LEVEL": "DEBUG",
        }
        # A process of its own, forked with the bot already imported (tests/forked_cli.py);
        # tests/test_first_run.py starts `python -m bot.cli run` afresh against a server too.
        process = forked_cli.popen_cli(["run"], cwd=tmp_path, env=env)
        try:
            server.push_text("/status")
            (reply,) = server.wait_for_call("sendMessage")
            server.push_text("/prisoners")
            replies = server.wait_for_call("sendMessage", count=2)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Leader-level summit" in reply.params["text"]
    assert replies[1].params["text"].startswith("<b>Detainee swaps and prisoner releases</b>")
    assert "serving Telegram by long polling" in stderr
    assert TOKEN not in stderr and TOKEN.split(":")[1] not in stderr
