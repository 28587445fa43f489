"""/alerts: an instant message when a channel's phase changes, besides the daily digest."""

from __future__ import annotations

from telegram import Update

import storage
from bot.chats import chat_id_of, in_group, may_manage_chat
from bot.context import BotContext
from bot.handlers.subscriptions import parse_channels
from bot.replies import reply
from render.subscriptions import alert_setting, channel_names, not_subscribed

USAGE = (
    "Type <code>/alerts on</code> for a message the moment any channel's phase changes, "
    "<code>/alerts on ceasefire exchanges</code> for only those channels, or "
    "<code>/alerts off</code> to stop them. Notes wait for the daily digest."
)
GROUP_ADMINS_ONLY = "Only this group's admins can change its alerts."


async def alerts(update: Update, context: BotContext) -> None:
    """Instant phase-change alerts: /alerts on [channels], /alerts off."""
    args = context.args or []
    choice = args[0].lower() if args else ""
    if choice not in {"on", "off"} or (choice == "off" and len(args) > 1):
        await _show(update, context)
        return
    if not await may_manage_chat(update, context):
        await reply(update, GROUP_ADMINS_ONLY)
        return
    if choice == "off":
        stopped = storage.alerts_off(context.db, chat_id_of(update))
        done = "🔕 Alerts off; the daily digest carries on."
        await reply(update, done if stopped else f"Alerts were not on here. {USAGE}")
        return
    context.args = args[1:]
    await _turn_on(update, context)


async def _turn_on(update: Update, context: BotContext) -> None:
    """Alerts on for the channels in context.args (none: every channel)."""
    chosen, problem = parse_channels(context)
    if problem:
        await reply(update, problem.replace("/subscribe", "/alerts on"))
        return
    ids = None if chosen is None else [c.id for c in chosen]
    try:
        storage.set_alerts(context.db, chat_id_of(update), ids)
    except storage.NotSubscribedError:
        await reply(update, f"{not_subscribed(in_group(update))} Alerts come with it.")
        return
    what = "any channel's phase" if chosen is None else f"the phase of {channel_names(chosen)}"
    await reply(
        update,
        f"🔔 Alerts on: I'll message here as soon as {what} changes. "
        "Those changes still appear in your daily digest, marked “🔔 alerted”.",
    )


async def _show(update: Update, context: BotContext) -> None:
    """The current setting and how to change it (also the answer to a mistyped /alerts)."""
    setting = storage.get_alerts(context.db, chat_id_of(update))
    shown = alert_setting(setting, storage.list_channels(context.db))
    await reply(update, f"Instant alerts: {shown}\n{USAGE}")
