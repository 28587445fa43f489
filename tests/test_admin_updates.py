"""/set, /note and /confirm as admins and as readers: replies, storage, validation."""

import logging

import pytest

import storage
from tests.admin_support import admin_in, rows
from tests.conftest import Chat

ADMIN_COMMANDS = [
    "/set ceasefire negotiating Talks",
    "/note aid Convoy arrived",
    "/confirm aid",
    "/undo",
    "/addchannel energy Energy truce",
    "/renamechannel aid New title",
    "/archivechannel aid",
    "/restorechannel aid",
    "/admins",
    "/grant 42",
    "/revoke 42",
    "/audit",
    "/cancel",
]


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_readers_are_refused_and_nothing_changes(
    db, any_chat: Chat, command: str, caplog
) -> None:
    before = {table: rows(db, table) for table in ["status_history", "audit_log", "channels"]}
    with caplog.at_level(logging.WARNING, logger="bot.auth"):
        reply = await any_chat.ask(command)
    assert "only Backchannel admins can use that command" in reply
    assert {table: rows(db, table) for table in before} == before
    assert f"to user {any_chat.user_id}" in caplog.text


async def test_set_echoes_the_change_and_readers_see_it(db, app, api) -> None:
    admin, reader = admin_in(app, api), Chat(app, api)
    reply = await admin.ask(
        "/set ceasefire negotiating Easter pause discussed in Istanbul https://example.org/report"
    )
    assert "🔎 Exploratory → 🤝 Negotiating · ⬆️ improved" in reply
    assert "Easter pause discussed in Istanbul" in reply
    assert '<a href="https://example.org/report">https://example.org/report</a> (media)' in reply
    assert "/undo within 15 minutes" in reply
    assert "🤝 Negotiating · ⬆️ improved (was 🔎 Exploratory)" in await reader.ask("/ceasefire")
    (entry,) = storage.history(db, storage.find_channel(db, "ceasefire").id, 1)
    assert (entry.actor_id, entry.actor_name, entry.source_grade) == (900, "Olena", "media")
    audit = rows(db, "audit_log")[-1]
    assert (audit["actor_id"], audit["action"], audit["at"]) == (
        900,
        "status",
        "2026-11-24T12:00:00+00:00",
    )
    assert '"phase": "exploratory"' in audit["old"] and '"phase": "negotiating"' in audit["new"]


async def test_set_in_a_group_addressed_to_the_bot(db, app, api) -> None:
    reply = await admin_in(app, api, group=True).ask(
        "/set@BackchannelBot aid stalled Convoys halted"
    )
    assert "🧩 Partial agreement → 🧊 Stalled · ⬇️ setback" in reply


@pytest.mark.parametrize(
    ("tail", "summary", "url", "grade"),
    [
        ("Talks resumed", "Talks resumed", None, "unconfirmed"),
        ("Talks resumed https://example.org/a", "Talks resumed", "https://example.org/a", "media"),
        (
            "Talks resumed https://gov.ua/x official",
            "Talks resumed",
            "https://gov.ua/x",
            "official",
        ),
        ("Talks resumed mediator", "Talks resumed", None, "mediator"),
        ("Talks resumed MEDIA", "Talks resumed", None, "media"),
        ("Two\nlines https://a.org", "Two\nlines", "https://a.org", "media"),
    ],
)
async def test_source_and_grade_parsing(db, admin, tail, summary, url, grade) -> None:
    await admin.ask(f"/set corridors negotiating {tail}")
    (entry,) = storage.history(db, storage.find_channel(db, "corridors").id, 1)
    assert (entry.summary, entry.source_url, entry.source_grade) == (summary, url, grade)


async def test_admin_text_is_stored_as_typed_and_shown_escaped(db, app, api, admin) -> None:
    summary = "<b>Convoy</b> & trucks 🚛 </i>"
    reply = await admin.ask(f"/set aid negotiating {summary}")
    assert "&lt;b&gt;Convoy&lt;/b&gt; &amp; trucks 🚛 &lt;/i&gt;" in reply
    (entry,) = storage.history(db, storage.find_channel(db, "aid").id, 1)
    assert entry.summary == summary
    assert "&lt;b&gt;Convoy" in await Chat(app, api).ask("/aid")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/set ceasefire", "Phases: collapsed, stalled, proposed"),
        ("/set ceasefire negotiating", "Channels: aid, ceasefire, corridors"),
        ("/set ceasfire negotiating Talks", "Did you mean “ceasefire”?"),
        ("/set zzz negotiating Talks", "Channels: aid, ceasefire, corridors, exchanges"),
        ("/set ceasefire negotiatin Talks", "“negotiatin” is not a phase. Phases, worst to best"),
        ("/set ceasefire negotiating " + "x" * 501, "is 501 characters long; the limit is 500."),
        (
            "/set ceasefire negotiating Talks ftp://example.org",
            "a source must start with http:// or https://",
        ),
        ("/set ceasefire negotiating https://example.org", "The summary is empty."),
        ("/note ceasefire", "Type <code>/note &lt;channel&gt; &lt;text&gt;"),
        ("/note zzz Talks", "There is no channel called “zzz”"),
        ("/note aid " + "y" * 600, "The summary is 600 characters long"),
        ("/confirm", "Tell me which channel still holds"),
        ("/confirm zzz", "Channels: aid, ceasefire"),
        ("/confirm nosuch", "There is no channel called “nosuch”"),
        ("/confirm ceasfire", "Did you mean <code>/confirm ceasefire</code>?"),
        ("/confirm <b>x</b>", "There is no channel called “&lt;b&gt;x&lt;/b&gt;”"),
    ],
)
async def test_bad_input_changes_nothing_and_says_what_to_type(
    db, admin, command, expected
) -> None:
    before = rows(db, "status_history"), rows(db, "audit_log")
    reply = await admin.ask(command)
    assert expected in reply
    assert (rows(db, "status_history"), rows(db, "audit_log")) == before


async def test_partial_agreement_accepts_a_dash(db, admin) -> None:
    assert "🧩 Partial agreement" in await admin.ask("/set summit partial-agreement Talks agreed")


async def test_note_keeps_the_phase_and_shows_in_history(db, app, api, admin) -> None:
    reply = await admin.ask("/note exchanges Lists of names handed over https://gov.ua/l official")
    assert "📌 Note added to <b>Detainee swaps and prisoner releases</b>" in reply
    assert "phase stays 🚚 Implementing" in reply
    reader = Chat(app, api)
    assert "📌 note (🚚 Implementing): Lists of names handed over" in await reader.ask(
        "/history exchanges"
    )
    detail = await reader.ask("/exchanges")
    assert detail.startswith("<b>Detainee swaps") and "Last note: 24 Nov 2026 (today)" in detail
    assert "🚚 Implementing · 🆕 first status" in detail
    note = rows(db, "status_history")[-1]
    assert (note["kind"], note["phase"], note["source_grade"]) == (
        "note",
        "implementing",
        "official",
    )
    assert rows(db, "audit_log")[-1]["action"] == "note"


async def test_confirm_moves_verified_without_history(db, app, api, admin, frozen_time) -> None:
    history_before = rows(db, "status_history")
    reply = await admin.ask("/confirm exchanges")
    assert (
        "👍 Confirmed: <b>Detainee swaps and prisoner releases</b> is still 🚚 Implementing"
        in reply
    )
    assert "status from 1 Jan 2025 (692 days ago), verified today" in reply
    assert rows(db, "status_history") == history_before
    assert rows(db, "audit_log")[-1]["action"] == "confirm"
    frozen_time.shift(86400)
    status = await Chat(app, api).ask("/status")
    assert "(693 days ago), verified yesterday</i> · /exchanges" in status
    assert status.count("stale") == 5
