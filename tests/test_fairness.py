"""One reader cannot slow the rest: slow replies, queued updates and retry pauses hold no slot.

Updates go through the Application's update queue, so the real update processor handles them.
Slowness is a gate the test holds shut (an asyncio.Event), never a sleep: a reader's upload or
retry pause stays blocked until the test opens it, and meanwhile another reader's /status must
already have been answered.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from bot import replies
from bot.cli.offline_api import OfflineBotApi, ScriptedFailure
from bot.cli.update_factory import chat_dict, text_update, user_dict

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
