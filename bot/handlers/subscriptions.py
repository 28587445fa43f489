"""/subscribe, /unsubscribe and /mysubs: which channels a chat's daily digest covers."""

from __future__ import annotations

import re

from telegram import Update

import storage
from bot.chats import GROUP_ADMINS_ONLY, chat_id_of, in_group, may_manage_chat
from bot.context import BotContext
from bot.replies import reply
from language.suggestions import closest
from render.formatting import quoted, text
from render.subscriptions import channel_names, not_subscribed, subscribed, subscription_view

_SEPARATORS = re.compile(r"[\s,;]+")


def parse_channels(context: BotContext) -> tuple[list[storage.Channel] | None, str | None]:
    """Channels named in the arguments (None: all of them), or a reply explaining a bad name."""
    names = [name for name in _SEPARATORS.split(" ".join(context.args or [])) if name]
    if not names or [name.lower() for name in names] == ["all"]:
        return None, None
    found: dict[int, storage.Channel] = {}
    for name in names:
        try:
            channel = storage.find_channel(context.db, name)
        except storage.ChannelNotFoundError:
            return [], _unknown(context, name)
        found[channel.id] = channel
    return list(found.values()), None


def _unknown(context: BotContext, name: str) -> str:
    guess = closest(name.lstrip("/").lower(), list(storage.command_index(context.db)))
    hint = f" Did you mean “{text(guess)}”?" if guess else ""
    slugs = " ".join(c.slug for c in storage.list_channels(context.db))
    return (
        f"There is no channel called {quoted(name)}.{hint} Nothing was changed.\n"
        f"Type channel names after the command, e.g. <code>/subscribe ceasefire</code>. "
        f"Channels: {text(slugs)}"
    )


async def subscribe(update: Update, context: BotContext) -> None:
    """Daily digest of every channel, or only some: /subscribe ceasefire exchanges."""
    if not await may_manage_chat(update, context):
        await reply(update, GROUP_ADMINS_ONLY)
        return
    chosen, problem = parse_channels(context)
    if problem:
        await reply(update, problem)
        return
    db, settings, chat_id = context.db, context.settings, chat_id_of(update)
    before = storage.get_subscriber(db, chat_id)
    if before and before.active and before.all_channels:
        await reply(update, "You already get every channel. /mysubs shows when the next comes.")
        return
    subscriber = storage.subscribe(
        db, chat_id, chat_type=update.effective_chat.type if update.effective_chat else "private",
        channel_ids=None if chosen is None else [c.id for c in chosen],
        digest_time=settings.digest_time, timezone=settings.timezone,
    )  # fmt: skip
    added = "Subscribed to every channel." if chosen is None else f"Added {channel_names(chosen)}."
    await reply(update, subscribed(subscriber, storage.list_channels(db), added))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Stop the digest, or drop channels from it: /unsubscribe ceasefire."""
    if not await may_manage_chat(update, context):
        await reply(update, GROUP_ADMINS_ONLY)
        return
    chosen, problem = parse_channels(context)
    db, chat_id = context.db, chat_id_of(update)
    current = storage.get_subscriber(db, chat_id)
    if problem or current is None or not current.active:
        await reply(update, problem or not_subscribed(in_group(update)))
        return
    if chosen is not None and not any(current.follows(c.id) for c in chosen):
        await reply(update, f"Your digest does not include {channel_names(chosen)}. See /mysubs.")
        return
    channels = storage.list_channels(db)
    remaining = storage.unsubscribe(
        db, chat_id, None if chosen is None else [c.id for c in chosen],
        all_channel_ids=[c.id for c in channels],
    )  # fmt: skip
    if remaining is None:
        await reply(update, "🔕 Unsubscribed: no more digests here. /subscribe starts them again.")
        return
    dropped = channel_names([c for c in chosen or [] if current.follows(c.id)])
    kept = channel_names([c for c in channels if c.id in remaining.channel_ids])
    await reply(update, f"Removed {dropped}.\nYour digest still includes: {kept}")


async def mysubs(update: Update, context: BotContext) -> None:
    """Your digest: which channels, at what time, and when the next one comes."""
    subscriber = storage.get_subscriber(context.db, chat_id_of(update))
    if subscriber is None or not subscriber.active:
        reason = subscriber.paused_reason if subscriber else None
        await reply(update, not_subscribed(in_group(update), reason))
        return
    channels = storage.list_channels(context.db)
    alerts = storage.get_alerts(context.db, subscriber.chat_id)
    await reply(update, subscription_view(subscriber, channels, in_group(update), alerts))
