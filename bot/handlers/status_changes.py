"""/set, /note, /confirm and /undo: admins keep the briefing current in one short command."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from telegram import Update

import storage
from bot.auth import actor_of, admin_only
from bot.context import BotContext
from bot.editing.apply import apply_update
from bot.editing.validation import UpdateInput, channel_choices, problems, rules, split_tail
from bot.handlers import guided_drafts
from bot.handlers.channels import no_such_channel
from bot.replies import reply
from render.admin import confirm_echo, note_echo, status_echo, undo_echo, undo_refusal
from render.formatting import text

log = logging.getLogger(__name__)

SET_USAGE = (
    "Type <code>/set &lt;channel&gt; &lt;phase&gt; &lt;summary&gt; [source URL] [grade]</code>, "
    "e.g.\n<code>/set ceasefire negotiating Easter pause discussed in Istanbul "
    "https://example.org/report</code>\nor send just /set and I will guide you."
)
NOTE_USAGE = (
    "Type <code>/note &lt;channel&gt; &lt;text&gt; [source URL] [grade]</code>, e.g.\n"
    "<code>/note exchanges Lists of names handed over official</code>"
)
GRADE_HINT = "Grades: official, mediator, media, unconfirmed."


def command_rest(update: Update) -> str:
    """The message text after the command word, exactly as typed (newlines kept)."""
    message = update.effective_message
    if message is None or message.text is None:
        return ""
    entities = message.entities or ()
    length = entities[0].length if entities else len(message.text.split(maxsplit=1)[0])
    return message.text[length:].strip()


def _lists(context: BotContext) -> str:
    found = rules(context.db)
    return f"Channels: {channel_choices(found)}\nPhases: {', '.join(found.ladder.slugs())}"


async def validated(
    update: Update, context: BotContext, data: dict[str, Any], usage: str
) -> UpdateInput | None:
    """Validate an update or reply with every problem and the usage; None means refused."""
    try:
        return UpdateInput.model_validate(data, context=rules(context.db))
    except ValidationError as error:
        found = "\n".join(f"• {text(problem)}" for problem in problems(error))
        await reply(update, f"Nothing was changed:\n{found}\n\n{usage}")
        return None


async def save_and_echo(
    update: Update,
    context: BotContext,
    data: UpdateInput,
    after: Callable[[storage.StatusEntry], str] | None = None,
) -> storage.StatusEntry:
    """Write a validated update and show it the way readers now see it.

    `after` adds a paragraph about the saved entry to the same message (the guided /set's
    request for the other language's text).
    """
    entry, _sent = await saved_and_echoed(update, context, data, after)
    return entry


async def saved_and_echoed(
    update: Update,
    context: BotContext,
    data: UpdateInput,
    after: Callable[[storage.StatusEntry], str] | None = None,
) -> tuple[storage.StatusEntry, list[int]]:
    """`save_and_echo`, also returning the ids of the echo's messages (the guided /set's form
    continues with a reply to them)."""
    db = context.db
    entry = apply_update(db, data, actor_of(update))
    status = storage.channel_status(db, storage.find_channel(db, data.channel))
    log.info("%s on %s by user %s", entry.kind, data.channel, entry.actor_id)
    if entry.kind == "note":
        html = note_echo(status, entry)
    else:
        html = status_echo(status, storage.phase_ladder(db))
    sent = await reply(update, html if after is None else f"{html}\n\n{after(entry)}")
    return entry, sent


@admin_only
async def set_status(update: Update, context: BotContext) -> None:
    """Set a channel's phase and summary."""
    parts = command_rest(update).split(maxsplit=2)
    if len(parts) < 3:
        await reply(update, f"{SET_USAGE}\n\n{text(_lists(context))}\n{GRADE_HINT}")
        return
    channel, phase, tail = parts
    # A half-finished guided form in this chat must not turn the admin's next message into a
    # summary (or a translation); forms the admin has open in other chats are theirs to finish.
    guided_drafts.discard(update, context)
    data = {"channel": channel, "phase": phase, **split_tail(tail)}
    valid = await validated(update, context, data, SET_USAGE)
    if valid is not None:
        await save_and_echo(update, context, valid)


@admin_only
async def note(update: Update, context: BotContext) -> None:
    """Add a note to a channel without changing its phase."""
    parts = command_rest(update).split(maxsplit=1)
    if len(parts) < 2:
        await reply(update, f"{NOTE_USAGE}\n\n{text(_lists(context))}\n{GRADE_HINT}")
        return
    data = {"channel": parts[0], "kind": "note", **split_tail(parts[1])}
    valid = await validated(update, context, data, NOTE_USAGE)
    if valid is not None:
        await save_and_echo(update, context, valid)


@admin_only
async def confirm(update: Update, context: BotContext) -> None:
    """Confirm a channel's status still holds: /confirm ceasefire."""
    args = context.args or []
    choices = channel_choices(rules(context.db))
    if len(args) != 1:
        await reply(
            update,
            "Tell me which channel still holds, e.g. <code>/confirm ceasefire</code>.\n"
            f"Channels: {text(choices)}",
        )
        return
    try:
        channel = storage.find_channel(context.db, args[0])
    except storage.ChannelNotFoundError:
        names = list(storage.command_index(context.db))
        unknown = no_such_channel(args[0], names, "/confirm {}")
        await reply(update, f"{unknown}\nChannels: {text(choices)}")
        return
    storage.confirm_channel(context.db, channel_id=channel.id, actor=actor_of(update))
    now = datetime.now(UTC)
    await reply(update, confirm_echo(storage.channel_status(context.db, channel), now))


@admin_only
async def undo(update: Update, context: BotContext) -> None:
    """Revert your own latest /set or /note (within 15 minutes)."""
    db = context.db
    titles = {c.id: c.title for c in storage.list_channels(db, include_archived=True)}
    try:
        result = storage.undo_last_change(db, actor_of(update))
    except storage.UndoRefusedError as error:
        await reply(update, undo_refusal(error, titles, datetime.now(UTC)))
        return
    log.info("user %s undid history entry %s", result.reverted.actor_id, result.reverted.id)
    ladder = storage.phase_ladder(db)
    await reply(update, undo_echo(result, titles[result.reverted.channel_id], ladder))
