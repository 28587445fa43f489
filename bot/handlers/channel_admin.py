"""/addchannel, /renamechannel, /archivechannel, /restorechannel: the list of channels itself."""

import logging
import re

from pydantic import ValidationError
from telegram import Update
from telegram.error import TelegramError

import storage
from bot.auth import actor_of, admin_only
from bot.command_menu import builtin_names, publish_menu
from bot.context import BotContext
from bot.editing.validation import NewChannelInput, problems, rules, title_problem
from bot.handlers.channels import no_such_channel
from bot.handlers.status_changes import command_rest
from bot.replies import reply
from render.formatting import bold, phase_badge, text

log = logging.getLogger(__name__)

ADD_USAGE = (
    "Type <code>/addchannel &lt;slug&gt; &lt;title&gt; [/alias ...]</code>, e.g.\n"
    "<code>/addchannel energy Energy infrastructure truce /grid /power</code>"
)
PLACEHOLDER = "New channel; no update recorded yet."
_ALIASES = re.compile(r"(?:\s+/\S+)*\s*$")


async def _republish(context: BotContext) -> str:
    """Refresh Telegram's command menu; a failure must not undo the change already saved."""
    try:
        await publish_menu(context.application, context.db)
    except TelegramError:
        log.warning("could not refresh the command menu", exc_info=True)
        return "\n(Telegram's command menu will catch up at the next restart.)"
    return ""


async def _channel_arg(
    update: Update, context: BotContext, command: str, usage: str, *, archived: bool | None
) -> storage.Channel | None:
    """The one channel named after the command, or a reply listing the ones that fit."""
    args = context.args or []
    everything = storage.list_channels(context.db, include_archived=True)
    fitting = [c for c in everything if archived is None or c.archived == archived]
    names = ", ".join(c.slug for c in fitting) or "none"
    if not args:
        await reply(update, f"{usage}\nChannels you can use here: {text(names)}")
        return None
    try:
        return storage.find_channel(context.db, args[0], include_archived=True)
    except storage.ChannelNotFoundError:
        unknown = no_such_channel(args[0], [c.slug for c in fitting], f"/{command} {{}}")
        await reply(update, f"{unknown}\n{usage}\nChannels you can use here: {text(names)}")
        return None


@admin_only
async def add_channel(update: Update, context: BotContext) -> None:
    """Add a channel readers can follow."""
    slug, _, rest = command_rest(update).partition(" ")
    title = _ALIASES.sub("", rest.strip())
    aliases = rest[len(title) :].split()
    found = rules(context.db, builtin_names(context.application))
    try:
        data = NewChannelInput.model_validate(
            {"slug": slug, "title": title, "aliases": aliases}, context=found
        )
    except ValidationError as error:
        listed = "\n".join(f"• {text(problem)}" for problem in problems(error))
        await reply(update, f"Nothing was changed:\n{listed}\n\n{ADD_USAGE}")
        return
    phase = found.ladder.get("proposed") or found.ladder.phases[0]
    storage.create_channel(
        context.db, slug=data.slug, title=data.title, aliases=data.aliases,
        keywords=sorted({data.slug, *data.aliases}), phase=phase.slug, summary=PLACEHOLDER,
        actor=actor_of(update),
    )  # fmt: skip
    log.info("channel %s added by user %s", data.slug, actor_of(update).id)
    also = f" (also {', '.join(f'/{a}' for a in data.aliases)})" if data.aliases else ""
    await reply(
        update,
        f"🆕 Added {bold(data.title)}: readers can send /{data.slug}{also} now. It shows "
        f"{phase_badge(phase)} with a placeholder until you send "
        f"<code>/set {data.slug} &lt;phase&gt; &lt;summary&gt;</code>." + await _republish(context),
    )


@admin_only
async def rename_channel(update: Update, context: BotContext) -> None:
    """Give a channel a new title: /renamechannel aid New title."""
    usage = "Type <code>/renamechannel &lt;slug&gt; &lt;new title&gt;</code>."
    channel = await _channel_arg(update, context, "renamechannel", usage, archived=None)
    if channel is None:
        return
    title = command_rest(update).partition(" ")[2].strip()
    problem = title_problem(title)
    if problem:
        await reply(update, f"Nothing was changed: {text(problem)}\n{usage}")
        return
    if title == channel.title:  # no change, so no audit row and no menu refresh
        await reply(
            update, f"/{channel.slug} is already called {bold(title)}, so nothing was changed."
        )
        return
    storage.rename_channel(context.db, channel_id=channel.id, title=title, actor=actor_of(update))
    log.info("channel %s renamed by user %s", channel.slug, actor_of(update).id)
    message = f"✏️ Renamed /{channel.slug}: {bold(channel.title)} → {bold(title)}"
    await reply(update, message + await _republish(context))


@admin_only
async def archive_channel(update: Update, context: BotContext) -> None:
    """Hide a channel from readers and digests, keeping its history."""
    await _switch_archived(update, context, archived=True)


@admin_only
async def restore_channel(update: Update, context: BotContext) -> None:
    """Bring an archived channel back for readers."""
    await _switch_archived(update, context, archived=False)


async def _switch_archived(update: Update, context: BotContext, *, archived: bool) -> None:
    """Archive or restore the channel named in the command; the two differ only in wording."""
    command = "archivechannel" if archived else "restorechannel"
    usage = f"Type <code>/{command} &lt;slug&gt;</code>."
    channel = await _channel_arg(update, context, command, usage, archived=not archived)
    if channel is None:
        return
    if channel.archived == archived:
        already = (
            f"/{channel.slug} is already archived. /restorechannel brings it back."
            if archived
            else f"/{channel.slug} is not archived; readers already see it."
        )
        await reply(update, already)
        return
    actor = actor_of(update)
    storage.set_archived(context.db, channel_id=channel.id, archived=archived, actor=actor)
    log.info(
        "channel %s %s by user %s", channel.slug, "archived" if archived else "restored", actor.id
    )
    message = (
        f"🗄 Archived {bold(channel.title)}: hidden from readers and digests, history kept. "
        f"<code>/restorechannel {channel.slug}</code> brings it back."
        if archived
        else f"♻️ Restored {bold(channel.title)}: readers see /{channel.slug} again."
    )
    await reply(update, message + await _republish(context))
