"""/language and the language a reader is answered in."""

from __future__ import annotations

import pytest

import storage
from language.i18n import language_of_text, pick_language
from tests.conftest import GROUP_ID, Chat


async def test_language_uk_is_stored_and_confirmed_in_ukrainian(private_chat: Chat, db) -> None:
    reply = await private_chat.ask("/language uk")
    assert reply == "Відтепер я відповідаю в цьому чаті українською."
    assert storage.chosen_language(db, private_chat.chat_id) == "uk"
    assert await private_chat.ask("/language en") == "From now on I answer in English in this chat."
    assert storage.chosen_language(db, private_chat.chat_id) == "en"


async def test_bare_language_offers_buttons_in_the_readers_language(app, api) -> None:
    chat = Chat(app, api, language_code="uk")
    reply = await chat.ask("/language")
    assert "Тут бот розмовляє мовою: Українська" in reply
    (sent,) = [p for p in api.sent() if "reply_markup" in p]
    buttons = sent["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["lang:en", "lang:uk"]


@pytest.mark.parametrize("typed", ["/language de", "/language uk en", "/language <b>"])
async def test_unknown_language_says_what_to_type(private_chat: Chat, db, typed) -> None:
    reply = await private_chat.ask(typed)
    assert "<code>/language uk</code>" in reply
    assert storage.chosen_language(db, private_chat.chat_id) is None


async def test_group_members_who_are_not_admins_cannot_change_it(app, api, db) -> None:
    member = Chat(app, api, user_id=7, chat_id=GROUP_ID, chat_type="supergroup")
    reply = await member.ask("/language uk")
    assert reply == "Only this group's admins can change the bot's language here."
    assert storage.chosen_language(db, GROUP_ID) is None


@pytest.mark.parametrize(
    ("chosen", "code", "default", "expected"),
    [
        (None, "uk", "en", "uk"),
        (None, "uk-UA", "en", "uk"),
        (None, "en-GB", "uk", "en"),
        (None, "de", "en", "en"),
        (None, None, "uk", "uk"),
        ("en", "uk", "uk", "en"),
        ("uk", "en", "en", "uk"),
    ],
)
def test_pick_language(chosen, code, default, expected) -> None:
    assert pick_language(chosen, code, default) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [("any news on prisoner swaps?", "en"), ("що з перемир'ям?", "uk"), ("12:00?", None)],
)
def test_language_of_text(question, expected) -> None:
    assert language_of_text(question) == expected
