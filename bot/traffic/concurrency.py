"""Concurrent update processing that keeps each person's own updates in order.

With updates processed one by one, one slow reply (a chart, a long history, a slow Telegram)
holds up every other reader. PTB can process updates concurrently, but then one admin's two
quick messages may be handled out of order, and the guided /set (a ConversationHandler, whose
state moves only after a callback returns) could see its summary before its button press was
recorded. So updates run concurrently across chats and people, and in arrival order within one
person's chat.

Handlers share one SQLite connection on the event loop thread; storage calls are synchronous
and never await inside a transaction, so two handlers cannot interleave within one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Key = tuple[int | None, int | None]


def ordering_key(update: object) -> Key:
    """Updates with the same key are processed in order: the same person in the same chat."""
    if not isinstance(update, Update):
        return (None, None)
    chat, user = update.effective_chat, update.effective_user
    return (chat.id if chat else None, user.id if user else None)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` at once; one at a time per (chat, person)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[Key, asyncio.Lock] = {}
        self._users: dict[Key, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this person's earlier updates, then process this one."""
        key = ordering_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            # Forget idle keys, so memory does not grow with every chat ever seen.
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
