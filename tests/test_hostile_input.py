"""Hostile input: arbitrary text to every command never crashes and always gets valid HTML."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.update_factory import callback_update, user_dict
from bot.command_menu import registered_commands
from bot.handlers.error_handler import SORRY
from tests.conftest import READER_ID, Chat
from tests.html_check import telegram_html_problems

# Text Telegram could deliver: any Unicode but surrogates, including HTML and entity look-alikes.
ARGUMENTS = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=300),
    st.sampled_from(["<b>", "</i>", "&amp;", "&", "<a href='x'>", "ceasefire 0", "aid -1", " "]),
    st.text(alphabet="<>&\"'/@ abc", max_size=50),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def commands(app) -> list[str]:
    names = [info.name for info in registered_commands(app)]
    return [*names, "ceasefire", "prisoners", "nosuchcommand"]


@FUZZ
@given(data=st.data(), argument=ARGUMENTS)
async def test_any_command_with_any_argument(data, argument, any_chat: Chat, commands) -> None:
    name = data.draw(st.sampled_from(commands))
    before = len(any_chat.api.calls)
    replies = await any_chat.send(f"/{name}@BackchannelBot {argument}")
    # Chat.send already checks every reply is valid Telegram HTML within the length limit.
    answers = [
        call
        for call in any_chat.api.calls[before:]
        if call.method in {"sendMessage", "sendPhoto", "sendDocument"}
    ]
    assert answers, f"/{name} {argument!r} got no answer"
    assert SORRY not in replies


@pytest.mark.parametrize("text", ["/history aid ²", "/timeline ²", "/timeline aid ³"])
async def test_digits_int_cannot_read(text, any_chat: Chat) -> None:
    """Superscripts are digits to str.isdigit but not to int(): a crash once."""
    (answer,) = await any_chat.send(text)
    assert answer != SORRY and "number" in answer


@FUZZ
@given(text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=5000))
async def test_any_plain_message_in_private(text, private_chat: Chat) -> None:
    if text.startswith("/"):
        text = " " + text
    replies = await private_chat.send(text)
    assert len(replies) == 1 and SORRY not in replies


# Callback data as anyone could forge it: any text up to Telegram's 64 bytes, plus
# near-misses of the real prefixes.
CALLBACK_DATA = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=64).filter(
        lambda data: len(data.encode()) <= 64
    ),
    st.builds(lambda prefix, rest: prefix + rest,
              st.sampled_from(["nav:", "nav:c:", "nav:s:", "nav:u:", "set:c:", "set:p:", "set:"]),
              st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_:<>&", max_size=30)),
)  # fmt: skip


@FUZZ
@given(data=CALLBACK_DATA)
async def test_any_forged_button_press_is_answered(data, app, private_chat: Chat) -> None:
    await private_chat.ask("/ceasefire")
    message = next(c for c in reversed(private_chat.api.calls) if c.method == "sendMessage")
    bot_message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": private_chat.chat_id, "type": "private"},
        "from": {"id": 7000000001, "is_bot": True, "first_name": "Backchannel"},
        "text": message.params["text"],
    }
    before = len(private_chat.api.calls)
    update = callback_update(app.bot, data, user=user_dict(READER_ID, "R"), message=bot_message)
    await app.process_update(update)
    calls = private_chat.api.calls[before:]
    assert [c.method for c in calls].count("answerCallbackQuery") == 1, (data, calls)
    for call in calls:
        if call.method in {"editMessageText", "sendMessage"}:
            assert telegram_html_problems(call.params["text"]) == []
            assert call.params["text"] != SORRY
