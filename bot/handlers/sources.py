"""/sources and /source add|pause|resume|remove: the feeds admins follow, with their health."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update

import storage
from bot.auth import actor_of, admin_only
from bot.context import BotContext
from bot.editing.source_input import SourceInputError, parse_new_source, parse_source_id
from bot.handlers.status_changes import command_rest
from bot.jobs import sources as source_jobs
from bot.replies import reply
from render.formatting import text
from render.sources import source_line, sources_view
from sources.addresses import AddressRefused, resolve
from sources.poller import SourceOutcome

log = logging.getLogger(__name__)

SOURCE_USAGE = (
    "Type <code>/source add &lt;feed URL&gt; [channels] [grade] [interval]</code>, e.g.\n"
    "<code>/source add https://example.org/news.rss exchanges official 30m</code>\n"
    "or <code>/source pause 3</code>, <code>/source resume 3</code>, "
    "<code>/source remove 3</code>. /sources lists them with their ids."
)


@admin_only
async def list_sources(update: Update, context: BotContext) -> None:
    """Followed sources with their health: last success, last error, items, next poll."""
    db = context.db
    channels = {c.id: c for c in storage.list_channels(db, include_archived=True)}
    await reply(update, sources_view(storage.list_sources(db), channels, context.settings.zone))


@admin_only
async def source(update: Update, context: BotContext) -> None:
    """Follow, pause, resume or remove a source: /source add URL [channels] [grade]."""
    words = command_rest(update).split()
    action = words[0].lower() if words else ""
    try:
        if action == "add":
            await _add(update, context, words[1:])
        elif action in {"pause", "resume", "remove"}:
            await _change(
                update, context, action, parse_source_id(words[1] if len(words) > 1 else None)
            )
        else:
            await reply(update, SOURCE_USAGE)
    except SourceInputError as error:
        await reply(update, f"Nothing was changed: {text(str(error))}\n\n{SOURCE_USAGE}")
    except storage.SourceNotFoundError:
        await reply(update, "There is no source with that number; /sources lists them.")


async def _add(update: Update, context: BotContext, words: list[str]) -> None:
    db, settings = context.db, context.settings
    new = parse_new_source(db, words)
    if new.kind == "feed" and not settings.sources_allow_private:
        try:
            await resolve(new.url, allow_private=False)
        except AddressRefused as error:
            if "private" in str(error):
                raise SourceInputError(f"“{new.url[:80]}” cannot be followed: {error}.") from None
            # A name that does not resolve now may later; the poll will say so in /sources.
    try:
        added = storage.add_source(
            db, url=new.url, kind=new.kind, grade=new.grade, channel_ids=new.channel_ids,
            title=new.title, actor=actor_of(update),
            interval=new.interval or timedelta(minutes=settings.sources_interval_minutes),
        )  # fmt: skip
    except storage.SourceExistsError as error:
        await reply(update, f"That source is already followed as #{error.source_id}; see /sources.")
        return
    log.info("source %s added by user %s", added.id, actor_of(update).id)
    first = "Forward its posts to me and they land in /inbox."
    if added.kind == "feed":
        outcome = await source_jobs.service(context.application).first_poll(added)
        first = _first_poll_text(outcome)
        added = storage.get_source(db, added.id) or added
    channels = {c.id: c for c in storage.list_channels(db)}
    await reply(update, f"✅ Following:\n{source_line(added, channels, settings.zone)}\n\n{first}")


def _first_poll_text(outcome: SourceOutcome | None) -> str:
    if outcome is None:
        return "It will be polled within a minute; /sources shows how it went."
    if outcome.error:
        return (
            f"⚠️ The first poll failed: {text(outcome.error)}\nI'll keep trying with growing "
            "pauses; fix the address with /source remove and add it again."
        )
    return f"First poll: {outcome.new_items} new items. /inbox to review them."


async def _change(update: Update, context: BotContext, action: str, source_id: int) -> None:
    db, actor = context.db, actor_of(update)
    if action == "remove":
        removed = storage.remove_source(db, source_id, actor=actor)
        await reply(
            update,
            f"🗑 Removed #{removed.id} {text(removed.label[:80])} and its pending items. "
            "Notes made from it stay.",
        )
        return
    changed = storage.set_source_paused(db, source_id, paused=action == "pause", actor=actor)
    channels = {c.id: c for c in storage.list_channels(db)}
    verb = "⏸ Paused" if action == "pause" else "▶️ Resumed"
    await reply(update, f"{verb}:\n{source_line(changed, channels, context.settings.zone)}")
