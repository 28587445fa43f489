"""Flood control: a user sending 50 commands a second is slowed with one notice."""

from bot.traffic.flood import FLOOD_KEY, NOTICE, FloodGuard, Verdict
from tests.conftest import Chat


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


def test_bucket_refills_at_the_configured_rate() -> None:
    clock = Clock()
    guard = FloodGuard(rate=2, burst=2, clock=clock)
    assert [guard.check(1) for _ in range(4)] == [
        Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN, Verdict.DROP,
    ]  # fmt: skip
    clock.now += 0.5
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.WARN
