"""/<channel> for every channel and alias, /history, and the reply to unknown commands."""

import re
from datetime import date, datetime

from sqlite_utils import Database
from telegram import Message, Update
from telegram.ext import filters

import storage
from bot.chats import command_of, in_channel, is_private, texts_for
from bot.command_menu import builtin_names
from bot.context import BotContext
from bot.pages import HISTORY_DEFAULT, channel_page, history_page, send_page, status_at_html
from bot.replies import reply
from language.i18n import Texts
from language.suggestions import closest
from render.channels import HISTORY_MAX
from render.formatting import quoted, text, typed

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ChannelCommand(filters.MessageFilter):
    """Messages that are a channel's command (/ceasefire, /exchanges...) for this bot.

    PTB tries CommandHandlers one after another, and there are thirty-odd built-in ones; a
    channel command, the commonest thing readers send, used to fail every one of them before
    the catch-all answered it. Channel names can never be built-in names (adding or renaming
    a channel checks), so answering them first changes nothing but the time it takes.
    """

    data_filter = True

    def __init__(self, db: Database, reserved: frozenset[str] = frozenset()) -> None:
        super().__init__(name="ChannelCommand", data_filter=True)
        self.db = db
        # Built-in command names; a channel named like one never takes its command.
        self.reserved = reserved

    def filter(self, message: Message) -> dict[str, list[storage.Channel]] | None:
        """The channel the command names (slug or alias), handed on to the handler."""
        parsed = command_of(message, message.get_bot().username)
        if parsed is None or parsed[0] in self.reserved:
            return None
        channel = storage.command_index_entry(self.db, parsed[0])
        return None if channel is None else {"matched_channels": [channel]}


def _channel_choices(context: BotContext) -> str:
    return ", ".join(f"/{c.slug}" for c in storage.list_channels(context.db))


def _channels_line(context: BotContext, _: Texts) -> str:
    return _("Channels: {list}", list=_channel_choices(context))


async def channel_or_unknown(update: Update, context: BotContext) -> None:
    """Answer /<channel> from the database, or explain an unknown command."""
    _ = texts_for(update, context)
    if context.matched_channels:
        await send_page(update, channel_page(context, context.matched_channels[0], update, _))
        return
    parsed = command_of(update.effective_message, context.bot.username)
    if parsed is None:
        return
    name, addressed = parsed
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        if in_channel(update) and name in builtin_names(context.application):
            # Reader commands run in channel posts; admin ones need a person to check.
            await reply(update, admin_elsewhere(context, _))
        # In groups several bots share the command space; only answer what was meant for us.
        elif is_private(update) or addressed:
            await reply(update, _unknown_command(context, name, _))
        return
    await send_page(update, channel_page(context, channel, update, _))


def admin_elsewhere(context: BotContext, _: Texts) -> str:
    """Why an admin command posted in a channel did nothing, and where it works."""
    return _(
        "Admin commands work in a private chat with me (@{bot}), or in a group, where I can "
        "see who sends them. A channel post comes from the channel, not from a person, so "
        "nothing was run.",
        bot=text(context.bot.username),
    )


def _unknown_command(context: BotContext, name: str, _: Texts) -> str:
    known = builtin_names(context.application) | set(storage.command_index(context.db))
    # Never "Did you mean" the very command typed (a known one that cannot run here).
    guess = closest(name, sorted(known - {name}))
    unknown = _("I don't know the command /{name}.", name=typed(name))
    hint = " " + _("Did you mean /{command}?", command=guess) if guess else ""
    help_hint = _("Send /help to see every command.")
    return f"{unknown}{hint} {help_hint}"


async def history(update: Update, context: BotContext) -> None:
    """Latest changes of a channel: /history ceasefire [N]."""
    _ = texts_for(update, context)
    args = context.args or []
    if not args or len(args) > 2:
        ask = _(
            "Tell me which channel, and optionally how many changes (1 to 50) or a day, e.g. "
            "<code>/history ceasefire 5</code> or <code>/history ceasefire 2025-03-01</code>."
        )
        await reply(update, f"{ask}\n{_channels_line(context, _)}")
        return
    try:
        channel = storage.find_channel(context.db, args[0])
    except storage.ChannelNotFoundError:
        await reply(update, unknown_channel(context, args[0], "/history {} 5", _))
        return
    limit = HISTORY_DEFAULT
    if len(args) == 2 and _ISO_DAY.match(args[1]):
        await _history_at(update, context, channel, args[1])
        return
    if len(args) == 2:
        if not args[1].isascii() or not args[1].isdigit() or not 1 <= int(args[1]) <= HISTORY_MAX:
            await reply(
                update,
                _(
                    "The number of changes must be a whole number from 1 to {max}, e.g. "
                    "<code>/history {slug} 5</code>.",
                    max=HISTORY_MAX,
                    slug=channel.slug,
                ),
            )
            return
        limit = int(args[1])
    await send_page(update, history_page(context, channel, _, limit))


async def _history_at(
    update: Update, context: BotContext, channel: storage.Channel, typed: str
) -> None:
    """/history ceasefire 2025-03-01: the status in force on that day."""
    _ = texts_for(update, context)
    today = datetime.now(context.settings.zone).date()
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        day = None
    if day is None or day > today:
        await reply(
            update,
            _("{day} is not a day that has passed; give one like "
              "<code>/history {slug} 2025-03-01</code>.", day=quoted(typed), slug=channel.slug),
        )  # fmt: skip
        return
    await reply(update, status_at_html(context, [channel], day, _))


def unknown_channel(context: BotContext, name: str, example: str, _: Texts) -> str:
    """A friendly 'no such channel' that suggests the closest one and lists them all."""
    no_such = no_such_channel(name, list(storage.command_index(context.db)), example, _)
    return f"{no_such}\n{_channels_line(context, _)}"


def no_such_channel(name: str, choices: list[str], example: str, _: Texts) -> str:
    """'There is no channel called “x”.' and, when one of `choices` is close, the command to
    type instead: `example` with the closest choice in place of {}."""
    guess = closest(name.lstrip("/"), choices)
    no_such = _("There is no channel called {name}.", name=quoted(name))
    if not guess:
        return no_such
    example_html = f"<code>{text(example.format(guess))}</code>"
    return f"{no_such} " + _("Did you mean {example}?", example=example_html)
