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
from bot.editing.validation import NewChannelInput, TitleInput, problems, rules, split_titles
from bot.handlers.channels import no_such_channel
from bot.handlers.status_changes import command_rest
from bot.replies import reply
from render.formatting import bold, phase_badge, text

log = logging.getLogger(__name__)

ADD_USAGE = (
    "Type <code>/addchannel &lt;slug&gt; &lt;title&gt; [| Ukrainian title] [/alias ...]</code>, "
    "e.g.\n<code>/addchannel energy Energy infrastructure truce /grid /power</code>\n"
    "<code>/addchannel energy Energy infrastructure truce | Енергетичне перемир'я /grid</code>"
)
RENAME_USAGE = (
    "Type <code>/renamechannel &lt;slug&gt; &lt;new title&gt;</code>, "
    "<code>/renamechannel &lt;slug&gt; &lt;new title&gt; | &lt;Ukrainian title&gt;</code> or "
    "<code>/renamechannel &lt;slug&gt; | &lt;Ukrainian title&gt;</code>."
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
    titles = _ALIASES.sub("", rest.strip())
    aliases = rest.strip()[len(titles) :].split()
    title, title_uk = split_titles(titles)
    found = rules(context.db, builtin_names(context.application))
    try:
        data = NewChannelInput.model_validate(
            {"slug": slug, "title": title, "title_uk": title_uk, "aliases": aliases},
            context=found,
        )
    except ValidationError as error:
        listed = "\n".join(f"• {text(problem)}" for problem in problems(error))
        await reply(update, f"Nothing was changed:\n{listed}\n\n{ADD_USAGE}")
        return
    phase = found.ladder.get("proposed") or found.ladder.phases[0]
    storage.create_channel(
        context.db, slug=data.slug, title=data.title, title_uk=data.title_uk,
        aliases=data.aliases, keywords=sorted({data.slug, *data.aliases}), phase=phase.slug,
        summary=PLACEHOLDER, actor=actor_of(update),
    )  # fmt: skip
    log.info("channel %s added by user %s", data.slug, actor_of(update).id)
    also = f" (also {', '.join(f'/{a}' for a in data.aliases)})" if data.aliases else ""
    ukrainian = f" ({bold(data.title_uk)})" if data.title_uk else ""
    await reply(
        update,
        f"🆕 Added {bold(data.title)}{ukrainian}: readers can send /{data.slug}{also} now. "
        f"It shows {phase_badge(phase)} with a placeholder until you send "
        f"<code>/set {data.slug} &lt;phase&gt; &lt;summary&gt;</code>." + await _republish(context),
    )


@admin_only
async def rename_channel(update: Update, context: BotContext) -> None:
    """Give a channel a new title: /renamechannel aid New title | Нова назва."""
    channel = await _channel_arg(update, context, "renamechannel", RENAME_USAGE, archived=None)
    if channel is None:
        return
    title, title_uk = split_titles(command_rest(update).partition(" ")[2])
    if title_uk is not None and not title and not title_uk:
        await reply(update, f"Nothing was changed: no title after the channel.\n{RENAME_USAGE}")
        return
    try:
        # Without a bar the English title is required, as before; with one, either may be left
        # out to keep it (but not given empty: "| " alone says nothing).
        fields = {"title": title} if title_uk is None else {"title": title or None}
        data = TitleInput.model_validate({**fields, "title_uk": title_uk or None})
    except ValidationError as error:
        listed = " ".join(problems(error))
        await reply(update, f"Nothing was changed: {text(listed)}\n{RENAME_USAGE}")
        return
    if data.title in (None, channel.title) and data.title_uk in (None, channel.title_uk):
        # No change, so no audit row and no menu refresh.
        await reply(update, f"/{channel.slug} already has that title, so nothing was changed.")
        return
    storage.rename_channel(
        context.db, channel_id=channel.id, title=data.title, title_uk=data.title_uk,
        actor=actor_of(update),
    )  # fmt: skip
    log.info("channel %s renamed by user %s", channel.slug, actor_of(update).id)
    changes = []
    if data.title is not None:
        changes.append(f"{bold(channel.title)} → {bold(data.title)}")
    if data.title_uk is not None:
        before = bold(channel.title_uk) if channel.title_uk else "—"
        changes.append(f"Ukrainian: {before} → {bold(data.title_uk)}")
    message = f"✏️ Renamed /{channel.slug}: " + "; ".join(changes)
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
