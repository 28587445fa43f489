"""Building real Telegram Update objects from typed text, for the console (and tests).

Updates go through `Update.de_json`, the same parser PTB uses for Telegram's own JSON, so a
command typed in the console is indistinguishable from one that came over the network.
"""

import itertools
import re
import time
from typing import Any

from telegram import Bot, Update

from bot.cli.offline_api import BOT_USER
from render.splitting import telegram_length

# What Telegram marks as a bot_command entity at the start of a message.
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,64})?")
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user_dict(
    user_id: int, first_name: str, username: str | None = None, language_code: str | None = None
) -> dict[str, Any]:
    """A Telegram User as JSON (`language_code` is the person's Telegram app language)."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def chat_dict(chat_id: int, chat_type: str = "private", title: str = "Group") -> dict[str, Any]:
    """A Telegram Chat as JSON; groups get a title."""
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = title
    return chat


def text_message_json(
    text: str,
    *,
    user: dict[str, Any] | None,
    chat: dict[str, Any],
    edited: bool = False,
    **message_extra: Any,
) -> dict[str, Any]:
    """The JSON of an Update carrying a text message, as Telegram sends it.

    A leading command gets a bot_command entity. In a channel (chat type "channel") it is a
    channel post: Telegram sends those without a sender, with the channel as `sender_chat`.
    `edited` makes it an edit of an old message. The benchmarks take this JSON rather than
    the Update because parsing it is part of what they time.
    """
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    in_channel = chat.get("type") == "channel"
    if in_channel:
        message["sender_chat"] = chat
    elif user is not None:
        message["from"] = user
    if edited:
        message["edit_date"] = int(time.time())
    message.update(message_extra)
    command = _COMMAND.match(text)
    if command:
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": telegram_length(command.group(0))}
        ]
    kind = "channel_post" if in_channel else "message"
    key = f"edited_{kind}" if edited else kind
    return {"update_id": next(_update_ids), key: message}


def text_update(
    bot: Bot,
    text: str,
    *,
    user: dict[str, Any] | None,
    chat: dict[str, Any],
    edited: bool = False,
    **message_extra: Any,
) -> Update:
    """An Update carrying a text message (see `text_message_json`), parsed as PTB parses it."""
    data = text_message_json(text, user=user, chat=chat, edited=edited, **message_extra)
    return Update.de_json(data, bot)


def bot_message(chat: dict[str, Any], text: str, message_id: int) -> dict[str, Any]:
    """One of the bot's own messages as Telegram shows it to others (under a button press).

    In a channel every message, the bot's included, appears as sent by the channel.
    """
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    if chat.get("type") == "channel":
        message["sender_chat"] = chat
    else:
        message["from"] = BOT_USER
    return message


def in_topic(chat: dict[str, Any], thread_id: int, creator: dict[str, Any]) -> dict[str, Any]:
    """Message fields Telegram sets on every message in a forum topic `creator` opened.

    Telegram puts the topic's creation message in `reply_to_message`, whether or not the
    person replied to anything.
    """
    created = {
        "message_id": thread_id,
        "date": int(time.time()),
        "chat": chat,
        "from": creator,
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "forum_topic_created": {"name": "Aid convoys", "icon_color": 7322096},
    }
    return {"is_topic_message": True, "message_thread_id": thread_id, "reply_to_message": created}


def forwarded_from(user: dict[str, Any]) -> dict[str, Any]:
    """Message fields of a forward of something `user` wrote."""
    return {"forward_origin": {"type": "user", "sender_user": user, "date": int(time.time())}}


def callback_update(
    bot: Bot, data: str, *, user: dict[str, Any], message: dict[str, Any] | None
) -> Update:
    """An Update for a tap on an inline button with `data`, under `message` (None: inline)."""
    query: dict[str, Any] = {
        "id": str(next(_update_ids)),
        "from": user,
        "chat_instance": "console",
        "data": data,
    }
    if message is not None:
        query["message"] = message
    else:
        query["inline_message_id"] = "inline"
    return Update.de_json({"update_id": next(_update_ids), "callback_query": query}, bot)
