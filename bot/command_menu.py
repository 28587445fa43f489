"""The command list, generated from the registered handlers and the channels in the database.

/help and Telegram's command menu (setMyCommands) both come from here, so a new handler or a
new channel shows up in both without anyone editing a list by hand.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database
from telegram import BotCommand
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

import storage
from language.extract import help_line

MENU_LIMIT = 100  # Telegram accepts at most 100 commands in the menu.


@dataclass(frozen=True)
class CommandInfo:
    """One command as /help and the menu show it."""

    name: str
    description: str
    admin_only: bool


def _description(callback: object) -> str:
    # The same rule the catalog extractor uses, so every description has its translation.
    return help_line(getattr(callback, "__doc__", None))


def registered_commands(application: Application) -> list[CommandInfo]:
    """Every CommandHandler's commands in registration order, described by its docstring."""
    found: list[CommandInfo] = []
    for group in sorted(application.handlers):
        for handler in application.handlers[group]:
            if not isinstance(handler, CommandHandler):
                continue
            for name in sorted(handler.commands):
                found.append(
                    CommandInfo(
                        name=name,
                        description=_description(handler.callback),
                        admin_only=bool(getattr(handler.callback, "admin_only", False)),
                    )
                )
    return found


def command_names(handlers: Iterable[BaseHandler]) -> frozenset[str]:
    """Every command these handlers answer, those inside conversations (the guided /set) too.

    Channel slugs and aliases must never be one of them: channel commands are matched first
    (bot/app.py), so a channel called `set` would hide /set.
    """
    names: set[str] = set()
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            names |= handler.commands
        elif isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks]
            inner += [step for steps in handler.states.values() for step in steps]
            names |= command_names(inner)
    return frozenset(names)


def builtin_names(application: Application) -> frozenset[str]:
    """Names taken by the application's handlers; channel slugs and aliases must not reuse them."""
    return command_names(h for group in application.handlers.values() for h in group)


def menu_commands(application: Application, db: Database) -> list[BotCommand]:
    """Reader commands and one command per channel, for Telegram's command menu."""
    commands = [
        BotCommand(info.name, info.description[:256] or info.name)
        for info in registered_commands(application)
        if not info.admin_only
    ]
    commands += [
        BotCommand(channel.slug, channel.title[:256]) for channel in storage.list_channels(db)
    ]
    return commands[:MENU_LIMIT]


async def publish_menu(application: Application, db: Database) -> None:
    """Tell Telegram the current command list; called at start-up and when channels change."""
    await application.bot.set_my_commands(menu_commands(application, db))
