"""Subscribe/Unsubscribe under a channel reply: one tap adds or drops it from the digest."""

from telegram import Message, Update
from telegram.constants import ChatType

import storage
from bot.callbacks import Action
from bot.chats import in_channel, may_manage_chat
from bot.context import BotContext

GROUP_ADMINS_ONLY = "Only this group's admins can change its digest."
CHANNEL_ADMINS_ONLY = "Only this channel's admins can change its digest."


async def toggle_subscription(
    update: Update, context: BotContext, channel: storage.Channel, action: Action, message: Message
) -> str:
    """Change the chat's digest for one channel; returns the notice the tapper sees.

    The channel page is redrawn by the caller, so the button flips to its new state.
    """
    if not await may_manage_chat(update, context):
        return CHANNEL_ADMINS_ONLY if in_channel(update) else GROUP_ADMINS_ONLY
    db, settings, chat = context.db, context.settings, message.chat
    if action is Action.SUBSCRIBE:
        subscriber = storage.subscribe(
            db,
            chat.id,
            chat_type=chat.type or ChatType.PRIVATE,
            channel_ids=[channel.id],
            digest_time=settings.digest_time,
            timezone=settings.timezone,
        )
        return (
            f"🔔 {channel.title} is in your daily digest "
            f"({subscriber.digest_time:%H:%M} {subscriber.timezone}). /mysubs for details."
        )
    if not storage.is_subscribed(db, chat.id, channel.id):
        return f"{channel.title} was not in your digest."
    all_ids = [c.id for c in storage.list_channels(db)]
    remaining = storage.unsubscribe(db, chat.id, [channel.id], all_channel_ids=all_ids)
    if remaining is None:
        return f"🔕 {channel.title} removed; that was your last channel, so the digest stops."
    return f"🔕 {channel.title} removed from your daily digest."
