"""Flood control: a user sending 50 commands a second is slowed with one notice."""

import pytest

import storage
from bot.cli.offline_api import BOT_USER
from bot.traffic.flood import FLOOD_KEY, NOTICE, FloodGuard, Verdict
from tests.conftest import Chat

MENTION = "@BackchannelBot what changed this week?"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_flooding_user_gets_one_notice_and_others_are_unaffected(app, api) -> None:
    clock = Clock()
    guard = app.bot_data[FLOOD_KEY] = FloodGuard(rate=1, burst=8, clock=clock)
    flooder, bystander = (
        Chat(app, api, user_id=11, chat_id=11),
        Chat(app, api, user_id=12, chat_id=12),
    )
    answers = [await flooder.send("/status") for _ in range(50)]
    answered = [replies for replies in answers if replies and replies[0] != NOTICE]
    notices = [replies for replies in answers if replies == [NOTICE]]
    assert len(answered) == guard.burst
    assert len(notices) == 1
    assert sum(1 for replies in answers if replies == []) == 50 - guard.burst - 1
    assert "Leader-level summit" in await bystander.ask("/status")
    clock.now += 5
    assert "Leader-level summit" in await flooder.ask("/status")


async def test_group_chatter_does_not_count(app, api) -> None:
    app.bot_data[FLOOD_KEY] = FloodGuard(rate=1, burst=8, clock=Clock())
    group = Chat(app, api, user_id=13, chat_id=-100777, chat_type="supergroup")
    for _ in range(30):
        assert await group.send("just talking among ourselves") == []
    assert "Leader-level summit" in await group.ask("/status")


def _addressed(how: str, chat_id: int) -> dict:
    """Message fields that address a group message to the bot in one of Telegram's ways."""
    if how == "mention":
        return {"entities": [{"type": "mention", "offset": 0, "length": 15}]}
    if how == "text mention":
        return {"entities": [{"type": "text_mention", "offset": 0, "length": 15, "user": BOT_USER}]}
    bots_message = {
        "message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "supergroup", "title": "G"},
        "from": BOT_USER, "text": "Overview",
    }  # fmt: skip
    return {"reply_to_message": bots_message}


@pytest.mark.parametrize("how", ["mention", "text mention", "reply to the bot"])
async def test_group_messages_to_the_bot_count_like_commands(app, api, how) -> None:
    """200 questions to the bot in a group got 200 answers, and Telegram then throttled the
    bot for the whole group; they are limited like commands."""
    guard = app.bot_data[FLOOD_KEY] = FloodGuard(rate=1, burst=8, clock=Clock())
    group = Chat(app, api, user_id=14, chat_id=-100778, chat_type="supergroup")
    answers = [await group.send(MENTION, **_addressed(how, group.chat_id)) for _ in range(200)]
    answered = [replies for replies in answers if replies and replies != [NOTICE]]
    assert len(answered) == guard.burst
    assert answers.count([NOTICE]) == 1
    assert answers.count([]) == 200 - guard.burst - 1


def test_bucket_refills_at_the_configured_rate() -> None:
    clock = Clock()
    guard = FloodGuard(rate=2, burst=2, clock=clock)
    assert [guard.check(1) for _ in range(4)] == [
        Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN, Verdict.DROP,
    ]  # fmt: skip
    clock.now += 0.5
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.WARN


async def test_a_flood_notice_stops_every_other_handler(app, api, db) -> None:
    """The refusal comes first (group -1): no command, question or write runs after it."""
    app.bot_data[FLOOD_KEY] = FloodGuard(rate=0, burst=1, clock=Clock())
    reader = Chat(app, api, user_id=15, chat_id=15)
    assert "Leader-level summit" in await reader.ask("/status")
    assert await reader.send("/subscribe ceasefire") == [NOTICE]
    assert await reader.send("/subscribe ceasefire") == []
    assert storage.get_subscriber(db, 15) is None


async def test_the_guard_can_be_replaced_while_running(app, api) -> None:
    reader = Chat(app, api, user_id=16, chat_id=16)
    assert "Leader-level summit" in await reader.ask("/status")
    app.bot_data[FLOOD_KEY] = FloodGuard(rate=0, burst=0, clock=Clock())
    assert await reader.send("/status") == [NOTICE]


def test_updates_that_are_not_telegram_updates_pass(app) -> None:
    (handler,) = app.handlers[-1]
    app.bot_data[FLOOD_KEY] = FloodGuard(rate=0, burst=0, clock=Clock())
    assert handler.check_update("a job's own object") is None
