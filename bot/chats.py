"""What kind of chat an update comes from, and who may change that chat's settings.

Every handler that behaves differently in private chats, groups and forum topics asks here, so
the rules are written once. In a private chat the person owns their subscription. In a group it
belongs to the group, so only its administrators may change it; Telegram is asked
(getChatMember) each time, because admins come and go without the bot being told.
"""

from __future__ import annotations

import logging

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

import storage
from bot.context import BotContext
from language.i18n import Texts, pick_language, texts

log = logging.getLogger(__name__)

_ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
GROUP_ADMINS_ONLY = "Only this group's admins can change its digest subscription."


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


async def may_manage_chat(update: Update, context: BotContext) -> bool:
    """Whether the sender may change this chat's subscription."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or is_private_chat(chat):
        return True
    # An admin posting anonymously appears as the group itself.
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:
        log.warning("could not check admin rights in chat %s: %s", chat.id, error)
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
