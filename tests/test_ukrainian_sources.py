"""Source watch and the inbox in Ukrainian: /source, /sources, /inbox, its buttons, notices.

The same check as tests/test_ukrainian_interface.py: an admin whose Telegram speaks Ukrainian
meets no English word that is not a name, a command, a link or data (feed and item titles).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.jobs import sources as source_jobs
from tests.admin_support import source_watch_settings
from tests.conftest import ADMIN_ID
from tests.feed_server import feed, redirect, serving
from tests.test_ukrainian_interface import UkrainianChat, english_left


@pytest.fixture
def settings(tmp_path) -> Settings:
    return source_watch_settings(tmp_path)


@pytest.fixture(autouse=True)
async def close_poller(app):
    yield
    await source_jobs.shutdown(app)


@pytest.fixture
def server():
    yield from serving("rss2.xml", "atom.xml", "ukrainian.xml")


def inbox_buttons(api) -> list[str]:
    """Every inbox button the bot has shown so far, in order."""
    found: list[str] = []
    for call in api.calls:
        markup = call.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if isinstance(markup, dict):
            rows = markup.get("inline_keyboard", [])
            found += [b["callback_data"] for row in rows for b in row if "callback_data" in b]
    return list(dict.fromkeys(data for data in found if data.startswith("ibx:")))


async def test_sources_and_the_inbox_speak_ukrainian(app, api, db, server) -> None:
    admin = UkrainianChat(app, api, db, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Олена")
    rss, atom = server.url("/rss2.xml"), server.url("/atom.xml")
    steps = [
        "/sources", "/source", "/source add", "/source add ftp://example.org/x",
        "/source add https://user:pw@example.org/feed", f"/source add {rss} nowhere",
        f"/source add {rss} 1m", "/inbox notify", "/inbox notify on",
        f"/source add {rss} exchanges official 30m", f"/source add {rss}", f"/source add {atom}",
        "/sources", "/inbox", "/inbox nowhere", "/inbox unmatched", "/inbox exchanges",
        "/source pause 1", "/source resume 1", "/source pause 99", "/source pause x",
    ]  # fmt: skip
    assert await admin.walk(steps) == {}
    await admin.send("/inbox")
    pressed: set[str] = set()
    problems: dict[str, list[str]] = {}
    # Every card's buttons, and the buttons they lead to, each pressed once.
    # Other channel, pick one, dismiss and restore first; muting the source comes last.
    order = "okdrnum"
    while waiting := sorted(
        (d for d in inbox_buttons(api) if d not in pressed), key=lambda d: order.index(d[4])
    ):
        pressed.add(waiting[0])
        problems |= await admin.walk([f"button:{waiting[0]}"])
    assert {data.split(":")[1] for data in pressed} >= {"n", "o", "k", "d", "r", "m"}
    assert problems == {}
    problems = await admin.walk(["/inbox", "/source remove 2", "/inbox notify off"])
    assert problems == {}
    # The batched notice goes out in the language the admin used when turning notices on.
    await admin.send("/inbox notify on")
    await admin.send(f"/source add {server.url('/ukrainian.xml')}")
    before = len(api.calls)
    await source_jobs.send_notices(app, datetime(2026, 11, 25, tzinfo=UTC))
    notices = [c.params["text"] for c in api.calls[before:] if c.method == "sendMessage"]
    assert notices and all(english_left(notice, db) == [] for notice in notices)
    assert notices[0].startswith("📥 ")


async def test_feed_errors_and_repairs_are_shown_in_ukrainian(app, api, db, server) -> None:
    """A poll fails or repairs a feed long before anyone reads /sources: what went wrong is
    stored as a catalog entry with its values, so a Ukrainian admin reads it in Ukrainian."""
    for name in ("hostile_titles.xml", "malformed.xml", "entity_bomb.xml", "not_a_feed.html"):
        server.routes[f"/{name}"] = feed(name)
    server.routes["/loop"] = redirect("/loop")
    admin = UkrainianChat(app, api, db, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Олена")
    for path in ("/hostile_titles.xml", "/malformed.xml", "/entity_bomb.xml", "/loop"):
        await admin.send(f"/source add {server.url(path)}")
    assert await admin.walk(["/sources"]) == {}
    shown = api.sent()[-1]["text"]
    assert "пропущено повторів GUID: 1" in shown
    assert "пошкоджений XML, прочитано поблажливо" in shown
    assert "відхилено: стрічка оголошує сутності XML" in shown
    assert "понад 5 переспрямувань (замкнене коло?)" in shown
    # The parser's own words about a broken page are data, quoted as they are.
    await admin.send(f"/source add {server.url('/not_a_feed.html')}")
    assert "Перше опитування не вдалося: це не стрічка RSS чи Atom" in api.sent()[-1]["text"]
