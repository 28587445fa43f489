"""Replies that quote what was typed quote a short excerpt, never the whole input.

`/timeline` followed by 4,000 `&` used to answer with six messages echoing the escaped input
(each `&` is five characters once escaped): a cheap way to make the bot flood a chat.
"""

from __future__ import annotations

import re

import pytest

from render.formatting import EXCERPT_CHARS
from tests.admin_support import admin_in
from tests.conftest import Chat

FLOOD = "&" * 4000
READER_COMMANDS = [
    "/timeline {}",
    "/timeline ceasefire {}",
    "/history {}",
    "/history {} 5",
    "/subscribe {}",
    "/subscribe ceasefire {}",
    "/unsubscribe {}",
    "/alerts on {}",
    "/digesttime {}",
    "/digesttime 07:30 {}",
    "/search x{}",
    "/search {}",
]
ADMIN_COMMANDS = [
    "/set {} negotiating Talks",
    "/set ceasefire {} Talks",
    "/set ceasefire negotiating Talks {}",
    "/note {} Talks",
    "/confirm {}",
    "/renamechannel {} New title",
    "/archivechannel {}",
    "/addchannel {} Title",
    "/addchannel energy Title /{}",
    "/grant {}",
]


def _echoed(reply: str, flood: str) -> int:
    """The longest run of the flood's character the reply quotes (escaped as in HTML)."""
    unit = {"&": "&amp;", "<": "&lt;", "x": "x"}[flood[0]]
    runs = re.findall(f"(?:{re.escape(unit)})+", reply)
    return max((len(run) // len(unit) for run in runs), default=0)


@pytest.mark.parametrize("flood", [FLOOD, "<" * 4000, "x" * 4000])
@pytest.mark.parametrize("command", READER_COMMANDS)
async def test_reader_commands_quote_an_excerpt(private_chat: Chat, command: str, flood) -> None:
    if command.startswith("/digesttime 07:30"):
        await private_chat.ask("/subscribe")
    replies = await private_chat.send(command.format(flood))
    assert len(replies) == 1, [len(reply) for reply in replies]
    assert _echoed(replies[0], flood) <= EXCERPT_CHARS
    assert len(replies[0]) < 2000


@pytest.mark.parametrize("flood", [FLOOD, "x" * 4000])
@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_admin_commands_quote_an_excerpt(db, app, api, command: str, flood) -> None:
    replies = await admin_in(app, api).send(command.format(flood))
    assert len(replies) == 1, [len(reply) for reply in replies]
    assert _echoed(replies[0], flood) <= EXCERPT_CHARS
    assert len(replies[0]) < 2500


async def test_the_excerpt_shows_the_start_and_marks_the_cut(private_chat: Chat) -> None:
    reply = await private_chat.ask("/history " + "ab" * 100)
    assert "“" + "ab" * 30 + "…”" in reply
