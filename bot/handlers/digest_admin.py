"""/digestnow: an admin sends every subscriber their digest at once (urgent briefings)."""

from __future__ import annotations

import logging

from telegram import Bot, Update

import storage
from bot.auth import admin_only
from bot.context import CONSOLE_KEY, BotContext
from bot.jobs.scheduling import DigestService, StopCheck, service, stopped_with
from bot.replies import reply

log = logging.getLogger(__name__)

# The console shares the bot's database: a run there would mark real subscribers' digests as
# delivered while only printing them.
IN_CONSOLE = (
    "/digestnow is off in the console: it would mark every subscriber's digest as sent "
    "without reaching them. Use <code>backchannel digest preview</code> to see digests."
)


@admin_only
async def digestnow(update: Update, context: BotContext) -> None:
    """Send every subscriber their digest now; their daily schedule carries on."""
    if context.bot_data.get(CONSOLE_KEY):
        await reply(update, IN_CONSOLE)
        return
    digest_service = service(context.application)
    waiting = " after the digest run in progress" if digest_service.busy else ""
    count = storage.count_subscribers(context.db)
    await reply(update, f"📣 Sending the digest to {count} subscribers{waiting}. I'll report here.")
    chat_id = update.effective_chat.id if update.effective_chat else 0
    # In the background: a run over every subscriber takes minutes, and the bot keeps
    # answering everyone meanwhile.
    digest_service.background = context.application.create_task(
        _send_and_report(digest_service, context.bot, chat_id, stopped_with(context.application)),
        name="digests:now",
    )


async def _send_and_report(
    digest_service: DigestService, bot: Bot, chat_id: int, should_stop: StopCheck
) -> None:
    report = await digest_service.send_to_all(should_stop=should_stop)
    await bot.send_message(chat_id, f"📣 Digest for everyone done: {report.summary()}.")
