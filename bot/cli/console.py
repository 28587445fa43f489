"""The console: a local chat in the terminal that drives the real Application and handlers.

Nothing here re-implements a command. Typed lines become real Updates, PTB processes them,
and the Bot API calls the handlers make are answered in-process and printed, readably. The
console's own lines speak the language the bot answers in (`--language`, /language, or
DEFAULT_LANGUAGE), like everything else.
"""

from __future__ import annotations

import asyncio
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database
from telegram import Update
from telegram.ext import Application

import storage
from bot.app import build_application
from bot.cli.offline_api import OfflineBotApi, UploadedFile
from bot.cli.update_factory import callback_update, chat_dict, text_update, user_dict
from bot.config import Settings
from bot.context import CONSOLE_KEY
from language.i18n import ENGLISH, N_, Texts, pick_language, texts

JSON = dict[str, Any]
CONSOLE_TOKEN = "0:console"
CONSOLE_USER_ID = 1
CONSOLE_USER_NAME = "Console"
# `--as-reader` is someone else, so nothing granted to the admin console user carries over.
CONSOLE_READER_ID = 2
CONSOLE_READER_NAME = "Console reader"
READER_NOTE = N_(
    "You are here as a reader (--as-reader): you see what readers see, and admin commands "
    "are refused as they would be in Telegram."
)
BANNER = N_(
    "Backchannel console: a local chat with the bot, no Telegram involved.\n"
    "Type a command such as /status or /ceasefire, or a question such as "
    '"any news on prisoner swaps?", and press Enter; /help lists every command. '
    "Press a button of the last message by typing its label in brackets, e.g. [📜 History] "
    "or [history], or its number (1 is the first button). Ctrl-D quits."
)
NO_BUTTON = N_("No button {typed} under the last message.")
# What the bot uploaded, as the transcript names it ("[photo: timeline.png, 54 KB]").
UPLOAD_KINDS = {"sendPhoto": N_("photo"), "sendDocument": N_("document")}


class _TerminalText(HTMLParser):
    """Telegram HTML to terminal text: bold stays bold, links show their address."""

    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"b", "strong"} and self.color:
            self.parts.append("\033[1m")
        elif tag in {"i", "em"} and self.color:
            self.parts.append("\033[3m")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"b", "strong", "i", "em"} and self.color:
            self.parts.append("\033[0m")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if self.parts[-1:] != [href]:  # a bare link already shows its address
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render_html(html: str, *, color: bool = False) -> str:
    """What a Telegram user would read, as plain (optionally ANSI-styled) text."""
    parser = _TerminalText(color)
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _render_keyboard(markup: dict[str, Any], _: Texts) -> str:
    rows = markup.get("inline_keyboard") or []
    buttons = "\n".join(" ".join(f"[{button['text']}]" for button in row) for row in rows)
    hint = _("(type a button's text or number to press it)")
    return f"{buttons}\n{hint}" if rows else ""


def _plain(label: str, *, emoji: bool = True) -> str:
    """A label as people type it: case-insensitive, optionally without its leading emoji."""
    words = label.strip().lower().split()
    if not emoji and words and not any(ch.isalnum() for ch in words[0]):
        words = words[1:]
    return " ".join(words)


def _names_a_button(typed: str) -> bool:
    """A label in brackets or a bare number: meant as a button press, never as a question."""
    return (typed.startswith("[") and typed.endswith("]")) or typed.isdecimal()


class ConsoleBotApi(OfflineBotApi):
    """The offline Bot API that prints what the bot sends, as the chat would show it."""

    def __init__(self, out: TextIO, *, color: bool, save_dir: Path | None = None) -> None:
        super().__init__()
        self.out = out
        self.color = color
        self.save_dir = save_dir
        self.with_buttons: dict[str, Any] | None = None
        # The console's own words, in the language the chat is answered in (kept current).
        self.texts = texts(ENGLISH)

    def result(self, method: str, params: dict[str, Any]) -> Any:
        """Remember the latest message that has buttons, so typed labels can press them."""
        answer = super().result(method, params)
        if method == "sendMessage" and "reply_markup" in answer:
            self.with_buttons = answer
        elif (
            method == "editMessageText"
            and self.with_buttons is not None
            and answer["message_id"] == self.with_buttons["message_id"]
        ):
            self.with_buttons = answer if "reply_markup" in answer else None
        return answer

    def button_data(self, typed: str) -> str | None:
        """The callback data of the button `typed` names ("[History]" or "2"), if any."""
        markup = (self.with_buttons or {}).get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        buttons = [b for b in buttons if "callback_data" in b]
        if typed.isdecimal() and 1 <= int(typed) <= len(buttons):
            return buttons[int(typed) - 1]["callback_data"]
        wanted = _plain(typed.strip("[]"))
        for button in buttons:
            if wanted and wanted in {_plain(button["text"]), _plain(button["text"], emoji=False)}:
                return button["callback_data"]
        return None

    def on_call(self, method: str, params: dict[str, Any]) -> None:
        """Print messages the bot sends or edits, and button notices; the rest stay silent."""
        if method == "answerCallbackQuery" and params.get("text"):
            _ = self.texts
            notice = _("notice")
            self.out.write(f"bot ({notice})> {params['text']}\n\n")
            return
        if method not in {"sendMessage", "editMessageText"}:
            return
        body = render_html(str(params.get("text", "")), color=self.color)
        _ = self.texts
        edited = _("edited")
        prefix = f"bot ({edited})" if method == "editMessageText" else "bot"
        lines = [f"{prefix}> {body}"]
        if isinstance(params.get("reply_markup"), dict):
            lines.append(_render_keyboard(params["reply_markup"], self.texts))
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()

    def on_upload(
        self, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> None:
        """A terminal cannot show a photo: save each file and say where it is."""
        _ = self.texts
        kind = _(UPLOAD_KINDS.get(method, method.removeprefix("send").lower()))
        lines = []
        for upload in files.values():
            where = ""
            if self.save_dir is not None:
                self.save_dir.mkdir(parents=True, exist_ok=True)
                path = self.save_dir / Path(upload.filename).name
                path.write_bytes(upload.content)
                where = ", " + _("saved to {path}", path=path)
            size = max(1, round(len(upload.content) / 1024))
            lines.append(f"bot> [{kind}: {upload.filename}, {size} KB{where}]")
        if params.get("caption"):
            lines.append(render_html(str(params["caption"]), color=self.color))
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()


def _typed_update(
    application: Application, api: ConsoleBotApi, typed: str, user: JSON, chat: JSON
) -> Update:
    """A button press when the line names a button of the last message, else a text message."""
    data = api.button_data(typed)
    if data is not None:
        return callback_update(application.bot, data, user=user, message=api.with_buttons)
    return text_update(application.bot, typed, user=user, chat=chat)


async def run_console(
    settings: Settings,
    db: Database,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    as_reader: bool = False,
    language: str | None = None,
) -> None:
    """Read lines from stdin until EOF, answering each through the real handlers.

    The console user is an admin unless `as_reader`: then they are an ordinary reader, so an
    admin can preview what readers see (help, buttons, refusals) before going live.
    `language` is the console user's Telegram app language ("uk" to see the bot in Ukrainian).
    Standard input and output are looked up when called, not when this module was imported: a
    process may have replaced them since (a forked process, a test capturing output).
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    interactive = stdin.isatty()
    # Photos and files the bot sends are saved beside the database, for the user to open.
    save_dir = settings.database_path.parent / "console"
    api = ConsoleBotApi(stdout, color=interactive and stdout.isatty(), save_dir=save_dir)
    # Whoever runs the console can open the database anyway, so the console user is an admin
    # here (unless `as_reader`); only this in-process copy of the settings changes, never what
    # Telegram sees. Flood control is off too: the one local user pipes whole scripts in at once.
    user_id, name = (
        (CONSOLE_READER_ID, CONSOLE_READER_NAME)
        if as_reader
        else (CONSOLE_USER_ID, CONSOLE_USER_NAME)
    )
    admins = settings.admin_ids - {user_id} if as_reader else settings.admin_ids | {user_id}
    console_settings = settings.model_copy(update={"admin_ids": admins, "flood_burst": 10**9})
    application = build_application(console_settings, db, token=CONSOLE_TOKEN, request=api)
    application.bot_data[CONSOLE_KEY] = True
    user = user_dict(user_id, name, language_code=language)
    chat = chat_dict(user_id)

    def speaking() -> Texts:
        # The same choice the bot makes for this chat, so the console never mixes languages.
        chosen = storage.chosen_language(db, user_id)
        return texts(pick_language(chosen, language, settings.default_language))

    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        _ = api.texts = speaking()
        stdout.write(_(BANNER) + (f"\n{_(READER_NOTE)}" if as_reader else "") + "\n\n")
        while True:
            if interactive:
                stdout.write("you> ")
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if not interactive:
                stdout.write(f"you> {text}\n")
            _ = api.texts = speaking()
            if _names_a_button(text) and api.button_data(text) is None:
                stdout.write(f"console> {_(NO_BUTTON, typed=text)}\n\n")
                continue
            await application.process_update(_typed_update(application, api, text, user, chat))
            api.texts = speaking()  # /language changes it for the very next line
        await application.stop()
