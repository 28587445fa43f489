"""/subscribe, /unsubscribe and /mysubs: which channels a chat's daily digest covers."""

from __future__ import annotations

import re

from telegram import Update

import storage
from bot.chats import GROUP_ADMINS_ONLY, chat_id_of, in_group, may_manage_chat, texts_for
from bot.context import BotContext
from bot.replies import reply
from language.i18n import Texts
from language.suggestions import closest
from render.formatting import quoted, text
from render.subscriptions import channel_names, not_subscribed, subscribed, subscription_view

_SEPARATORS = re.compile(r"[\s,;]+")


def parse_channels(
    context: BotContext, _: Texts, command: str = "/subscribe"
) -> tuple[list[storage.Channel] | None, str | None]:
    """Channels named in the arguments (None: all of them), or a reply explaining a bad name
    (its example uses `command`)."""
    names = [name for name in _SEPARATORS.split(" ".join(context.args or [])) if name]
    if not names or [name.lower() for name in names] == ["all"]:
        return None, None
    found: dict[int, storage.Channel] = {}
    for name in names:
        try:
            channel = storage.find_channel(context.db, name)
        except storage.ChannelNotFoundError:
            return [], _unknown(context, name, _, command)
        found[channel.id] = channel
    return list(found.values()), None


def _unknown(context: BotContext, name: str, _: Texts, command: str) -> str:
    guess = closest(name.lstrip("/").lower(), list(storage.command_index(context.db)))
    no_such = _("There is no channel called {name}.", name=quoted(name))
    hint = " " + _("Did you mean “{name}”?", name=text(guess)) if guess else ""
    slugs = " ".join(c.slug for c in storage.list_channels(context.db))
    how = _(
        "Type channel names after the command, e.g. <code>{command} ceasefire</code>. "
        "Channels: {channels}",
        command=command,
        channels=text(slugs),
    )
    unchanged = _("Nothing was changed.")
    return f"{no_such}{hint} {unchanged}\n{how}"


async def subscribe(update: Update, context: BotContext) -> None:
    """Daily digest of every channel, or only some: /subscribe ceasefire exchanges."""
    _ = texts_for(update, context)
    if not await may_manage_chat(update, context):
        await reply(update, _(GROUP_ADMINS_ONLY))
        return
    chosen, problem = parse_channels(context, _)
    if problem:
        await reply(update, problem)
        return
    db, settings, chat_id = context.db, context.settings, chat_id_of(update)
    before = storage.get_subscriber(db, chat_id)
    if before and before.active and before.all_channels:
        await reply(update, _("You already get every channel. /mysubs shows when the next comes."))
        return
    subscriber = storage.subscribe(
        db, chat_id, chat_type=update.effective_chat.type if update.effective_chat else "private",
        channel_ids=None if chosen is None else [c.id for c in chosen],
        digest_time=settings.digest_time, timezone=settings.timezone,
    )  # fmt: skip
    # Digests come without anyone asking: remember the language to write them in.
    storage.remember_language(db, chat_id, _.language)
    added = (
        _("Subscribed to every channel.")
        if chosen is None
        else _("Added {channels}.", channels=channel_names(chosen, _))
    )
    await reply(update, subscribed(subscriber, storage.list_channels(db), added, _))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Stop the digest, or drop channels from it: /unsubscribe ceasefire."""
    _ = texts_for(update, context)
    if not await may_manage_chat(update, context):
        await reply(update, _(GROUP_ADMINS_ONLY))
        return
    chosen, problem = parse_channels(context, _)
    db, chat_id = context.db, chat_id_of(update)
    current = storage.get_subscriber(db, chat_id)
    if problem or current is None or not current.active:
        await reply(update, problem or not_subscribed(in_group(update), _))
        return
    if chosen is not None and not any(current.follows(c.id) for c in chosen):
        await reply(
            update,
            _(
                "Your digest does not include {channels}. See /mysubs.",
                channels=channel_names(chosen, _),
            ),
        )
        return
    channels = storage.list_channels(db)
    remaining = storage.unsubscribe(
        db, chat_id, None if chosen is None else [c.id for c in chosen],
        all_channel_ids=[c.id for c in channels],
    )  # fmt: skip
    if remaining is None:
        await reply(
            update, _("🔕 Unsubscribed: no more digests here. /subscribe starts them again.")
        )
        return
    dropped = channel_names([c for c in chosen or [] if current.follows(c.id)], _)
    kept = channel_names([c for c in channels if c.id in remaining.channel_ids], _)
    await reply(
        update,
        _("Removed {dropped}.\nYour digest still includes: {kept}", dropped=dropped, kept=kept),
    )


async def mysubs(update: Update, context: BotContext) -> None:
    """Your digest: which channels, at what time, and when the next one comes."""
    _ = texts_for(update, context)
    subscriber = storage.get_subscriber(context.db, chat_id_of(update))
    if subscriber is None or not subscriber.active:
        reason = subscriber.paused_reason if subscriber else None
        await reply(update, not_subscribed(in_group(update), _, reason))
        return
    channels = storage.list_channels(context.db)
    alerts = storage.get_alerts(context.db, subscriber.chat_id)
    await reply(update, subscription_view(subscriber, channels, in_group(update), _, alerts))
