"""What kind of chat an update comes from, what a message really replies to, whether it
was forwarded, and who may change that chat's settings.

Every handler that behaves differently in private chats, groups, channels and forum topics,
or decides on rights there, asks here, so the rules are written once. In a private chat the
person owns their subscription. In a group or channel it belongs to the chat, so only its
administrators may change it; Telegram is asked (getChatMember) each time, because admins come
and go without the bot being told.
"""

from __future__ import annotations

import logging

from telegram import Chat, Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import filters

import storage
from bot.context import BotContext
from language.i18n import N_, Texts, pick_language, texts

log = logging.getLogger(__name__)

_ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
GROUP_ADMINS_ONLY = N_("Only this group's admins can change its digest subscription.")


def is_private_chat(chat: Chat | None) -> bool:
    """A one-to-one chat with the bot (as opposed to a group, supergroup or channel)."""
    return chat is not None and chat.type == ChatType.PRIVATE


def is_private(update: Update) -> bool:
    """Whether the update comes from a one-to-one chat with the bot."""
    return is_private_chat(update.effective_chat)


def in_group(update: Update) -> bool:
    """Whether the update comes from a group or channel (its settings belong to that chat)."""
    return update.effective_chat is not None and not is_private(update)


def chat_id_of(update: Update) -> int:
    """The id of the chat whose settings a command is about."""
    chat = update.effective_chat
    if chat is None:  # CommandHandler only sees messages, which always have a chat
        raise ValueError("update without a chat")
    return chat.id


def topic_of(message: Message) -> int | None:
    """The forum topic a message is in, where a reply must go too; None outside topics.

    A reply chain in an ordinary group also has a thread id, which Telegram refuses here.
    """
    return message.message_thread_id if message.is_topic_message else None


def replied_message(message: Message | None) -> Message | None:
    """The message this one genuinely answers, or None.

    Read this instead of `message.reply_to_message`: in a forum topic Telegram puts the
    topic's creation message there on every message of the topic, so a bare `/grant` typed
    in a topic would otherwise be about whoever opened the topic. Service messages (topic
    created, member joined, pinned...) are never what someone answers either.
    """
    replied = message.reply_to_message if message is not None else None
    if message is None or replied is None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None  # the topic's first message: Telegram's filler, not the user's choice
    if filters.StatusUpdate.ALL.check_update(Update(0, message=replied)):
        return None
    return replied


class _Forwarded(filters.MessageFilter):
    """Messages forwarded from anyone, anywhere (Telegram sets `forward_origin`)."""

    def filter(self, message: Message) -> bool:
        return is_forwarded(message)


def is_forwarded(message: Message | None) -> bool:
    """Whether the message is a forward: someone else's words, never a command of the sender."""
    return message is not None and message.forward_origin is not None


# The one filter for forwards, used in front of every handler (bot/app.py).
FORWARDED = _Forwarded(name="Forwarded")


class _Fresh(filters.UpdateFilter):
    """`~filters.UpdateType.EDITED & ~FORWARDED` in one step: every question and channel
    command is checked against it, and PTB's two inverted filters in a merged one cost
    several times this (tests/test_command_dispatch.py holds the two equal).

    Like that pair (PTB's inverted filters are update filters), it takes only updates that
    carry a message.
    """

    def filter(self, update: Update) -> bool:
        if (
            update.edited_message is not None
            or update.edited_channel_post is not None
            or update.edited_business_message is not None
        ):
            return False
        return not is_forwarded(update.effective_message)


class _FreshText(filters.MessageFilter):
    """`FRESH & filters.TEXT & ~filters.COMMAND` in one step: a new, unforwarded text message
    that does not start with a command (a question, or what the guided form asks for)."""

    def check_update(self, update: Update) -> bool:  # type: ignore[override]
        return FRESH.check_update(update) and bool(super().check_update(update))

    def filter(self, message: Message) -> bool:
        if not message.text:
            return False
        entities = message.entities
        return not (
            entities and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0
        )


# Only a new message runs a command or writes: never an edit, never a forward (bot/app.py).
FRESH = _Fresh(name="Fresh")
FRESH_TEXT = _FreshText(name="FreshText")


def in_channel(update: Update) -> bool:
    """Whether the update comes from a channel, where posts name no person."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.CHANNEL


async def may_manage_chat(update: Update, context: BotContext) -> bool:
    """Whether whoever sent this update may change this chat's digest settings.

    A button press is decided by the person who pressed it, never by the message the button
    sits under: in a channel every message, the bot's own included, carries the channel as
    `sender_chat`. A channel post can only come from the channel's admins (Telegram lets no
    one else post), and an anonymous group admin writes as the group itself.
    """
    chat = update.effective_chat
    if chat is None:
        return False
    if is_private_chat(chat):
        return True
    query = update.callback_query
    if query is not None:
        return await _is_chat_admin(context, chat.id, query.from_user.id)
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id and not is_forwarded(message)
    user = update.effective_user
    if user is None:
        return False
    return await _is_chat_admin(context, chat.id, user.id)


async def _is_chat_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        log.warning("could not check admin rights in chat %s: %s", chat_id, error)
        return False
    return member.status in _ADMIN_STATUSES


def language_of(update: Update, context: BotContext) -> str:
    """The language to answer this update in: the chat's /language choice, else the person's
    Telegram app language, else DEFAULT_LANGUAGE. Asked once per update by its handler."""
    chat, user = update.effective_chat, update.effective_user
    chosen = storage.chosen_language(context.db, chat.id) if chat is not None else None
    code = user.language_code if user is not None else None
    return pick_language(chosen, code, context.settings.default_language)


def texts_for(update: Update, context: BotContext) -> Texts:
    """The catalog of the reader's language (see `language_of`)."""
    return texts(language_of(update, context))


def addressed_to_bot(message: Message, bot_id: int, bot_username: str) -> bool:
    """Whether a group message is meant for the bot: it mentions the bot or replies to it.

    Questions are answered only then, and flood control counts exactly what the bot answers.
    A forum topic's creation message is not a reply (see `replied_message`).
    """
    replied = replied_message(message)
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mentions = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, value in mentions.items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if value.lower() == f"@{bot_username.lower()}":
            return True
    return False


def command_of(message: Message | None, bot_username: str) -> tuple[str, bool] | None:
    """The command word (lower case) and whether it named this bot (`/x@Bot`), or None if the
    message is no command or one for another bot."""
    if message is None or not message.entities or message.text is None:
        return None
    entity = message.entities[0]
    if entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
        return None
    word = message.text[1 : entity.length]
    name, _, target = word.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower(), bool(target)
