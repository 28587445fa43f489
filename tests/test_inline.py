"""Inline mode: @Bot <channel> in any chat offers status cards, in the reader's language."""

from __future__ import annotations

import itertools
import json

import pytest
from telegram import Update

from tests.conftest import READER_ID
from tests.html_check import telegram_html_problems

_ids = itertools.count(1)


async def _inline(app, api, query: str, language_code: str | None = None) -> list[dict]:
    user = {"id": READER_ID, "is_bot": False, "first_name": "Reader"}
    if language_code:
        user["language_code"] = language_code
    update = Update.de_json(
        {
            "update_id": 10_000 + next(_ids),
            "inline_query": {"id": str(next(_ids)), "from": user, "query": query, "offset": ""},
        },
        app.bot,
    )
    before = len(api.calls)
    await app.process_update(update)
    (answer,) = [c.params for c in api.calls[before:] if c.method == "answerInlineQuery"]
    results = answer["results"]
    return json.loads(results) if isinstance(results, str) else results


async def test_a_channel_name_offers_its_card(app, api, db) -> None:
    results = await _inline(app, api, "ceasefire")
    assert [r["id"] for r in results] == ["ceasefire"]
    card = results[0]["input_message_content"]
    assert card["parse_mode"] == "HTML"
    assert telegram_html_problems(card["message_text"]) == []
    assert "via Backchannel" in card["message_text"]
    assert results[0]["reply_markup"]["inline_keyboard"][0][0]["url"].startswith("https://t.me/")


async def test_an_empty_query_offers_every_channel(app, api, db) -> None:
    import storage

    results = await _inline(app, api, "")
    assert [r["id"] for r in results] == [c.slug for c in storage.list_channels(db)]


async def test_ukrainian_query_gets_a_ukrainian_card(app, api, db) -> None:
    results = await _inline(app, api, "перемир'я")
    assert results and results[0]["id"] == "ceasefire"
    assert "Джерело:" in results[0]["input_message_content"]["message_text"]


@pytest.mark.parametrize("query", ["<script>", "&" * 300, "zzzz nothing", "'; DROP TABLE"])
async def test_odd_queries_answer_without_error(app, api, db, query) -> None:
    results = await _inline(app, api, query)
    for result in results:
        assert telegram_html_problems(result["input_message_content"]["message_text"]) == []
