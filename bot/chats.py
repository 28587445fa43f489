"""Who may change a chat's digest subscription, and who may send the digest to everyone.

In a private chat the person owns their subscription. In a group it belongs to the group, so
only its administrators may change it; Telegram is asked (getChatMember) each time, because
admins come and go without the bot being told.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import BotContext

log = logging.getLogger(__name__)

_ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def may_manage_chat(update: Update, context: BotContext) -> bool:
    """Whether the sender may change this chat's subscription."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
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
