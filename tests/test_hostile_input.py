"""Hostile input: arbitrary text to every command never crashes and always gets valid HTML."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.command_menu import registered_commands
from bot.handlers.errors import SORRY
from tests.conftest import Chat

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


@FUZZ
@given(text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=5000))
async def test_any_plain_message_in_private(text, private_chat: Chat) -> None:
    if text.startswith("/"):
        text = " " + text
    replies = await private_chat.send(text)
    assert len(replies) == 1 and SORRY not in replies
