"""Pressing inline buttons in tests: a Bot API fake that remembers messages, and a Tapper."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import callback_update, user_dict
from tests.conftest import READER_ID
from tests.html_check import telegram_html_problems


@dataclass
class TapBotApi(OfflineBotApi):
    """OfflineBotApi that also keeps every message it returned, as Telegram would store them."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def result(self, method: str, params: dict[str, Any]) -> Any:
        answer = super().result(method, params)
        if method in {"sendMessage", "editMessageText"}:
            self.messages.append(answer)
        return answer

    def last_with_buttons(self) -> dict[str, Any]:
        return next(m for m in reversed(self.messages) if "reply_markup" in m)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a message, in reading order."""
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for b in buttons(message)]


@dataclass
class Tap:
    """What one button press made the bot do."""

    edits: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    sent: list[dict[str, Any]]

    @property
    def text(self) -> str:
        (edit,) = self.edits
        return edit["text"]

    @property
    def notice(self) -> str | None:
        (answer,) = self.answers
        return answer.get("text")

    @property
    def keyboard(self) -> list[str]:
        (edit,) = self.edits
        return [b["text"] for row in edit["reply_markup"]["inline_keyboard"] for b in row]


@dataclass
class Tapper:
    """Presses buttons as a user would, through the real Application."""

    app: Application
    api: TapBotApi
    user_id: int = READER_ID

    async def press_data(self, data: str, message: dict[str, Any] | None) -> Tap:
        before = len(self.api.calls)
        user = user_dict(self.user_id, "Reader")
        await self.app.process_update(
            callback_update(self.app.bot, data, user=user, message=message)
        )
        calls = self.api.calls[before:]
        tap = Tap(
            edits=[c.params for c in calls if c.method == "editMessageText"],
            answers=[c.params for c in calls if c.method == "answerCallbackQuery"],
            sent=[c.params for c in calls if c.method == "sendMessage"],
        )
        for edit in tap.edits:
            assert edit.get("parse_mode") == "HTML"
            assert telegram_html_problems(edit["text"]) == [], edit["text"]
        return tap

    async def press(self, label: str, message: dict[str, Any] | None = None) -> Tap:
        """Press the button whose label contains `label` on `message` (default: the last one)."""
        message = message or self.api.last_with_buttons()
        (button,) = [b for b in buttons(message) if label in b["text"]]
        return await self.press_data(button["callback_data"], message)
