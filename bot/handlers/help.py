"""/start and /help: what the bot is for and every command, generated from the handlers."""

from telegram import Update

import storage
from bot.auth import is_admin
from bot.command_menu import registered_commands
from bot.context import BotContext
from bot.replies import reply
from render.formatting import bold, text

INTRO = (
    "Backchannel briefs you on the lower-level negotiation channels between Ukraine and "
    "Russia (humanitarian aid, ceasefires, prisoner exchanges, corridors, reconstruction), "
    "which keep moving while leader-level talks are stalled."
)

ASK_HINT = (
    "You can also just ask, in English or Ukrainian: “any news on prisoner swaps?”, "
    "“what changed this week?”, “що з перемир'ям?”."
)


def help_text(context: BotContext, *, for_admin: bool = False) -> str:
    """The full help: intro, reader commands, channel commands and, for admins, admin ones."""
    infos = registered_commands(context.application)
    lines = [bold("Backchannel"), text(INTRO), "", text(ASK_HINT), "", bold("Commands")]
    lines += [f"/{i.name}: {text(i.description)}" for i in infos if not i.admin_only]
    lines += ["", bold("Channels")]
    for channel in storage.list_channels(context.db):
        aliases = (
            f" (also {', '.join(f'/{a}' for a in channel.aliases)})" if channel.aliases else ""
        )
        lines.append(f"/{channel.slug}{aliases}: {text(channel.title)}")
    admin = [i for i in infos if i.admin_only]
    if for_admin and admin:
        lines += ["", bold("Admin commands")]
        lines += [f"/{i.name}: {text(i.description)}" for i in admin]
    return "\n".join(lines)


def _for_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return is_admin(context, user.id if user else None)


async def start(update: Update, context: BotContext) -> None:
    """Introduction and the list of commands."""
    await reply(update, help_text(context, for_admin=_for_admin(update, context)))


async def help_command(update: Update, context: BotContext) -> None:
    """Every command, with what it does."""
    await reply(update, help_text(context, for_admin=_for_admin(update, context)))
