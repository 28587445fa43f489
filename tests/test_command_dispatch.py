"""Built-in commands are found by name first (bot/dispatch.py): the same handler must answer.

The shortcut sits before PTB's ordered list and the list itself is unchanged behind it, so
for every update the handler PTB runs with the shortcut must be the one it ran without it.
These tests walk both lists as PTB does, over commands with and without @bot, other bots'
commands, edits, forwards, channel posts, forum topics, captions, questions, unknown and
channel commands, buttons and inline queries, by readers and admins, with and without an
open guided /set form in each of its states.
"""

import asyncio
import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler, filters

import storage
from bot.app import ADMIN, READER, builtin_command_names
from bot.chats import FORWARDED, FRESH, FRESH_TEXT
from bot.cli.offline_api import BOT_USER, OfflineBotApi
from bot.cli.update_factory import (
    bot_message,
    callback_update,
    chat_dict,
    forwarded_from,
    in_topic,
    text_message_json,
    user_dict,
)
from bot.dispatch import CommandShortcut
from bot.handlers import guided_set
from tests.conftest import ADMIN_ID, GROUP_ID, READER_ID, TEST_TOKEN

CHANNEL_ID = -1009876
PEOPLE = {"reader": user_dict(READER_ID, "Reader"), "admin": user_dict(ADMIN_ID, "Admin")}


def _chats(person: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Where a message is sent, with the message fields that place adds."""
    group = chat_dict(GROUP_ID, "supergroup")
    forum = {**group, "is_forum": True}
    return {
        "private": (chat_dict(person["id"]), {}),
        "group": (group, {}),
        "topic": (forum, in_topic(forum, 77, person)),
        "channel": (chat_dict(CHANNEL_ID, "channel", "Newsroom"), {}),
    }


def _texts(db_names: frozenset[str]) -> list[str]:
    builtin = sorted(db_names)
    return [
        *(f"/{name}" for name in builtin),
        *(f"/{name}@BackchannelBot" for name in builtin),
        *(f"/{name}@OtherBot" for name in ("status", "set", "help")),
        "/STATUS",
        "/Help@backchannelbot",
        "/history ceasefire 5",
        "/set aid stalled Convoys halted",
        "/set@BackchannelBot",
        "/skip",
        "/ceasefire",
        "/ceasefire@BackchannelBot",
        "/nosuchcommand",
        "any news on prisoner swaps?",
        "Convoys halted again",
        "@BackchannelBot ceasefire?",
    ]


def _first(handlers: list[BaseHandler], update: Update) -> object:
    """The handler PTB runs for `update` (the shortcut's own pick, when it takes it)."""
    for handler in handlers:
        check = handler.check_update(update)
        if check is None or check is False:
            continue
        if isinstance(handler, CommandShortcut):
            return check[0]
        return handler
    return None


def _message_updates(bot: Bot, texts: list[str]) -> list[tuple[str, Update]]:
    found = []
    for text, (who, person), edited, forwarded in itertools.product(
        texts, PEOPLE.items(), (False, True), (False, True)
    ):
        for where, (chat, extra) in _chats(person).items():
            fields = {**extra, **(forwarded_from(PEOPLE["reader"]) if forwarded else {})}
            data = text_message_json(text, user=person, chat=chat, edited=edited, **fields)
            label = f"{text!r} by {who} in {where}, edited {edited}, forwarded {forwarded}"
            found.append((label, Update.de_json(data, bot)))
    # A command in a photo's caption is no command (CommandHandler reads `text` only).
    caption = text_message_json("x", user=PEOPLE["reader"], chat=chat_dict(READER_ID))
    message = caption["message"]
    del message["text"]
    message["caption"] = "/status"
    message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": 7}]
    message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    found.append(("/status as a caption", Update.de_json(caption, bot)))
    # Business chats' messages and edits (Telegram Business; the bot does not serve them).
    for text, kind in itertools.product(texts[:3] + texts[-3:], ("business", "edited_business")):
        data = text_message_json(text, user=PEOPLE["reader"], chat=chat_dict(READER_ID))
        data[f"{kind}_message"] = {**data.pop("message"), "business_connection_id": "b"}
        found.append((f"{text!r} as a {kind} message", Update.de_json(data, bot)))
    return found


def _other_updates(bot: Bot) -> list[tuple[str, Update]]:
    page = bot_message(chat_dict(READER_ID), "Page", 5)
    found = []
    for data in ("set:c:1", "set:p:1:talks", "set:x", "nav:s", "inbox:u:1", "lang:uk", "junk"):
        for who, person in PEOPLE.items():
            update = callback_update(bot, data, user=person, message=page)
            found.append((f"button {data} by {who}", update))
    inline = {"id": "9", "from": PEOPLE["reader"], "query": "ceasefire", "offset": ""}
    update = Update.de_json({"update_id": 1, "inline_query": inline}, bot)
    found.append(("inline query", update))
    return found


@pytest.fixture(scope="module")
def every_update(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, Update]]:
    """Every update above, parsed once for the module's tests, which only read them.

    Parsing ~2,800 updates (Update.de_json) was most of each test's time, the same for each.
    Their bot, like each test's Application's bot, is the offline Bot API's BackchannelBot:
    the handlers ask it only for its username (is `/status@BackchannelBot` for us?).
    """
    path = tmp_path_factory.mktemp("dispatch") / "names.db"
    shutil.copyfile(seeded_template, path)
    db = storage.open_database(path)
    try:
        texts = _texts(builtin_command_names(db))
    finally:
        db.close()
    bot = Bot(TEST_TOKEN, request=OfflineBotApi())
    asyncio.run(bot.initialize())
    assert bot.username == BOT_USER["username"]
    return _message_updates(bot, texts) + _other_updates(bot)


def _form(app: Application) -> ConversationHandler:
    (form,) = [h for h in app.handlers[0] if isinstance(h, ConversationHandler)]
    return form


def _same_handlers(app: Application, updates: list[tuple[str, Update]]) -> list[str]:
    with_shortcut = app.handlers[0]
    assert isinstance(with_shortcut[0], CommandShortcut)
    without = with_shortcut[1:]
    return [
        f"{label}: {_first(with_shortcut, update)} instead of {_first(without, update)}"
        for label, update in updates
        if _first(with_shortcut, update) is not _first(without, update)
    ]


@pytest.mark.parametrize(
    "form_state",
    [None, guided_set.CHANNEL, guided_set.PHASE, guided_set.SUMMARY, guided_set.TRANSLATION],
)
async def test_the_shortcut_picks_the_handler_the_ordered_list_picks(
    app: Application, every_update: list[tuple[str, Update]], form_state: int | None
) -> None:
    if form_state is not None:
        # The admin has the guided form open, in private and in the group (and its topic).
        for chat_id in (ADMIN_ID, GROUP_ID):
            _form(app)._conversations[(chat_id, ADMIN_ID)] = form_state
    assert _same_handlers(app, every_update) == []


async def test_built_in_commands_are_taken_by_the_first_handler(app: Application, db) -> None:
    shortcut = app.handlers[0][0]
    taken = set(shortcut.by_name)
    # Every built-in command but the form's own, whose place after the form matters.
    assert taken == builtin_command_names(db) - {"set", "cancel", "skip"}
    data = text_message_json("/status", user=PEOPLE["reader"], chat=chat_dict(READER_ID))
    check = shortcut.check_update(Update.de_json(data, app.bot))
    assert check is not None and "status" in check[0].commands


def test_the_shortcut_refuses_a_command_with_other_filters() -> None:
    async def callback(update: object, context: object) -> None:
        pass

    edits_too = CommandHandler("status", callback, filters.ALL)
    with pytest.raises(ValueError, match="READER/ADMIN"):
        CommandShortcut([edits_too], allowed_filters=(READER, ADMIN), left_out=frozenset())
    twice = [CommandHandler("status", callback, READER), CommandHandler("status", callback, ADMIN)]
    with pytest.raises(ValueError, match="two CommandHandlers"):
        CommandShortcut(twice, allowed_filters=(READER, ADMIN), left_out=frozenset())


def test_the_bot_user_is_the_one_commands_name() -> None:
    # The @BackchannelBot texts above address this bot; the offline API's bot is that one.
    assert BOT_USER["username"] == "BackchannelBot"


# What bot/chats.py's one-step filters stand for, written with PTB's own filters.
PTB_FRESH = ~filters.UpdateType.EDITED & ~FORWARDED
PTB_FRESH_TEXT = PTB_FRESH & filters.TEXT & ~filters.COMMAND


def test_the_one_step_filters_say_what_ptbs_combined_filters_say(every_update) -> None:
    different = [
        label
        for label, update in every_update
        if bool(FRESH.check_update(update)) != bool(PTB_FRESH.check_update(update))
        or bool(FRESH_TEXT.check_update(update)) != bool(PTB_FRESH_TEXT.check_update(update))
    ]
    assert different == []
