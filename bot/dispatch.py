"""Built-in commands found by name, before PTB walks the ordered handler list.

PTB tries a group's handlers one by one until one matches. A reader's /status used to fail
the edit and forward handlers, the channel-command filter, the guided /set form and the
question filter (and /start, /help) before its own CommandHandler took it: about a quarter
of a cached /status reply's CPU. `CommandShortcut` sits first in the list and looks the
command's name up in a dict of the same CommandHandler objects; the matched handler then
checks the update itself (its filters, `/cmd@OtherBot`, arguments) exactly as it would have
in its place, and runs as it would have.

Why answering them first changes nothing: a handler may jump ahead of others only if no
update can match both it and one it jumps over. The shortcut takes only CommandHandlers
whose filters are `READER` or `ADMIN` (bot/app.py): a new message or channel post, never
forwarded, so never an edit or a forward (the first handlers' updates). A command is never
a question (`~filters.COMMAND`), never a channel's command (channel names never take a
built-in name: `ChannelCommand.reserved`), and never a button or an inline query. Names
a conversation also answers (the guided form's bare /set, its /cancel) are left out:
there the order matters, and they are found in their place in the list, as before.

The CommandHandlers also stay in their places, so /help, the command menu and the reserved
names read the same list as before; an update the shortcut does not take walks it as before.
"""

from collections.abc import Iterable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, CommandHandler
from telegram.ext.filters import BaseFilter

from bot.chats import command_of
from bot.context import BotContext

Match = tuple[CommandHandler[Any, Any], object]


class CommandShortcut(BaseHandler[Update, BotContext, None]):
    """One handler answering every given CommandHandler's commands by a dict lookup."""

    def __init__(
        self,
        handlers: Iterable[CommandHandler[Any, Any]],
        *,
        allowed_filters: Iterable[BaseFilter],
        left_out: frozenset[str],
    ) -> None:
        super().__init__(self._unused_callback)
        allowed = list(allowed_filters)
        self.by_name: dict[str, CommandHandler[Any, Any]] = {}
        for handler in handlers:
            if not any(handler.filters is filter_ for filter_ in allowed):
                raise ValueError(f"{sorted(handler.commands)}: only READER/ADMIN commands")
            if handler.block is not self.block:
                raise ValueError(f"{sorted(handler.commands)}: only blocking handlers")
            for name in handler.commands - left_out:
                if name in self.by_name:
                    raise ValueError(f"/{name} is answered by two CommandHandlers")
                self.by_name[name] = handler

    @staticmethod
    async def _unused_callback(update: Update, context: BotContext) -> None:
        raise AssertionError("CommandShortcut runs the matched handler's callback")

    def check_update(self, update: object) -> Match | None:
        """The CommandHandler for the command's name, if it accepts this update."""
        if not isinstance(update, Update):
            return None
        message = update.effective_message
        # The name as CommandHandler reads it (a command for another bot: None, and the
        # update walks the list, where no CommandHandler takes it either).
        parsed = command_of(message, message.get_bot().username) if message else None
        handler = self.by_name.get(parsed[0]) if parsed else None
        if handler is None:
            return None
        check = handler.check_update(update)
        if check is None or check is False:
            return None
        return handler, check

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: Application[Any, BotContext, Any, Any, Any, Any],
        check_result: Match,
        context: BotContext,
    ) -> None:
        """Run the matched CommandHandler exactly as PTB would have run it in its place."""
        handler, check = check_result
        return await handler.handle_update(update, application, check, context)  # type: ignore[arg-type]


def shortcut_for(
    handlers: list[BaseHandler[Any, Any, Any]],
    allowed_filters: Iterable[BaseFilter],
    left_out: frozenset[str],
) -> CommandShortcut:
    """The shortcut for every READER/ADMIN CommandHandler in `handlers` (see the module doc)."""
    allowed = list(allowed_filters)
    commands = [
        handler
        for handler in handlers
        if isinstance(handler, CommandHandler)
        and any(handler.filters is filter_ for filter_ in allowed)
    ]
    return CommandShortcut(commands, allowed_filters=allowed, left_out=left_out)
