"""The bot object Backchannel talks to Telegram through: PTB's ExtBot plus a lean text reply.

A reader's reply is one to two kilobytes of HTML under a few buttons. `Message.reply_text`
turns the buttons into JSON through PTB's generic object walk and then parses the message
Telegram echoes back (text, chat, sender and the whole keyboard again) into typed objects.
In the latency benchmark those two steps were about two thirds of a /status request, for a
result no reply ever reads. `send_html` writes the buttons' JSON directly and keeps only the
new message's id.

It also skips the generic half of PTB's `_post`: `_insert_defaults` (every value here is
already final: HTML, the Defaults' link preview choice, no `DefaultValue` and no datetime)
and `RequestParameter.from_input` per value (plain strings, ints and dicts need no
conversion). The request itself goes through the bot's own `BaseRequest.post`, so the HTTP
layer, Telegram's answer and PTB's error mapping (RetryAfter, Forbidden, BadRequest...) are
exactly those of `send_message`. With a rate limiter configured, `_post` is used as before.
"""

import asyncio
import operator
from collections.abc import Iterable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.ext import ExtBot
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

# The only button fields Backchannel's keyboards use; a button with anything else (a URL, a
# login, a game...) is serialised by PTB instead, so nothing is ever dropped.
_PLAIN_BUTTON_FIELDS = {"text", "callback_data"}
_OTHER_BUTTON_FIELDS = operator.attrgetter(
    *(
        name
        for name in InlineKeyboardButton.__slots__
        if name not in _PLAIN_BUTTON_FIELDS and not name.startswith("_")
    )
)


class WireKeyboard:
    """Callback buttons written in the Bot API's form when the keyboard is made.

    For a keyboard that changes with the data (/status shows each channel's phase on its
    button): building PTB's button and keyboard objects and then walking them back into JSON
    was a tenth of a cold /status, and remembering either only helped until the next phase
    change. Each row is (text, callback data) pairs; the form is final, never changed.
    """

    __slots__ = ("form",)

    def __init__(self, rows: Iterable[Iterable[tuple[str, str]]]) -> None:
        self.form: dict[str, Any] = {
            "inline_keyboard": [
                [{"text": text, "callback_data": data} for text, data in row] for row in rows
            ]
        }

    def markup(self) -> InlineKeyboardMarkup:
        """The same keyboard as PTB's objects (for tests and anything that needs them)."""
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
                for row in self.form["inline_keyboard"]
            ]
        )


Keyboard = InlineKeyboardMarkup | WireKeyboard


class BackchannelBot(ExtBot[None]):
    """ExtBot with `send_html` and `edit_html`, the paths every page takes (see above)."""

    __slots__ = ("_fixed_parameters", "_link_preview_json")

    def __init__(self, token: str, **options: Any) -> None:
        super().__init__(token, **options)
        # The Defaults' link preview choice in wire form, so no reply re-serialises it.
        preview = self.defaults.link_preview_options if self.defaults else None
        self._link_preview_json = preview.to_dict() if preview is not None else None
        # What every page's request says the same way, built once (the parameters are frozen).
        self._fixed_parameters = [RequestParameter("parse_mode", ParseMode.HTML.value, None)]
        if self._link_preview_json is not None:
            self._fixed_parameters.append(
                RequestParameter("link_preview_options", self._link_preview_json, None)
            )

    async def initialize(self) -> None:
        """Open the HTTP layers and check the token; on failure, close the layers again.

        PTB opens its requests and then asks Telegram who the bot is. When that fails (a
        rejected token, no network, Ctrl-C while waiting) nothing ever shuts the bot down, and
        aiohttp reports the session left open on stderr after the one-line error.
        """
        try:
            await super().initialize()
        except BaseException:
            await asyncio.gather(
                *(request.shutdown() for request in self._request), return_exceptions=True
            )
            raise

    async def send_html(
        self,
        chat_id: int,
        html: str,
        *,
        markup: Keyboard | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """Send an HTML message and return its id; errors raise exactly as in send_message.

        `reply_to` quotes that message (groups), `thread_id` keeps the reply in a forum topic.
        Link previews follow the application's Defaults, like every other call.
        """
        data = {
            "chat_id": chat_id,
            "text": html,
            "reply_markup": keyboard_json(markup) if markup is not None else None,
            "reply_parameters": {"message_id": reply_to} if reply_to is not None else None,
            "message_thread_id": thread_id,
        }
        result = await self._send_page("sendMessage", data)
        return int(result["message_id"])

    async def edit_html(
        self,
        chat_id: int,
        message_id: int,
        html: str,
        *,
        markup: Keyboard | None = None,
    ) -> None:
        """Turn a message into another page (button taps), the same lean way as `send_html`."""
        data = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": html,
            "reply_markup": keyboard_json(markup) if markup is not None else None,
        }
        await self._send_page("editMessageText", data)

    async def _send_page(self, endpoint: str, data: dict[str, Any]) -> Any:
        # `data` holds only final JSON values (str, int, dicts of them) or None for "absent".
        if self.rate_limiter is not None:
            data["parse_mode"] = ParseMode.HTML
            data["link_preview_options"] = self._link_preview_json
            return await self._post(endpoint, data)
        parameters = [
            RequestParameter(name, value, None) for name, value in data.items() if value is not None
        ]
        parameters += self._fixed_parameters
        return await self._request[1].post(
            url=f"{self.base_url}/{endpoint}", request_data=RequestData(parameters)
        )


def bot_of(message: Message) -> BackchannelBot:
    """The bot a message came through, which must be Backchannel's own (its lean paths)."""
    bot = message.get_bot()
    if not isinstance(bot, BackchannelBot):
        raise TypeError("pages need the application built by bot.app.build_application")
    return bot


def keyboard_json(markup: Keyboard) -> dict[str, Any]:
    """The Bot API form of an inline keyboard, built directly for text-and-callback buttons.

    A `WireKeyboard` is already in that form.

    PTB's `to_dict` walks every attribute of every button generically; for Backchannel's
    buttons the result is just text and callback data, so it is written out here. Any other
    kind of button falls back to PTB, which knows every field.

    Pages reuse the same immutable keyboard objects (bot/keyboards.py), so each one's form is
    remembered by identity (the entry keeps the keyboard alive, so its id is never reused).
    Callers must not change what this returns.
    """
    if isinstance(markup, WireKeyboard):
        return markup.form
    found = _keyboard_forms.get(id(markup))
    if found is not None and found[0] is markup:
        return found[1]
    form = _keyboard_json(markup)
    if len(_keyboard_forms) >= _FORMS_KEPT:
        _keyboard_forms.clear()
    _keyboard_forms[id(markup)] = (markup, form)
    return form


_FORMS_KEPT = 4096
_keyboard_forms: dict[int, tuple[InlineKeyboardMarkup, dict[str, Any]]] = {}


def _keyboard_json(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    rows = []
    for row in markup.inline_keyboard:
        buttons = []
        for button in row:
            if not _is_plain(button):
                return markup.to_dict()
            buttons.append({"text": button.text, "callback_data": button.callback_data})
        rows.append(buttons)
    return {"inline_keyboard": rows}


def _is_plain(button: InlineKeyboardButton) -> bool:
    if not isinstance(button.callback_data, str) or button.api_kwargs:
        return False
    others = _OTHER_BUTTON_FIELDS(button)
    return others.count(None) == len(others)
