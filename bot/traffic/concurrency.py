"""Concurrent update processing that keeps each person's own updates in order.

With updates processed one by one, one slow reply (a chart, a long history, a slow Telegram)
holds up every other reader. PTB can process updates concurrently, but then one admin's two
quick messages may be handled out of order, and the guided /set (a ConversationHandler, whose
state moves only after a callback returns) could see its summary before its button press was
recorded. So updates run concurrently across chats and people, and in arrival order within one
person's chat.

An update first waits for its turn in its person's line and only then for one of the shared
processing slots. The other way round (PTB takes its semaphore before `do_process_update`),
one reader with forty queued messages behind a slow photo upload would hold forty slots while
waiting for their own turn, and everyone else would wait for them. For the same reason a
handler can give its slot back while it only waits (`slot_released`: a retry pause, a chart
in the worker pool) and can let the person's next updates start before it ends (`step_aside`).

Handlers share one SQLite connection on the event loop thread; storage calls are synchronous
and never await inside a transaction, so two handlers cannot interleave within one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Key = tuple[int | None, int | None]

# PTB's own semaphore, taken before `do_process_update`, would count updates still waiting for
# their person's turn; it is sized so it never makes anyone wait. The real limit is below.
_ADMIT_ALL = 2**31 - 1


def ordering_key(update: object) -> Key:
    """Updates with the same key are processed in order: the same person in the same chat."""
    if not isinstance(update, Update):
        return (None, None)
    chat, user = update.effective_chat, update.effective_user
    return (chat.id if chat else None, user.id if user else None)


class _Line:
    """One person's queue: the lock their updates take in turn, and how many are in it."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0


class _Slots:
    """The shared processing slots, counting how many are taken."""

    def __init__(self, count: int) -> None:
        self._semaphore = asyncio.Semaphore(count)
        self.taken = 0

    async def acquire(self) -> None:
        await self._semaphore.acquire()
        self.taken += 1

    def release(self) -> None:
        self.taken -= 1
        self._semaphore.release()


class _Turn:
    """What one update being processed holds: its person's turn, and a shared slot."""

    def __init__(self, line: _Line, slots: _Slots) -> None:
        self._line, self._slots = line, slots
        self.has_turn = self.has_slot = False

    async def take_turn(self) -> None:
        await self._line.lock.acquire()
        self.has_turn = True

    def give_turn(self) -> None:
        if self.has_turn:
            self.has_turn = False
            self._line.lock.release()

    async def take_slot(self) -> None:
        await self._slots.acquire()
        self.has_slot = True

    def give_slot(self) -> None:
        if self.has_slot:
            self.has_slot = False
            self._slots.release()


_current: ContextVar[_Turn | None] = ContextVar("backchannel_update_turn", default=None)


@asynccontextmanager
async def slot_released() -> AsyncIterator[None]:
    """Wait inside this block without holding a processing slot; take one back after.

    For waits that need no CPU and no Telegram connection of ours: a retry pause, a chart
    being drawn in the worker pool. The person's turn is kept, so their order still holds.
    Outside the update processor (tests calling process_update, the CLI) it does nothing.
    """
    turn = _current.get()
    if turn is None or not turn.has_slot:
        yield
        return
    turn.give_slot()
    try:
        yield
    finally:
        await turn.take_slot()


def step_aside() -> None:
    """Let this person's next updates start now; the rest of this one runs alongside them.

    For a reply that may take long and that later messages need not wait for (a chart). Only
    the order of what comes after this call is given up; the slot is kept.
    """
    turn = _current.get()
    if turn is not None:
        turn.give_turn()


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` at once; one at a time per (chat, person)."""

    _limit: int | None = None  # None only while PTB's __init__ sizes its own semaphore

    def __init__(self, max_concurrent_updates: int) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(_ADMIT_ALL)
        self._limit = max_concurrent_updates
        self._slots = _Slots(max_concurrent_updates)
        self._lines: dict[Key, _Line] = {}

    @property
    def max_concurrent_updates(self) -> int:
        """How many updates are processed at once (updates waiting for their turn excluded)."""
        return self._limit if self._limit is not None else super().max_concurrent_updates

    @property
    def current_concurrent_updates(self) -> int:
        """How many updates hold a processing slot now."""
        return self._slots.taken

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this person's earlier updates, then for a free slot, then process."""
        key = ordering_key(update)
        line = self._lines.setdefault(key, _Line())
        line.waiting += 1
        turn = _Turn(line, self._slots)
        try:
            await turn.take_turn()
            await turn.take_slot()
            token = _current.set(turn)
            try:
                await coroutine
            finally:
                _current.reset(token)
        finally:
            turn.give_slot()
            turn.give_turn()
            # Forget idle lines, so memory does not grow with every chat ever seen.
            line.waiting -= 1
            if not line.waiting:
                del self._lines[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
