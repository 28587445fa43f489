"""/digesttime, /quiet and /digest: when the digest comes, quiet days, and the digest on demand."""

from __future__ import annotations

from telegram import Update

import storage
from bot.chats import GROUP_ADMINS_ONLY, chat_id_of, in_group, may_manage_chat
from bot.context import BotContext
from bot.replies import reply
from digests.runner import preview
from render.formatting import quoted, text
from render.subscriptions import not_subscribed, when
from storage.schedule import canonical_zone, closest_zone, parse_hhmm

TIME_USAGE = (
    "Type the hour as HH:MM on the 24-hour clock, optionally with an IANA time zone, e.g. "
    "<code>/digesttime 07:30</code> or <code>/digesttime 07:30 Europe/Kyiv</code>."
)
QUIET_USAGE = (
    "Type <code>/quiet on</code> to get nothing on days without changes, or "
    "<code>/quiet off</code> to get a short “nothing new” note on those days."
)


async def _active(update: Update, context: BotContext) -> storage.Subscriber | None:
    """The chat's active subscription, or None after telling the chat how to subscribe."""
    subscriber = storage.get_subscriber(context.db, chat_id_of(update))
    if subscriber is None or not subscriber.active:
        reason = subscriber.paused_reason if subscriber else None
        await reply(update, not_subscribed(in_group(update), reason))
        return None
    return subscriber


def _zone_problem(name: str) -> str:
    guess = closest_zone(name)
    hint = f" Did you mean <code>{text(guess)}</code>?" if guess else ""
    return f"I don't know the time zone {quoted(name)}.{hint}\n{TIME_USAGE}"


async def digesttime(update: Update, context: BotContext) -> None:
    """Set your digest hour and time zone: /digesttime 07:30 Europe/Kyiv."""
    args = context.args or []
    if not 1 <= len(args) <= 2 or parse_hhmm(args[0]) is None:
        shown = f"{quoted(' '.join(args))} is not a time I can read. " if args else ""
        await reply(update, shown + TIME_USAGE)
        return
    if not await may_manage_chat(update, context):
        await reply(update, GROUP_ADMINS_ONLY)
        return
    subscriber = await _active(update, context)
    zone = canonical_zone(args[1]) if len(args) == 2 else None
    if subscriber is None or (len(args) == 2 and zone is None):
        if subscriber is not None:
            await reply(update, _zone_problem(args[1]))
        return
    at = parse_hhmm(args[0])
    assert at is not None  # checked above
    updated = storage.set_schedule(context.db, subscriber.chat_id, at, zone or subscriber.timezone)
    await reply(
        update,
        f"⏰ Digest time set to {at:%H:%M} ({text(updated.timezone)}).\n"
        f"Next digest: {when(updated.next_due_at, updated.timezone)}.",
    )


async def quiet(update: Update, context: BotContext) -> None:
    """Skip days without changes (on) or get a short note (off): /quiet on|off."""
    args = [arg.lower() for arg in context.args or []]
    if args not in (["on"], ["off"]):
        await reply(update, QUIET_USAGE)
        return
    if not await may_manage_chat(update, context):
        await reply(update, GROUP_ADMINS_ONLY)
        return
    subscriber = await _active(update, context)
    if subscriber is None:
        return
    storage.set_quiet(context.db, subscriber.chat_id, args == ["on"])
    if args == ["on"]:
        await reply(update, "🤫 Quiet on: on days with no changes, no digest is sent.")
    else:
        await reply(update, "🔔 Quiet off: on days with no changes, you get a short note.")


async def digest(update: Update, context: BotContext) -> None:
    """Your digest right now, without changing your schedule."""
    subscriber = await _active(update, context)
    if subscriber is None:
        return
    for part in preview(context.db, subscriber).parts:
        await reply(update, part)
