"""Helpers for admin tests: an admin's chat, button presses, and reading what was stored."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.cli.offline_api import BOT_USER
from bot.cli.update_factory import callback_update, chat_dict, user_dict
from bot.config import Settings
from tests.conftest import ADMIN_ID, GROUP_ID, Chat
from tests.html_check import telegram_html_problems


@dataclass
class Pressed:
    """What the bot did after a button press."""

    answers: list[dict[str, Any]]
    edits: list[str]
    messages: list[str]


@dataclass
class AdminChat(Chat):
    """A Chat that can also press inline buttons under the bot's messages."""

    user_id: int = ADMIN_ID
    chat_id: int = ADMIN_ID
    first_name: str = "Olena"

    def buttons(self) -> list[str]:
        """Callback data of the latest inline keyboard the bot sent or edited in."""
        for call in reversed(self.api.calls):
            markup = call.params.get("reply_markup")
            if call.method in {"sendMessage", "editMessageText"} and isinstance(markup, dict):
                return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        return []

    async def press(self, data: str, message_id: int = 1) -> Pressed:
        """Press a button with `data` under the bot's message `message_id`."""
        before = len(self.api.calls)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat_dict(self.chat_id, self.chat_type),
            "from": BOT_USER,
            "text": "Which channel changed?",
        }
        user = user_dict(self.user_id, self.first_name)
        update = callback_update(self.app.bot, data, user=user, message=message)
        await self.app.process_update(update)
        calls = self.api.calls[before:]
        edits = [c.params["text"] for c in calls if c.method == "editMessageText"]
        messages = [c.params["text"] for c in calls if c.method == "sendMessage"]
        for html in edits + messages:
            assert telegram_html_problems(html) == [], html
        answers = [c.params for c in calls if c.method == "answerCallbackQuery"]
        return Pressed(answers, edits, messages)


def admin_in(app: Any, api: Any, *, group: bool = False, user_id: int = ADMIN_ID) -> AdminChat:
    """An admin's private chat, or the same admin in the test group."""
    if group:
        return AdminChat(app, api, user_id=user_id, chat_id=GROUP_ID, chat_type="supergroup")
    return AdminChat(app, api, user_id=user_id, chat_id=user_id)


def rows(db: Database, table: str) -> list[dict[str, Any]]:
    """Every row of a table, oldest first (tests may look at storage directly)."""
    return list(db.query(f"SELECT * FROM {table} ORDER BY rowid"))


def source_watch_settings(tmp_path: Path) -> Settings:
    """Settings for source-watch tests: one admin, no flood limit, feeds on 127.0.0.1 allowed,
    the pipeline in a thread (a test wanting the bot's process pipeline switches it)."""
    return Settings(
        _env_file=None,
        database_path=tmp_path / "backchannel.db",
        admin_ids=frozenset({ADMIN_ID}),
        flood_burst=100_000,
        sources_allow_private=True,  # the fixture server is on 127.0.0.1
        sources_pipeline="thread",
    )
