"""Sending replies: every reply goes through here so splitting and parse mode are uniform.

Telegram sometimes answers 429 (retry after a few seconds), 500/502, or drops the connection.
PTB does not retry, so a reader would get no answer; replies are retried a couple of times
for those. Timeouts are not retried: the message may have arrived, and a repeat confuses more
than a missing answer the reader can ask for again. Anything else is a real refusal.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Message, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.chats import is_private_chat, topic_of
from bot.jobs.outbox import retry_after_seconds
from bot.telegram_bot import Keyboard, bot_of
from bot.traffic.concurrency import slot_released
from render.splitting import split_html

log = logging.getLogger(__name__)
Sent = TypeVar("Sent")

REPLY_ATTEMPTS = 3
FIRST_BACKOFF = 0.5  # seconds; doubled for the next attempt
MAX_RETRY_AFTER = 10.0  # a longer "retry after" is not worth keeping the reader waiting
# Replaced in tests, which never wait.
pause: Callable[[float], Awaitable[None]] = asyncio.sleep


async def _wait(seconds: float) -> None:
    """Wait before a retry without holding an update slot: others need it more meanwhile."""
    async with slot_released():
        await pause(seconds)


async def with_retries(send: Callable[[], Awaitable[Sent]]) -> Sent:
    """Send, retrying what Telegram says is passing (429, 5xx, dropped connection)."""
    for attempt in range(1, REPLY_ATTEMPTS + 1):
        try:
            return await send()
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            if attempt == REPLY_ATTEMPTS or seconds > MAX_RETRY_AFTER:
                raise
            log.warning("reply: flood control, retrying in %.0f s", seconds)
            await _wait(seconds)
        except (BadRequest, TimedOut):
            raise
        except NetworkError as error:
            if attempt == REPLY_ATTEMPTS:
                raise
            log.warning("reply: %s, retrying", error)
            await _wait(FIRST_BACKOFF * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


async def reply(update: Update, html: str, markup: Keyboard | None = None) -> list[int]:
    """Answer the update's message with HTML, split under Telegram's length limit.

    In groups the reply quotes the asker's message, so it is clear whom the bot answers; in a
    forum topic it stays in that topic. Buttons (`markup`) go under the last piece, where the
    reader's eyes end up. Returns the ids of the messages sent.
    """
    message = update.effective_message
    if message is None:
        return []
    bot = bot_of(message)
    in_group = not is_private_chat(message.chat)
    thread_id = topic_of(message)
    sent = []
    chunks = split_html(html)
    for index, chunk in enumerate(chunks):
        buttons = markup if index == len(chunks) - 1 else None
        quoted = message.message_id if in_group and index == 0 else None
        sent.append(
            await with_retries(
                lambda chunk=chunk, quoted=quoted, buttons=buttons: bot.send_html(
                    message.chat_id, chunk, markup=buttons, reply_to=quoted, thread_id=thread_id
                )
            )
        )
    return sent


async def reply_photo(update: Update, png: bytes, filename: str, caption: str) -> Message | None:
    """Answer with a picture and an HTML caption (kept under Telegram's 1024-character limit)."""
    message = update.effective_message
    if message is None:
        return None
    in_group = not is_private_chat(message.chat)
    return await message.reply_photo(png, caption=caption, filename=filename, do_quote=in_group)


async def reply_document(
    update: Update, content: bytes, filename: str, caption: str
) -> Message | None:
    """Answer with a file the user can download, with an HTML caption."""
    message = update.effective_message
    if message is None:
        return None
    in_group = not is_private_chat(message.chat)
    return await message.reply_document(
        content, caption=caption, filename=filename, do_quote=in_group
    )
