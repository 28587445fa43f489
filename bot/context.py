"""A typed callback context, so handlers write `context.db` instead of dictionary lookups."""

from typing import Any

from sqlite_utils import Database
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings
from storage.models import Channel

DB_KEY = "db"
SETTINGS_KEY = "settings"
# Present in bot_data when the console drives the bot (nothing reaches real chats).
CONSOLE_KEY = "console"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus the resources every handler needs."""

    # Set by the ChannelCommand filter (a PTB data filter) for the handler it let through, so
    # a /ceasefire is parsed and looked up once on its way to a reply.
    matched_channels: list[Channel] | None = None

    @property
    def db(self) -> Database:
        """The open, migrated database (opened in main, shared by all handlers)."""
        return self.bot_data[DB_KEY]

    @property
    def settings(self) -> Settings:
        """The settings loaded once at start-up."""
        return self.bot_data[SETTINGS_KEY]
