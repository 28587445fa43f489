"""/sources and /source add|pause|resume|remove: the feeds admins follow, with their health."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update

import storage
from bot.auth import actor_of, admin_only
from bot.chats import texts_for
from bot.context import BotContext
from bot.editing.source_input import (
    SourceInputError,
    parse_new_source,
    parse_source_id,
    refused,
)
from bot.handlers.status_changes import command_rest
from bot.jobs import sources as source_jobs
from bot.replies import reply
from language.i18n import N_, Texts
from render.formatting import text
from render.sources import source_line, sources_view
from sources.addresses import AddressRefused, PrivateAddress, resolve
from sources.poller import SourceOutcome
from storage.stored_messages import readable

log = logging.getLogger(__name__)

SOURCE_USAGE = N_(
    "Type <code>/source add &lt;feed URL&gt; [channels] [grade] [interval]</code>, e.g.\n"
    "<code>/source add https://example.org/news.rss exchanges official 30m</code>\n"
    "or <code>/source pause 3</code>, <code>/source resume 3</code>, "
    "<code>/source remove 3</code>. /sources lists them with their ids."
)


@admin_only
async def list_sources(update: Update, context: BotContext) -> None:
    """Followed sources with their health: last success, last error, items, next poll."""
    db, _ = context.db, texts_for(update, context)
    channels = {c.id: c for c in storage.list_channels(db, include_archived=True)}
    shown = sources_view(storage.list_sources(db), channels, context.settings.zone, _)
    await reply(update, shown)


@admin_only
async def source(update: Update, context: BotContext) -> None:
    """Follow, pause, resume or remove a source: /source add URL [channels] [grade]."""
    _ = texts_for(update, context)
    words = command_rest(update).split()
    action = words[0].lower() if words else ""
    try:
        if action == "add":
            await _add(update, context, words[1:], _)
        elif action in {"pause", "resume", "remove"}:
            source_id = parse_source_id(words[1] if len(words) > 1 else None)
            await _change(update, context, action, source_id, _)
        else:
            await reply(update, _(SOURCE_USAGE))
    except SourceInputError as error:
        problem = text(error.in_language(_))
        unchanged = _("Nothing was changed: {problem}", problem=problem)
        await reply(update, f"{unchanged}\n\n{_(SOURCE_USAGE)}")
    except storage.SourceNotFoundError:
        await reply(update, _("There is no source with that number; /sources lists them."))


async def _add(update: Update, context: BotContext, words: list[str], _: Texts) -> None:
    db, settings = context.db, context.settings
    new = parse_new_source(db, words)
    if new.kind == "feed" and not settings.sources_allow_private:
        try:
            await resolve(new.url, allow_private=False)
        except PrivateAddress as error:
            raise refused(new.url, error) from None
        except AddressRefused:
            pass  # A name that does not resolve now may later; the poll will say so in /sources.
    try:
        added = storage.add_source(
            db, url=new.url, kind=new.kind, grade=new.grade, channel_ids=new.channel_ids,
            title=new.title, actor=actor_of(update),
            interval=new.interval or timedelta(minutes=settings.sources_interval_minutes),
        )  # fmt: skip
    except storage.SourceExistsError as error:
        followed = _("That source is already followed as #{id}; see /sources.", id=error.source_id)
        await reply(update, followed)
        return
    log.info("source %s added by user %s", added.id, actor_of(update).id)
    first = _("Forward its posts to me and they land in /inbox.")
    if added.kind == "feed":
        outcome = await source_jobs.service(context.application).first_poll(added)
        first = _first_poll_text(outcome, _)
        added = storage.get_source(db, added.id) or added
    channels = {c.id: c for c in storage.list_channels(db)}
    line = source_line(added, channels, settings.zone, _)
    following = _("✅ Following:")
    await reply(update, f"{following}\n{line}\n\n{first}")


def _first_poll_text(outcome: SourceOutcome | None, _: Texts) -> str:
    if outcome is None:
        return _("It will be polled within a minute; /sources shows how it went.")
    if outcome.error:
        return _(
            "⚠️ The first poll failed: {error}\nI'll keep trying with growing pauses; fix the "
            "address with /source remove and add it again.",
            error=text(readable(outcome.error, _)),
        )
    return _.plural(
        "First poll: {count} new item. /inbox to review them.",
        "First poll: {count} new items. /inbox to review them.",
        outcome.new_items,
    )


async def _change(
    update: Update, context: BotContext, action: str, source_id: int, _: Texts
) -> None:
    db, actor = context.db, actor_of(update)
    if action == "remove":
        removed = storage.remove_source(db, source_id, actor=actor)
        await reply(
            update,
            _(
                "🗑 Removed #{id} {label} and its pending items. Notes made from it stay.",
                id=removed.id,
                label=text(removed.label[:80]),
            ),
        )
        return
    changed = storage.set_source_paused(db, source_id, paused=action == "pause", actor=actor)
    channels = {c.id: c for c in storage.list_channels(db)}
    verb = _("⏸ Paused:") if action == "pause" else _("▶️ Resumed:")
    await reply(update, f"{verb}\n{source_line(changed, channels, context.settings.zone, _)}")
