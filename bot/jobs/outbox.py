"""Telegram behind the digest sender's one-method outbox, its errors in the sender's terms.

`digests` must not know python-telegram-bot, yet it has to tell a blocked chat (never retry)
from a 429 (pause everyone) from a dropped connection (retry with backoff). This adapter is the
one place that maps Telegram's exceptions onto those kinds, and the one helper for Telegram's
"retry after", shared with reader replies.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.telegram_bot import BackchannelBot
from digests.sender import ChatGone, FloodWait, NetworkTrouble, Refused

# Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) instead of a
# deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# A 400 with one of these means the chat is gone for good, not that the message was bad.
_GONE_MARKERS = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")
# A 400 on an edit with one of these: that message cannot be corrected any more.
_UNEDITABLE_MARKERS = ("message to edit not found", "message can't be edited")


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's "retry after" in seconds, whichever form PTB gives it in."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramOutbox:
    """Sends digest and alert messages through the bot, raising the sender's error kinds."""

    def __init__(self, bot: BackchannelBot) -> None:
        self.bot = bot

    async def send_html(self, chat_id: int, html: str) -> int | None:
        """Send one message; translate Telegram's refusal into what the sender acts on."""
        with _translated_errors():
            return await self.bot.send_html(chat_id, html)
        return None  # unreachable: the context manager re-raises

    async def edit_html(self, chat_id: int, message_id: int, html: str) -> None:
        """Edit a message sent earlier; one Telegram says is unchanged counts as done."""
        try:
            with _translated_errors():
                await self.bot.edit_html(chat_id, message_id, html)
        except Refused as error:
            if "not modified" in str(error):
                return
            if any(marker in str(error) for marker in _UNEDITABLE_MARKERS):
                raise ChatGone(str(error)) from error
            raise


@contextlib.contextmanager
def _translated_errors() -> Iterator[None]:
    """Telegram's exceptions as the sender's kinds (see `digests.sender`)."""
    try:
        yield
    except RetryAfter as error:
        raise FloodWait(retry_after_seconds(error)) from error
    except Forbidden as error:
        raise ChatGone(error.message) from error
    except ChatMigrated as error:
        raise ChatGone("the chat became a supergroup; it must /subscribe again") from error
    except BadRequest as error:  # before NetworkError: BadRequest subclasses it
        if any(marker in error.message.lower() for marker in _GONE_MARKERS):
            raise ChatGone(error.message) from error
        raise Refused(error.message) from error
    except NetworkError as error:  # includes TimedOut and 5xx answers
        raise NetworkTrouble(str(error)) from error
    except TelegramError as error:
        raise Refused(str(error)) from error
