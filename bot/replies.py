"""Sending replies: every reply goes through here so splitting and parse mode are uniform."""

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from bot.splitting import split_html


async def reply(
    update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Answer the update's message with HTML, split under Telegram's length limit.

    In groups the reply quotes the asker's message, so it is clear whom the bot answers.
    Buttons go under the last part, where the reader's eyes end up.
    """
    message = update.effective_message
    if message is None:
        return []
    in_group = message.chat.type != ChatType.PRIVATE
    sent = []
    chunks = split_html(html)
    for index, chunk in enumerate(chunks):
        markup = keyboard if index == len(chunks) - 1 else None
        sent.append(
            await message.reply_text(chunk, do_quote=in_group and index == 0, reply_markup=markup)
        )
    return sent


def is_private(update: Update) -> bool:
    """Whether the update comes from a one-to-one chat with the bot."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE
