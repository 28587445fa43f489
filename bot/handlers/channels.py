"""/<channel> for every channel and alias, /history, and the reply to unknown commands."""

from sqlite_utils import Database
from telegram import Message, MessageEntity, Update
from telegram.ext import filters

import storage
from bot.command_menu import builtin_names
from bot.context import BotContext
from bot.pages import channel_page, history_page, send_page
from bot.replies import is_private, reply
from language.suggestions import closest
from render.formatting import quoted, text, typed

HISTORY_DEFAULT = 10
HISTORY_MAX = 50


def _command_of(message: Message | None, bot_username: str) -> tuple[str, bool] | None:
    """The command word and whether it named this bot, or None if it is for another bot."""
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


class ChannelCommand(filters.MessageFilter):
    """Messages that are a channel's command (/ceasefire, /exchanges...) for this bot.

    PTB tries CommandHandlers one after another, and there are thirty-odd built-in ones; a
    channel command, the commonest thing readers send, used to fail every one of them before
    the catch-all answered it. Channel names can never be built-in names (adding or renaming
    a channel checks), so answering them first changes nothing but the time it takes.
    """

    def __init__(self, db: Database) -> None:
        super().__init__(name="ChannelCommand")
        self.db = db

    def filter(self, message: Message) -> bool:
        """Whether the command names an active channel (slug or alias)."""
        parsed = _command_of(message, message.get_bot().username)
        return parsed is not None and storage.is_channel_command(self.db, parsed[0])


def _channel_choices(context: BotContext) -> str:
    return ", ".join(f"/{c.slug}" for c in storage.list_channels(context.db))


async def show_channel(update: Update, context: BotContext, channel: storage.Channel) -> None:
    """Send one channel's full status with its buttons; shared by its command and questions."""
    await send_page(update, channel_page(context, channel, update))


async def channel_or_unknown(update: Update, context: BotContext) -> None:
    """Answer /<channel> from the database, or explain an unknown command."""
    parsed = _command_of(update.effective_message, context.bot.username)
    if parsed is None:
        return
    name, addressed = parsed
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        # In groups several bots share the command space; only answer what was meant for us.
        if is_private(update) or addressed:
            await reply(update, _unknown_command(context, name))
        return
    await show_channel(update, context, channel)


def _unknown_command(context: BotContext, name: str) -> str:
    known = sorted(builtin_names(context.application) | set(storage.command_index(context.db)))
    guess = closest(name, known)
    hint = f" Did you mean /{guess}?" if guess else ""
    return f"I don't know the command /{typed(name)}.{hint} Send /help to see every command."


async def history(update: Update, context: BotContext) -> None:
    """Latest changes of a channel: /history ceasefire [N]."""
    args = context.args or []
    if not args or len(args) > 2:
        await reply(
            update,
            "Tell me which channel, and optionally how many changes (1 to 50), e.g. "
            f"<code>/history ceasefire 5</code>.\nChannels: {_channel_choices(context)}",
        )
        return
    try:
        channel = storage.find_channel(context.db, args[0])
    except storage.ChannelNotFoundError:
        await reply(update, _unknown_channel(context, args[0], "/history {} 5"))
        return
    limit = HISTORY_DEFAULT
    if len(args) == 2:
        if not args[1].isdigit() or not 1 <= int(args[1]) <= HISTORY_MAX:
            await reply(
                update,
                f"The number of changes must be a whole number from 1 to {HISTORY_MAX}, e.g. "
                f"<code>/history {channel.slug} 5</code>.",
            )
            return
        limit = int(args[1])
    await send_page(update, history_page(context, channel, limit))


def _unknown_channel(context: BotContext, name: str, example: str) -> str:
    """A friendly 'no such channel' that suggests the closest one and lists them all."""
    guess = closest(name.lstrip("/"), list(storage.command_index(context.db)))
    suggestion = f" Did you mean <code>{text(example.format(guess))}</code>?" if guess else ""
    return (
        f"There is no channel called {quoted(name)}.{suggestion}\n"
        f"Channels: {_channel_choices(context)}"
    )
