# ruff: noqa: RUF001 (the Ukrainian plural forms are the point of one test)
"""A digest shows each channel's 10 most recent changes, then one line pointing to /history.

A reader back from a month away used to get every change of it: 115 messages of one channel
in one digest. Now the older ones are counted, in the reader's language, with the /history
command that shows them; the watermark still moves past all of them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

import storage
from bot.jobs import scheduling as jobs
from digests import runner
from digests.builder import SHOWN_PER_CHANNEL
from render.channels import HISTORY_MAX
from tests.conftest import ADMIN_ID, Chat
from tests.digest_support import (
    EDITOR,
    FIRST_DUE,
    FakeClock,
    add_subscriber,
    builder_for,
    make_sender,
    set_status,
)
from tests.html_check import telegram_html_problems

NOW = datetime(2026, 11, 25, 6, tzinfo=UTC)


def add_changes(db, count: int, slug: str = "ceasefire", kind: str = "status") -> list[int]:
    """`count` changes of one channel, alternating phases, numbered in their summaries."""
    phases = ("negotiating", "stalled")
    return [
        set_status(db, slug, phases[n % 2], f"{slug} change {n:02d}", kind=kind).id
        for n in range(count)
    ]


def build(db, watermark: int, language: str = "en", **options) -> list[str]:
    digest = builder_for(db, watermark).build_for(
        None, watermark, "Europe/Kyiv", language=language, **options
    )
    return list(digest.parts)


def shown(digest: str, slug: str = "ceasefire") -> list[int]:
    return [int(n) for n in re.findall(rf"{slug} change (\d\d)", digest)]


def test_the_cap_is_ten() -> None:
    assert SHOWN_PER_CHANNEL == 10


async def test_a_reader_30_changes_behind_gets_the_10_latest_and_history_shows_the_rest(
    db, api, app, private_chat
) -> None:
    add_subscriber(db, private_chat.chat_id, ["ceasefire"])
    ids = add_changes(db, 30)
    await runner.send_due(db, make_sender(app.bot, FakeClock()), now=FIRST_DUE)
    (digest,) = [p["text"] for p in api.sent() if p["chat_id"] == private_chat.chat_id]
    assert telegram_html_problems(digest) == []
    assert "30 changes in 1 channel since you subscribed" in digest
    assert shown(digest) == list(range(20, 30))  # the 10 most recent, oldest first
    assert digest.count("\n• ") == 10
    assert "<i>… and 20 earlier changes:</i> /history ceasefire 30" in digest
    # Nothing is sent again: the watermark moved past the changes left out too.
    assert storage.get_subscriber(db, private_chat.chat_id).watermark == ids[-1]
    # The command works as written and shows the changes the digest left out.
    replies = await private_chat.send("/history ceasefire 30")
    assert set(range(20)) <= set(shown("\n".join(replies)))


@pytest.mark.parametrize(
    ("count", "english", "ukrainian"),
    [
        (11, "… and 1 earlier change:", "… і ще 1 попередня зміна:"),
        (13, "… and 3 earlier changes:", "… і ще 3 попередні зміни:"),
        (17, "… and 7 earlier changes:", "… і ще 7 попередніх змін:"),
        (31, "… and 21 earlier changes:", "… і ще 21 попередня зміна:"),
        (22, "… and 12 earlier changes:", "… і ще 12 попередніх змін:"),
    ],
)
def test_the_earlier_line_in_both_languages_with_every_plural_form(
    db, count, english, ukrainian
) -> None:
    watermark = storage.latest_change_id(db)
    add_changes(db, count)
    command = f"/history ceasefire {count}"
    for language, words in (("en", english), ("uk", ukrainian)):
        (digest,) = build(db, watermark, language)
        assert f"<i>{words}</i> {command}" in digest
        assert shown(digest) == list(range(count - 10, count))
        assert telegram_html_problems(digest) == []
    # The Ukrainian digest has its own words around the number, not the English ones.
    (digest,) = build(db, watermark, "uk")
    assert "earlier" not in digest


def test_exactly_ten_changes_get_no_earlier_line(db) -> None:
    watermark = storage.latest_change_id(db)
    add_changes(db, 10)
    add_changes(db, 12, "aid")
    (digest,) = build(db, watermark)
    assert shown(digest) == list(range(10))
    assert "/history ceasefire" not in digest
    assert shown(digest, "aid") == list(range(2, 12))
    assert "<i>… and 2 earlier changes:</i> /history aid 12" in digest
    assert "22 changes in 2 channels since your last digest" in digest


def test_the_history_command_asks_for_no_more_than_history_gives(db) -> None:
    watermark = storage.latest_change_id(db)
    add_changes(db, 80)
    (digest,) = build(db, watermark)
    assert f"<i>… and 70 earlier changes:</i> /history ceasefire {HISTORY_MAX}" in digest


def test_notes_count_as_changes_and_undone_entries_do_not(db) -> None:
    watermark = storage.latest_change_id(db)
    add_changes(db, 8)
    add_changes(db, 4, kind="note")  # notes are shown in digests: they take places too
    set_status(db, "ceasefire", "stalled", "withdrawn soon")
    storage.undo_last_change(db, EDITOR)
    (digest,) = build(db, watermark)
    assert "withdrawn soon" not in digest
    assert digest.count("📌 <b>Note</b>") == 4
    assert "<i>… and 2 earlier changes:</i> /history ceasefire 12" in digest


def test_alert_marks_keep_the_same_cap(db) -> None:
    # Digests with alert marks are packed line by line, the others from runs: same lines.
    watermark = storage.latest_change_id(db)
    ids = add_changes(db, 15)
    at = datetime(2026, 11, 25, 5, 14, tzinfo=UTC)  # 07:14 in Kyiv
    plain = build(db, watermark)
    marked = build(db, watermark, alerted={ids[2]: at, ids[12]: at})
    assert marked[0].count("🔔 alerted 07:14") == 1  # the hidden change's mark is not shown
    assert [part.replace(" · 🔔 alerted 07:14", "") for part in marked] == plain
    assert "<i>… and 5 earlier changes:</i> /history ceasefire 15" in plain[0]


async def test_preview_build_due_digestnow_and_the_cli_preview_show_the_same_cap(
    db, app, api, private_chat
) -> None:
    jobs.service(app).sender = make_sender(app.bot)
    admin = Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID)
    add_subscriber(db, private_chat.chat_id, ["ceasefire"])
    add_changes(db, 14)
    line = "<i>… and 4 earlier changes:</i> /history ceasefire 14"
    (preview,) = await private_chat.send("/digest")
    assert line in preview and shown(preview) == list(range(4, 14))
    since = runner.preview_since(db, FIRST_DUE - timedelta(days=1), "Europe/Kyiv", FIRST_DUE)
    assert line in since.parts[0]
    ((_, due),) = runner.build_due(db, FIRST_DUE)
    (due_text,) = due.parts  # the same digest, dated by its run (/digest: today)
    assert due_text.partition("\n")[2] == preview.partition("\n")[2]
    await admin.send("/digestnow")
    await jobs.service(app).background
    sent = [p["text"] for p in api.sent() if p["chat_id"] == private_chat.chat_id]
    assert preview in sent


async def test_a_correction_comes_with_the_capped_digest(db, api, app, frozen_time) -> None:
    add_subscriber(db, 501, ["ceasefire"])
    set_status(db, "ceasefire", "negotiating", "told and then withdrawn")
    sender = make_sender(app.bot, FakeClock())
    await runner.send_due(db, sender, now=FIRST_DUE)
    frozen_time.shift(60)
    storage.undo_last_change(db, EDITOR)
    add_changes(db, 12)
    await runner.send_due(db, sender, now=FIRST_DUE + timedelta(days=1))
    digest = [p["text"] for p in api.sent() if p["chat_id"] == 501][-1]
    assert "Corrected:" in digest and "told and then withdrawn" in digest
    assert shown(digest) == list(range(2, 12))
    assert "<i>… and 2 earlier changes:</i> /history ceasefire 12" in digest
    assert telegram_html_problems(digest) == []


def test_a_first_digest_far_behind_is_capped_too(db) -> None:
    watermark = storage.latest_change_id(db)
    add_changes(db, 25)
    (digest,) = build(db, watermark, first=True)
    assert "25 changes in 1 channel since you subscribed" in digest
    assert "<i>… and 15 earlier changes:</i> /history ceasefire 25" in digest
