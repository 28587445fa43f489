"""One reader cannot slow the rest: slow replies, queued updates and retry pauses hold no slot.

Updates go through the Application's update queue, so the real update processor handles them.
Slowness is a gate the test holds shut (an asyncio.Event), never a sleep: a reader's upload or
retry pause stays blocked until the test opens it, and meanwhile another reader's /status must
already have been answered.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future

import pytest

from bot import replies
from bot.charts.cache import CHARTS_KEY, ChartDrawer
from bot.charts.drawing import process_pool
from bot.cli.offline_api import OfflineBotApi, ScriptedFailure
from bot.cli.update_factory import chat_dict, text_update, user_dict
from bot.handlers.timeline import STILL_DRAWING

SLOW, OTHER, THIRD = 7101, 7102, 7103
SLOTS = 4
QUEUED = 40
# Guards against a hang, never waited out by a passing test.
PATIENCE = 10


class GatedApi(OfflineBotApi):
    """The offline Bot API, with calls to chosen (method, chat) held until the test opens them."""

    def __init__(self) -> None:
        super().__init__()
        self.gates: dict[tuple[str, int], asyncio.Event] = {}
        self.answered: defaultdict[tuple[str, int], asyncio.Event] = defaultdict(asyncio.Event)

    def hold(self, method: str, chat_id: int) -> asyncio.Event:
        """Hold every `method` call to `chat_id` until the returned event is set."""
        gate = self.gates[(method, chat_id)] = asyncio.Event()
        return gate

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        chat = int(params.get("chat_id", 0))
        gate = self.gates.get((api_method, chat))
        if gate is not None:
            await gate.wait()
        answer = await super().do_request(url, method, request_data, *args, **kwargs)
        self.answered[(api_method, chat)].set()
        return answer

    def open_all(self) -> None:
        """Let everything held through (a failing test must not leave the app hanging)."""
        for gate in self.gates.values():
            gate.set()

    def texts_to(self, chat_id: int) -> list[str]:
        return [p["text"] for p in self.sent() if p["chat_id"] == chat_id]

    def photos_to(self, chat_id: int) -> list[str]:
        return [p["caption"] for p in self.sent("sendPhoto") if p["chat_id"] == chat_id]


class HeldPool(Executor):
    """A chart worker pool that draws only when the test says so."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable, tuple, Future]] = []
        self.holding = True

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        self.jobs.append((fn, args, future))
        if not self.holding:
            self.finish()
        return future

    def finish(self, *, and_stop_holding: bool = False) -> None:
        if and_stop_holding:
            self.holding = False
        for fn, args, future in self.jobs:
            if not future.done():
                future.set_result(fn(*args))


@pytest.fixture
def held(app) -> Iterator[HeldPool]:
    pool = HeldPool()
    app.bot_data[CHARTS_KEY] = ChartDrawer(pool)
    yield pool
    pool.finish()  # a failing test must not leave the app waiting for a chart


async def settle(done: Callable[[], bool]) -> None:
    """Let the event loop run (no clock involved) until `done()` holds."""
    for _ in range(10_000):
        if done():
            return
        await asyncio.sleep(0)
    raise AssertionError("the bot never got there")


@pytest.fixture
def settings(settings):
    """A few slots, so that one reader's queue could fill them all."""
    return settings.model_copy(update={"concurrent_updates": SLOTS})


@pytest.fixture
def api() -> GatedApi:
    return GatedApi()


async def put(app, user_id: int, text: str) -> None:
    update = text_update(
        app.bot, text, user=user_dict(user_id, f"Reader {user_id}"), chat=chat_dict(user_id)
    )
    await app.update_queue.put(update)


async def answered(api: GatedApi, method: str, chat_id: int) -> None:
    await asyncio.wait_for(api.answered[(method, chat_id)].wait(), PATIENCE)


async def test_a_queue_behind_a_slow_reply_does_not_delay_another_reader(app, api) -> None:
    gate = api.hold("sendMessage", SLOW)
    await put(app, SLOW, "/status")
    for number in range(QUEUED):
        await put(app, SLOW, "/channels" if number % 2 else "/history aid")
    await put(app, OTHER, "/status")
    try:
        await answered(api, "sendMessage", OTHER)
        assert "Leader-level summit" in api.texts_to(OTHER)[0]
        assert api.texts_to(SLOW) == [] and not gate.is_set()  # still blocked meanwhile
    finally:
        api.open_all()
    await app.update_queue.join()
    slow = api.texts_to(SLOW)
    assert len(slow) == 1 + QUEUED
    assert "Leader-level summit" in slow[0]  # still in the order they were sent
    assert all("History:" in text for text in slow[1::2])


async def test_retry_pauses_hold_no_slot(app, api, monkeypatch) -> None:
    """Readers whose replies wait out Telegram's "retry after" do not hold up /status."""
    opened, paused = asyncio.Event(), []

    async def pause(seconds: float) -> None:
        paused.append(seconds)
        await opened.wait()

    monkeypatch.setattr(replies, "pause", pause)
    waiting = list(range(8000, 8000 + SLOTS))
    for chat_id in waiting:
        api.fail_next("sendMessage", ScriptedFailure(429, "Too Many Requests", retry_after=3))
        await put(app, chat_id, "/status")
    await put(app, OTHER, "/status")
    try:
        await answered(api, "sendMessage", OTHER)
        assert "Leader-level summit" in api.texts_to(OTHER)[0]
        assert len(paused) == SLOTS and not any(api.texts_to(chat) for chat in waiting)
    finally:
        opened.set()
    await app.update_queue.join()
    assert all(len(api.texts_to(chat)) == 1 for chat in waiting)


async def test_a_queue_behind_a_slow_photo_upload_does_not_delay_another_reader(app, api) -> None:
    api.hold("sendPhoto", SLOW)
    await put(app, SLOW, "/timeline aid 30")
    for _ in range(QUEUED):
        await put(app, SLOW, "/history aid")
    await put(app, OTHER, "/status")
    try:
        await answered(api, "sendMessage", OTHER)
        assert "Leader-level summit" in api.texts_to(OTHER)[0]
        assert api.photos_to(SLOW) == []  # the upload is still blocked
    finally:
        api.open_all()
    await app.update_queue.join()
    assert len(api.photos_to(SLOW)) == 1 and len(api.texts_to(SLOW)) == QUEUED


async def test_a_second_timeline_while_drawing_is_told_to_wait(app, api, held) -> None:
    await put(app, SLOW, "/timeline aid 30")
    await put(app, SLOW, "/timeline summit")
    await put(app, SLOW, "/status")
    try:
        # The person's later messages are answered while their chart is being drawn.
        await settle(lambda: len(api.texts_to(SLOW)) == 2)
        still, status = api.texts_to(SLOW)
        assert still == STILL_DRAWING and "Leader-level summit" in status
        assert len(held.jobs) == 1 and api.photos_to(SLOW) == []
    finally:
        held.finish()
    await app.update_queue.join()
    (caption,) = api.photos_to(SLOW)
    assert caption.startswith("<b>Civilian humanitarian aid access</b>, last 30 days")
    await put(app, SLOW, "/timeline summit")  # drawn, so the next one may come
    await settle(lambda: len(held.jobs) == 2)
    held.finish()
    await app.update_queue.join()
    assert len(api.photos_to(SLOW)) == 2 and len(api.texts_to(SLOW)) == 2


async def test_readers_asking_for_different_day_counts_share_drawings(app, api, held) -> None:
    """Five readers, sixteen /timeline each, 80 different day counts: three drawings."""
    readers = range(9000, 9005)
    for round_ in range(16):
        for number, reader in enumerate(readers):
            await put(app, reader, f"/timeline aid {1 + number + 5 * round_}")
        if round_ == 0:
            # 1 to 5 days: all five wait for the one 7-day chart being drawn.
            await settle(lambda: len(held.jobs) == 1 and len(held.jobs[0][1][0].channels) == 1)
            await settle(lambda: len(app.bot_data[CHARTS_KEY]._waiting) == len(readers))
            assert not any(api.photos_to(reader) for reader in readers)
            held.finish(and_stop_holding=True)
        await app.update_queue.join()  # each reader's next request after their chart
    assert len(held.jobs) == 3  # 7, 30 and 90 days
    captions = [caption for reader in readers for caption in api.photos_to(reader)]
    assert len(captions) == 80 and not any(api.texts_to(reader) for reader in readers)
    windows = [caption.split("\n")[0].split(", ")[-1] for caption in captions]
    assert set(windows) == {"last 7 days", "last 30 days", "last 90 days"}


def _worker_policy() -> int:
    """Run inside a chart worker: the OS scheduling policy it draws under."""
    return os.sched_getscheduler(0)


@pytest.mark.subprocess  # the bot's chart pool: worker processes
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling policies only")
def test_chart_workers_only_get_the_cpu_the_bot_leaves_idle() -> None:
    """A flood of /timeline keeps every core drawing; the bot must get a core back the moment a
    reader's message arrives, not after a drawing's time slice (milliseconds, every reply)."""
    pool = process_pool()
    try:
        assert pool.submit(_worker_policy).result(timeout=60) == os.SCHED_IDLE
    finally:
        pool.shutdown(wait=True)
