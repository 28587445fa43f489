"""Edited and forwarded messages: never run as a command, never a write.

An edit re-delivers a message the bot already handled: running it again recorded a second
/set, undid twice, and re-sent /digestnow to every subscriber. A forward carries someone
else's words: running a forwarded "/grant 4242" gave the forwarder's rights to whoever wrote
it. bot/app.py puts these two handlers first, so nothing after them sees such messages.

Edits of a command for this bot get a short notice (the sender may think the edit worked);
other edits (questions, group chat) are ignored: the answer to the original stands. Forwarded
commands get a notice; forwarded plain text is read as a question, which only ever answers.
"""

from telegram import Update

import storage
from bot.chats import command_of, is_private, texts_for
from bot.command_menu import builtin_names
from bot.context import BotContext
from bot.handlers import questions
from bot.replies import reply
from language.i18n import N_

EDIT_NOTICE = N_(
    "I don't run edited messages again, so nothing was changed. "
    "Send the command again as a new message."
)
FORWARD_NOTICE = N_(
    "That is a forwarded message, so I didn't run it as a command. "
    "To run a command, type it yourself."
)


def _is_our_command(update: Update, context: BotContext) -> bool:
    """Whether the message is a command this bot would have answered as a new message."""
    message = update.effective_message
    parsed = command_of(message, context.bot.username)
    if parsed is None:
        return False
    name, addressed = parsed
    if addressed or is_private(update):
        return True
    # A bare command in a group or channel is ours only if we know it.
    return name in builtin_names(context.application) or storage.is_channel_command(
        context.db, name
    )


async def edited(update: Update, context: BotContext) -> None:
    """An edited message: commands get EDIT_NOTICE, anything else is left alone."""
    if _is_our_command(update, context):
        await reply(update, texts_for(update, context)(EDIT_NOTICE))


async def forwarded(update: Update, context: BotContext) -> None:
    """A forwarded message: commands are not run; text is answered as a question."""
    # The one place forwards arrive: later features (e.g. admins forwarding posts to the bot
    # as inbox items) hook in here, never in the command handlers.
    message = update.effective_message
    if message is None or not message.text or message.is_automatic_forward:
        return  # Telegram copying a channel's post into its discussion group: not for us
    if message.text.startswith("/"):
        if _is_our_command(update, context):
            await reply(update, texts_for(update, context)(FORWARD_NOTICE))
        return
    await questions.question(update, context)
