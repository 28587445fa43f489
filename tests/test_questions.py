"""Plain-language questions through the real Application: every intent, buttons, groups."""

# ruff: noqa: RUF001 (Ukrainian questions)
from datetime import UTC, datetime, timedelta

import pytest

import storage
from bot.cli.offline_api import BOT_USER, OfflineBotApi
from render.splitting import telegram_length
from storage.channel_writes import create_channel
from storage.models import Actor
from tests.conftest import Chat

EDITOR = Actor(id=900, name="Editor")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def add(db, slug: str, summary: str, days_ago: float, kind: str = "status") -> None:
    channel = storage.find_channel(db, slug)
    storage.record_status(
        db, channel_id=channel.id, kind=kind, phase="negotiating", summary=summary, actor=EDITOR,
        changed_at=NOW - timedelta(days=days_ago),
    )  # fmt: skip


def keyboard(api: OfflineBotApi) -> list[tuple[str, str]]:
    markup = api.sent()[-1].get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def mentioning(text: str, name: str = "@BackchannelBot") -> dict:
    """The mention entity Telegram adds when a message names a user."""
    offset = telegram_length(text[: text.index(name)])
    return {"entities": [{"type": "mention", "offset": offset, "length": telegram_length(name)}]}


@pytest.mark.parametrize(
    ("question", "command"),
    [
        ("any news on prisoner swaps?", "/exchanges"),
        ("is there a ceasefire?", "/ceasefire"),
        ("що з обміном полоненими?", "/exchanges"),
        ("перемир’я", "/ceasefire"),
        ("відбудова", "/reconstruction"),
        ("summit", "/summit"),
        ("ceasefire? " * 350, "/ceasefire"),
    ],
)
async def test_question_gets_the_channel_reply(private_chat: Chat, api, question, command) -> None:
    by_command = await private_chat.ask(command)
    command_keyboard = keyboard(api)
    assert await private_chat.ask(question) == by_command
    assert keyboard(api) == command_keyboard
    assert ("📜 History", f"nav:h:{command[1:]}") in command_keyboard


async def test_every_status_is_reachable_without_a_command(db, private_chat: Chat) -> None:
    questions = ["summit", "humanitarian aid", "truce", "prisoners", "evacuation", "economy"]
    for question, channel in zip(questions, storage.list_channels(db), strict=True):
        assert (await private_chat.ask(question)).startswith(f"<b>{channel.title}</b>")


async def test_changes_this_week(db, private_chat: Chat) -> None:
    add(db, "ceasefire", "Easter pause agreed", 2)
    add(db, "ceasefire", "Monitors named", 1, kind="note")
    add(db, "aid", "Convoy to Kherson", 3)
    add(db, "exchanges", "Old swap", 10)
    reply = await private_chat.ask("what changed this week?")
    assert reply.startswith("<b>What changed in the last 7 days</b>\n<i>3 changes, newest first")
    assert reply.index("Monitors named") < reply.index("Easter pause") < reply.index("Kherson")
    assert reply.count("<b>Tactical ceasefire proposals</b> · /ceasefire") == 1
    assert "📌 note" in reply and "Old swap" not in reply
    assert "Old swap" in await private_chat.ask("за останній місяць")


async def test_changes_of_one_channel(db, private_chat: Chat) -> None:
    add(db, "exchanges", "Swap of 50", 5)
    add(db, "aid", "Convoy", 5)
    reply = await private_chat.ask("any news on swaps this month")
    assert reply.startswith("<b>What changed in Detainee swaps and prisoner releases in the last")
    assert "Swap of 50" in reply and "Convoy" not in reply


async def test_nothing_changed_says_when_the_last_change_was(private_chat: Chat, api) -> None:
    reply = await private_chat.ask("що змінилося за тиждень?")
    assert "Nothing changed in the last 7 days." in reply
    assert "The latest change was 692 days ago" in reply and "/status" in reply
    assert keyboard(api) == [("📋 All channels", "nav:o")]


async def test_today_counts_from_local_midnight(db, private_chat: Chat) -> None:
    add(db, "aid", "Just after midnight in Kyiv", (12 - 0.5 + 2) / 24)  # 22:30 UTC = 00:30 Kyiv
    add(db, "aid", "Just before midnight in Kyiv", (12 + 0.5 + 2) / 24)
    reply = await private_chat.ask("what changed today")
    assert "after midnight" in reply and "before midnight" not in reply
    assert "before midnight" in await private_chat.ask("what changed yesterday")


async def test_many_changes_are_capped(db, private_chat: Chat) -> None:
    for n in range(25):
        add(db, "corridors", f"step {n:02d}", n / 24)
    reply = await private_chat.ask("what's new?")
    assert "25 changes" in reply and "…and 5 older changes" in reply
    assert "step 00" in reply and "step 20" not in reply


async def test_latest_entry_of_a_channel(db, private_chat: Chat, api) -> None:
    add(db, "exchanges", "Swap of 50 in Istanbul", 2)
    add(db, "exchanges", "Lists being checked", 1, kind="note")
    reply = await private_chat.ask("when was the last exchange?")
    assert reply.startswith("<b>Latest: Detainee swaps and prisoner releases</b>\n• 23 Nov 2026")
    assert "Lists being checked" in reply and "Istanbul" not in reply
    assert "That was yesterday." in reply
    assert keyboard(api) == [("📄 Status", "nav:c:exchanges"), ("📜 History", "nav:h:exchanges")]


async def test_latest_change_of_any_channel(db, private_chat: Chat) -> None:
    add(db, "summit", "Meeting in Geneva floated", 4)
    reply = await private_chat.ask("коли останнє оновлення?")
    assert reply.startswith("<b>Latest: Leader-level summit</b>") and "Geneva" in reply


@pytest.mark.parametrize(
    ("question", "buttons"),
    [
        ("humanitarian", [("Civilian humanitarian aid access", "nav:c:aid"),
                          ("Safe humanitarian corridors", "nav:c:corridors")]),
        ("latest humanitarian news", [("Civilian humanitarian aid access", "nav:l:aid"),
                                      ("Safe humanitarian corridors", "nav:l:corridors")]),
    ],
)  # fmt: skip
async def test_equal_matches_are_offered_as_buttons(private_chat, api, question, buttons) -> None:
    reply = await private_chat.ask(question)
    assert "could be about more than one channel" in reply and "Which one" in reply
    assert keyboard(api) == buttons


@pytest.mark.parametrize("question", ["tell me a joke", "what's the weather like?", "🙂", "???"])
async def test_no_match_says_so_and_offers_status(private_chat: Chat, api, question) -> None:
    reply = await private_chat.ask(question)
    assert reply.startswith("Sorry, I couldn't tell which channel you mean.")
    assert "/status" in reply and "/ceasefire" in reply
    assert keyboard(api) == [("📋 All channels", "nav:o")]


async def test_group_ignores_plain_text_not_meant_for_the_bot(group_chat: Chat) -> None:
    assert await group_chat.send("any news on prisoner swaps?") == []
    other = "@OtherBot any news on prisoner swaps?"
    assert await group_chat.send(other, **mentioning(other, "@OtherBot")) == []
    # Someone replying to another person is talking to them, not to the bot.
    person = {"message_id": 1, "date": 0, "chat": {"id": -100123, "type": "supergroup"},
              "from": {"id": 77, "is_bot": False, "first_name": "Olena"}, "text": "hi"}  # fmt: skip
    assert await group_chat.send("ceasefire?", reply_to_message=person) == []


@pytest.mark.parametrize(
    "text", ["@BackchannelBot any news on prisoner swaps?", "any news on swaps, @backchannelbot?"]
)
async def test_group_answers_when_mentioned(group_chat: Chat, api, text: str) -> None:
    name = text[text.index("@") :].split()[0].rstrip("?")
    (reply,) = await group_chat.send(text, **mentioning(text, name))
    assert reply.startswith("<b>Detainee swaps and prisoner releases</b>")
    assert "reply_parameters" in api.sent()[-1]


async def test_group_answers_replies_to_the_bot(group_chat: Chat) -> None:
    bot_message = {"message_id": 5, "date": 0, "chat": {"id": -100123, "type": "supergroup"},
                   "from": BOT_USER, "text": "Backchannel: where the talks stand"}  # fmt: skip
    (reply,) = await group_chat.send("and the ceasefire?", reply_to_message=bot_message)
    assert reply.startswith("<b>Tactical ceasefire proposals</b>")


async def test_bare_mention_gets_the_help_for_questions(group_chat: Chat) -> None:
    (reply,) = await group_chat.send("@BackchannelBot", **mentioning("@BackchannelBot"))
    assert "couldn't tell which channel" in reply


async def test_start_tells_new_users_they_can_just_ask(private_chat: Chat) -> None:
    reply = await private_chat.ask("/start")
    assert "You can also just ask" in reply and "/search:" in reply


async def test_a_channel_added_while_running_is_found_by_the_next_question(
    db, private_chat: Chat
) -> None:
    # The bot keeps its question router between questions; a new channel must not wait.
    assert "Energy" not in await private_chat.ask("any news about the blackouts?")
    create_channel(
        db, slug="energy", title="Energy infrastructure truce", aliases=["grid"],
        keywords=["blackout"], phase="proposed", summary="Strikes on power plants paused?",
        actor=Actor(id=1, name="Admin"),
    )  # fmt: skip
    assert "Energy infrastructure truce" in await private_chat.ask("any news about the blackouts?")


def on(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def record(db, slug: str, summary: str, when: datetime, phase: str = "negotiating") -> None:
    channel = storage.find_channel(db, slug)
    storage.record_status(
        db, channel_id=channel.id, kind="status", phase=phase, summary=summary, actor=EDITOR,
        changed_at=when,
    )  # fmt: skip


@pytest.mark.parametrize("question", ["what happened in November?", "у листопаді"])
async def test_a_named_month_is_that_calendar_month(db, private_chat, question) -> None:
    record(db, "aid", "Convoy in late October", on("2026-10-31"))
    record(db, "aid", "Convoy in early November", on("2026-11-02"))
    reply = await private_chat.ask(question)
    assert reply.startswith("<b>What changed in November 2026</b>")
    assert "early November" in reply and "late October" not in reply


async def test_last_month_by_name_is_last_years_when_it_is_still_to_come(db, private_chat):
    record(db, "aid", "December convoy", on("2025-12-05"))
    reply = await private_chat.ask("what changed in December?")
    assert reply.startswith("<b>What changed in December 2025</b>") and "December convoy" in reply


@pytest.mark.parametrize(
    ("question", "label"),
    [("since Monday?", "since 23 Nov 2026"), ("з понеділка", "since 23 Nov 2026"),
     ("last 48 hours", "in the last 48 hours"), ("за останні 48 годин", "in the last 48 hours")],
)  # fmt: skip
async def test_since_a_weekday_and_the_last_hours(db, private_chat, question, label) -> None:
    record(db, "summit", "Sunday talks", on("2026-11-22", 8))  # Sunday 10:00 in Kyiv, 52 h ago
    record(db, "summit", "Monday talks", on("2026-11-23", 13))
    reply = await private_chat.ask(question)
    assert reply.startswith(f"<b>What changed {label}</b>")
    assert "Monday talks" in reply and "Sunday talks" not in reply


async def test_the_status_in_force_on_a_day(db, private_chat, api) -> None:
    record(db, "ceasefire", "Easter pause agreed", on("2026-03-10"))
    reply = await private_chat.ask("what was the ceasefire status on 1 March?")
    assert reply.startswith("<b>Tactical ceasefire proposals on 1 Mar 2026</b>\n🔎 Exploratory")
    assert "Status set on 1 Jan 2025." in reply and "Easter" not in reply
    reply = await private_chat.ask("ceasefire on 15 March")
    assert "🤝 Negotiating · Easter pause agreed" in reply
    assert "Status set on 10 Mar 2026." in reply
    assert await private_chat.ask("/history ceasefire 2026-03-01") == await private_chat.ask(
        "ceasefire on 2026-03-01"
    )
    reply = await private_chat.ask("стан перемир'я на 1 березня")
    assert reply.startswith("<b>Пропозиції тактичного перемир&#x27;я на 1 березня 2026</b>\n🔎 "
                            "Попереднє обговорення · Обговорюються попередні рамки")  # fmt: skip
    reply = await private_chat.ask("стан перемир'я на 15 березня")
    assert "Easter pause agreed <i>(англійською)</i>" in reply


async def test_the_status_of_every_channel_on_a_day(private_chat) -> None:
    reply = await private_chat.ask("what was the status on 1 March 2025?")
    assert reply.startswith("<b>Where the talks stood on 1 Mar 2025</b>")
    assert reply.count("Status set on 1 Jan 2025.") == 6
    reply = await private_chat.ask("what was the status on 1 December 2024?")
    assert reply.count("No status had been recorded yet.") == 6


@pytest.mark.parametrize(
    ("question", "command"),
    [("help", "/help"), ("допомога", "/help"), ("what can you do?", "/help"),
     ("status", "/status"), ("статус", "/status"), ("hello", "/start"), ("привіт", "/start"),
     ("good morning", "/start")],
)  # fmt: skip
async def test_help_status_and_greetings_answer_like_the_commands(private_chat, question, command):
    assert await private_chat.ask(question) == await private_chat.ask(command)


async def test_words_in_statuses_are_searched(db, private_chat, api) -> None:
    add(db, "ceasefire", "Mediators from Qatar met both sides", 3, kind="note")
    add(db, "exchanges", "Qatar hosted the swap", 2)
    for question in ["Qatar", "what about Qatar?"]:
        reply = await private_chat.ask(question)
        assert "2 matches, newest first" in reply and "<b>Qatar</b> hosted" in reply
    assert (await private_chat.ask("Qatar weather")).startswith("Sorry, I couldn't tell")


@pytest.mark.parametrize(
    ("question", "quoted"),
    [("since 31 February", "“31 february”"), ("з 45 березня", "“45 березня”"),
     ("what changed since the war began", "“since the war began”"),
     ("ceasefire in the last 5 minutes", "“last 5 minutes”")],
)  # fmt: skip
async def test_unreadable_dates_are_said_never_replaced(db, private_chat, question, quoted):
    add(db, "ceasefire", "Something this week", 1)
    reply = await private_chat.ask(question)
    assert quoted in reply or quoted.replace("“", "«").replace("”", "»") in reply
    assert "won't guess" in reply or "не вгадуватиму" in reply
    assert "Something this week" not in reply


async def test_unreadable_in_ukrainian_is_answered_in_ukrainian(private_chat) -> None:
    reply = await private_chat.ask("що змінилося з 45 березня?")
    assert reply.startswith("Я не зміг прочитати “45 березня” як дату чи період")


async def test_a_day_still_to_come_is_said_so(private_chat) -> None:
    assert "1 Jan 2030 is still to come" in await private_chat.ask("since 2030-01-01")
    assert "1 Jan 2030 is still to come" in await private_chat.ask("ceasefire on 1 January 2030")
