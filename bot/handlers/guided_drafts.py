"""Where an open guided /set keeps its choices: one draft per form, that is per chat and admin.

The form's state is tracked per chat and person (ConversationHandler), so its draft must be
too: one draft per admin (user_data alone) let a form in a group save with the channel and
phase picked in a private chat, and one form's timeout delete the other's draft. Drafts live
in the admin's user_data under DRAFT, keyed by chat id, and remember the bot's form message:
in a group only a reply to that message continues the form (`FormReply`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Message, Update
from telegram.ext import filters

from bot.chats import is_private_chat, replied_message
from bot.context import BotContext

DRAFT = "guided_set"
# "form": the form's message id; "channel", "phase": slugs once picked; after the summary is
# saved, "saved": its entry id and "prompt": the ids of the echo asking for the translation.
Draft = dict[str, Any]


def _drafts(user_data: Mapping[Any, Any] | None) -> dict[int, Draft]:
    found = user_data.get(DRAFT) if user_data is not None else None
    return found if isinstance(found, dict) else {}


def _chat_id(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None else None


def draft_of(update: Update, context: BotContext) -> Draft | None:
    """The draft of the form this update belongs to (its chat, its admin), if one is open."""
    chat_id = _chat_id(update)
    return None if chat_id is None else _drafts(context.user_data).get(chat_id)


def keep(update: Update, context: BotContext, **choices: Any) -> None:
    """Remember choices (and the form's message) for the form in the update's chat."""
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    drafts = context.user_data.setdefault(DRAFT, {})
    drafts.setdefault(chat_id, {}).update(choices)


def discard(update: Update, context: BotContext) -> None:
    """Close the draft of the form in the update's chat; forms in other chats stay open."""
    chat_id = _chat_id(update)
    if chat_id is not None:
        _drafts(context.user_data).pop(chat_id, None)


class FormReply(filters.MessageFilter):
    """Messages that continue an admin's open form: in a private chat any, in a group only a
    reply to the form's message, so the admin can talk in the group meanwhile.
    """

    def __init__(self, user_data: Mapping[int, Mapping[Any, Any]]) -> None:
        super().__init__(name="FormReply")
        self.user_data = user_data  # the application's, read-only

    def filter(self, message: Message) -> bool:
        """Whether the message is in a private chat or answers the sender's form message."""
        if is_private_chat(message.chat):
            return True
        if message.from_user is None:
            return False
        draft = _drafts(self.user_data.get(message.from_user.id)).get(message.chat.id)
        replied = replied_message(message)
        if draft is None or replied is None:
            return False
        return replied.message_id == draft.get("form") or replied.message_id in draft.get(
            "prompt", ()
        )
