"""Sending through the fake HTTP layer: Telegram's errors, retries, flood control, rate limits."""

import asyncio

import pytest
from telegram.error import NetworkError, TimedOut

from bot.cli.offline_api import ScriptedFailure
from digests.sender import Outcome, RateLimits
from tests.digest_support import FakeClock, make_sender

BLOCKED = ScriptedFailure(403, "Forbidden: bot was blocked by the user")
KICKED = ScriptedFailure(403, "Forbidden: bot was kicked from the supergroup chat")
NO_CHAT = ScriptedFailure(400, "Bad Request: chat not found")
BAD_HTML = ScriptedFailure(400, "Bad Request: can't parse entities")
FLOOD = ScriptedFailure(429, "Too Many Requests: retry after 7", retry_after=7)
SERVER = ScriptedFailure(500, "Internal Server Error")
GATEWAY = ScriptedFailure(502, "Bad Gateway")
TIMEOUT = ScriptedFailure(0, "", raises=TimedOut())
DROPPED = ScriptedFailure(0, "", raises=NetworkError("connection reset"))


@pytest.mark.parametrize(
    ("failures", "outcome", "sleeps", "delivered"),
    [
        ([], Outcome.DELIVERED, [], 1),
        ([BLOCKED], Outcome.GONE, [], 0),
        ([KICKED], Outcome.GONE, [], 0),
        ([NO_CHAT], Outcome.GONE, [], 0),
        ([BAD_HTML], Outcome.RETRY_LATER, [], 0),
        ([FLOOD], Outcome.DELIVERED, [7], 1),
        ([FLOOD, FLOOD], Outcome.DELIVERED, [7, 7], 1),
        ([TIMEOUT, TIMEOUT], Outcome.DELIVERED, [1, 2], 1),
        ([DROPPED, GATEWAY, SERVER], Outcome.DELIVERED, [1, 2, 4], 1),
        ([SERVER] * 5, Outcome.RETRY_LATER, [1, 2, 4, 8], 0),
        ([TIMEOUT, FLOOD, TIMEOUT], Outcome.DELIVERED, [1, 7, 2], 1),
    ],
)
async def test_errors_from_telegram(app, api, failures, outcome, sleeps, delivered) -> None:
    for failure in failures:
        api.fail_next("sendMessage", failure)
    clock = FakeClock()
    result = await make_sender(app.bot, clock).send(501, ["<b>digest</b>"])
    assert result is outcome
    assert clock.sleeps == sleeps
    assert len(api.sent()) == delivered
    if delivered:
        assert api.sent()[0] == {"chat_id": 501, "text": "<b>digest</b>", "parse_mode": "HTML",
                                 "link_preview_options": {"is_disabled": True}}  # fmt: skip


async def test_endless_flood_control_gives_up_for_later(app, api) -> None:
    for _ in range(4):
        api.fail_next("sendMessage", FLOOD)
    clock = FakeClock()
    assert await make_sender(app.bot, clock, max_flood_waits=3).send(501, ["x"]) is (
        Outcome.RETRY_LATER
    )
    assert api.sent() == []


async def test_flood_pause_holds_back_every_chat(app, api) -> None:
    clock = FakeClock()
    sender = make_sender(app.bot, clock)
    api.fail_next("sendMessage", FLOOD)
    assert await sender.send(501, ["first"]) is Outcome.DELIVERED
    # A second chat right after: no new wait, the pause is over for everyone.
    assert await sender.send(502, ["second"]) is Outcome.DELIVERED
    assert clock.sleeps == [7]
    assert [p["chat_id"] for p in api.sent()] == [501, 502]


async def test_backoff_is_capped(app, api) -> None:
    for _ in range(7):
        api.fail_next("sendMessage", TIMEOUT)
    clock = FakeClock()
    sender = make_sender(app.bot, clock, attempts=8, max_backoff=10)
    assert await sender.send(501, ["x"]) is Outcome.DELIVERED
    assert clock.sleeps == [1, 2, 4, 8, 10, 10, 10]


async def test_parts_go_in_order_and_stop_at_a_failure(app, api) -> None:
    sender = make_sender(app.bot)
    assert await sender.send(501, ["one", "two", "three"]) is Outcome.DELIVERED
    assert [p["text"] for p in api.sent()] == ["one", "two", "three"]
    api.calls.clear()
    api.fail_next("sendMessage", SERVER)  # first part retried, fine
    assert await sender.send(501, ["one", "two"]) is Outcome.DELIVERED
    api.calls.clear()
    api.fail_next("sendMessage", BLOCKED)
    assert await sender.send(501, ["one", "two"]) is Outcome.GONE
    assert api.sent() == []


async def test_rate_limits_space_messages() -> None:
    loop = asyncio.get_running_loop()
    limits = RateLimits(400)  # a burst of 16 (4%), then one every 1/380 s
    started = loop.time()
    for _ in range(16):
        await limits.acquire(501)
    assert loop.time() - started < 0.01
    for _ in range(24):
        await limits.acquire(501)
    assert loop.time() - started >= 24 / 400


async def test_group_limit_applies_per_group_only() -> None:
    loop = asyncio.get_running_loop()
    limits = RateLimits(10_000, group_per_minute=2, group_period=0.06)
    started = loop.time()
    for chat_id in (-1, -1, -2, -2, 501, 502, 503):
        await limits.acquire(chat_id)
    assert loop.time() - started < 0.02  # bursts of two per group are allowed
    await limits.acquire(-1)
    assert loop.time() - started >= 0.025  # the third to one group waits for its bucket
