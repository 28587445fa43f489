"""/alerts: an instant message when a channel's phase changes, besides the daily digest."""

from __future__ import annotations

from telegram import Update

import storage
from bot.chats import chat_id_of, in_group, may_manage_chat, texts_for
from bot.context import BotContext
from bot.handlers.subscriptions import parse_channels
from bot.replies import reply
from language.i18n import N_, Texts
from render.subscriptions import alert_setting, channel_names, not_subscribed

USAGE = N_(
    "Type <code>/alerts on</code> for a message the moment any channel's phase changes, "
    "<code>/alerts on ceasefire exchanges</code> for only those channels, or "
    "<code>/alerts off</code> to stop them. Notes wait for the daily digest."
)
GROUP_ADMINS_ONLY = N_("Only this group's admins can change its alerts.")


async def alerts(update: Update, context: BotContext) -> None:
    """Instant phase-change alerts: /alerts on [channels], /alerts off."""
    _ = texts_for(update, context)
    args = context.args or []
    choice = args[0].lower() if args else ""
    if choice not in {"on", "off"} or (choice == "off" and len(args) > 1):
        await _show(update, context, _)
        return
    if not await may_manage_chat(update, context):
        await reply(update, _(GROUP_ADMINS_ONLY))
        return
    if choice == "off":
        stopped = storage.alerts_off(context.db, chat_id_of(update))
        done = _("🔕 Alerts off; the daily digest carries on.")
        not_on = _("Alerts were not on here.") + " " + _(USAGE)
        await reply(update, done if stopped else not_on)
        return
    context.args = args[1:]
    await _turn_on(update, context, _)


async def _turn_on(update: Update, context: BotContext, _: Texts) -> None:
    """Alerts on for the channels in context.args (none: every channel)."""
    chosen, problem = parse_channels(context, _, "/alerts on")
    if problem:
        await reply(update, problem)
        return
    ids = None if chosen is None else [c.id for c in chosen]
    try:
        storage.set_alerts(context.db, chat_id_of(update), ids)
    except storage.NotSubscribedError:
        come_with = _("Alerts come with it.")
        await reply(update, f"{not_subscribed(in_group(update), _)} {come_with}")
        return
    # Alerts come without anyone asking: remember the language to write them in.
    storage.remember_language(context.db, chat_id_of(update), _.language)
    if chosen is None:
        turned_on = _("🔔 Alerts on: I'll message here as soon as any channel's phase changes.")
    else:
        turned_on = _(
            "🔔 Alerts on: I'll message here as soon as the phase of {channels} changes.",
            channels=channel_names(chosen, _),
        )
    still = _("Those changes still appear in your daily digest, marked “🔔 alerted”.")
    await reply(update, f"{turned_on} {still}")


async def _show(update: Update, context: BotContext, _: Texts) -> None:
    """The current setting and how to change it (also the answer to a mistyped /alerts)."""
    setting = storage.get_alerts(context.db, chat_id_of(update))
    shown = alert_setting(setting, storage.list_channels(context.db), _)
    current = _("Instant alerts: {setting}", setting=shown)
    await reply(update, f"{current}\n{_(USAGE)}")
