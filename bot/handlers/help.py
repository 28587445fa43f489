"""/start and /help: what the bot does and every command, generated from the handlers."""

from telegram import Update

import storage
from bot.auth import is_admin
from bot.chats import texts_for
from bot.command_menu import registered_commands
from bot.context import BotContext
from bot.handlers.language import language_keyboard
from bot.replies import reply
from language.i18n import N_, Texts
from render.formatting import bold, channel_title, text

INTRO = N_(
    "Backchannel briefs you on the lower-level negotiation channels between Ukraine and "
    "Russia (humanitarian aid, ceasefires, prisoner exchanges, corridors, reconstruction), "
    "which keep moving while leader-level talks are stalled."
)

ASK_HINT = N_(
    "You can also just ask, in English or Ukrainian: “any news on prisoner swaps?”, "
    "“what changed this week?”, “що з перемир'ям?”."
)


def help_text(context: BotContext, _: Texts, *, for_admin: bool = False) -> str:
    """The full help: intro, reader commands, channel commands and, for admins, admin ones."""
    infos = registered_commands(context.application)
    lines = [bold("Backchannel"), text(_(INTRO)), "", text(_(ASK_HINT)), "", bold(_("Commands"))]
    lines += [f"/{i.name}: {text(i.described(_))}" for i in infos if not i.admin_only]
    lines += ["", bold(_("Channels"))]
    for channel in storage.list_channels(context.db):
        aliases = (
            " " + _("(also {commands})", commands=", ".join(f"/{a}" for a in channel.aliases))
            if channel.aliases
            else ""
        )
        lines.append(f"/{channel.slug}{aliases}: {text(channel_title(channel, _))}")
    admin = [i for i in infos if i.admin_only]
    if for_admin and admin:
        lines += ["", bold(_("Admin commands"))]
        lines += [f"/{i.name}: {text(i.described(_))}" for i in admin]
    return "\n".join(lines)


def _for_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return is_admin(context, user.id if user else None)


async def start(update: Update, context: BotContext) -> None:
    """Introduction and the list of commands."""
    _ = texts_for(update, context)
    html = help_text(context, _, for_admin=_for_admin(update, context))
    # The first thing a newcomer sees offers the other language at once.
    await reply(update, html, language_keyboard())


async def help_command(update: Update, context: BotContext) -> None:
    """Every command, with what it does."""
    _ = texts_for(update, context)
    await reply(update, help_text(context, _, for_admin=_for_admin(update, context)))
