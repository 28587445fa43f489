"""Navigation buttons: a tap edits the message in place into another page.

Every callback is answered (or Telegram shows a spinner on the button for a long time), and
data that does not decode, or names a channel that is gone, gets a clear notice instead of an
exception.
"""

import logging

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, TelegramError

import storage
from bot.callbacks import Action, Target, decode
from bot.chats import topic_of
from bot.context import BotContext
from bot.handlers.subscription_buttons import toggle_subscription
from bot.pages import Page, channel_page, history_page, latest_page, overview_page
from bot.telegram_bot import bot_of
from render.splitting import split_html

log = logging.getLogger(__name__)

FORGED = "This button doesn't work anymore. Send /status for a fresh overview."
STALE = "That channel is no longer tracked. Here is the current overview."
GONE = "I can't change that message anymore. Send /status for a fresh overview."


async def navigate(update: Update, context: BotContext) -> None:
    """Open the page a navigation button points to, in the same message."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        notice = await _follow(update, context, decode(query.data))
    finally:
        # Answer even when following failed, so the button stops spinning.
        await _answer(query, notice)


async def unknown_button(update: Update, context: BotContext) -> None:
    """Answer buttons no handler claims (old or forged data) so they never spin forever."""
    if update.callback_query is not None:
        log.info("callback data no handler knows")
        await _answer(update.callback_query, FORGED)


async def _answer(query: CallbackQuery, notice: str | None) -> None:
    try:
        await query.answer(notice)
    except TelegramError as error:  # e.g. "query is too old": the reader has moved on
        log.warning("could not answer a button press: %s", error)


async def _follow(update: Update, context: BotContext, target: Target | None) -> str | None:
    query = update.callback_query
    message = query.message if query else None
    if target is None:
        log.info("forged or outdated navigation data")
        return FORGED
    if not isinstance(message, Message) or not message.is_accessible:
        return GONE  # an inline message, or one Telegram no longer lets the bot see
    if target.action is Action.OVERVIEW or target.slug is None:
        return await _edit(message, overview_page(context))
    try:
        channel = storage.find_channel(context.db, target.slug)
    except storage.ChannelNotFoundError:
        await _edit(message, overview_page(context))
        return STALE
    if target.action in {Action.SUBSCRIBE, Action.UNSUBSCRIBE}:
        notice = await toggle_subscription(update, context, channel, target.action, message)
        await _edit(message, channel_page(context, channel, update))
        return notice
    pages = {
        Action.CHANNEL: lambda: channel_page(context, channel, update),
        Action.HISTORY: lambda: history_page(context, channel),
        Action.LATEST: lambda: latest_page(context, channel),
    }
    return await _edit(message, pages[target.action]())


async def _edit(message: Message, page: Page) -> str | None:
    # An edited message cannot grow into several, so a page too long for one is cut.
    html = split_html(page.html)[0]
    bot = bot_of(message)
    try:
        await bot.edit_html(message.chat_id, message.message_id, html, markup=page.keyboard)
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return None  # the same button twice: the message already shows this page
        # Deleted or no longer editable: the page still reaches the reader, as a new message.
        log.warning("could not edit, sending instead: %s", error.message)
        thread_id = topic_of(message)
        await bot.send_html(message.chat_id, html, markup=page.keyboard, thread_id=thread_id)
    return None
