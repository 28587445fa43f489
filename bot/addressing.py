"""Whether a group message is meant for the bot: it mentions the bot or replies to it.

Questions are answered only then, and flood control counts exactly what the bot answers.
"""

from telegram import Message, MessageEntity


def addressed_to_bot(message: Message, bot_id: int, bot_username: str) -> bool:
    """Whether a group message mentions the bot or replies to one of its messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mentions = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, value in mentions.items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if value.lower() == f"@{bot_username.lower()}":
            return True
    return False
