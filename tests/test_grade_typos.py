"""A mistyped grade after the source must not swallow the source into the summary.

`/set ... Talks resumed https://example.org/x offical` used to save the link as part of the
summary and show "no source given (unconfirmed)".
"""

from __future__ import annotations

import pytest

import storage
from tests.admin_support import admin_in, rows
from tests.conftest import Chat


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


@pytest.mark.parametrize(
    ("tail", "typo", "grade"),
    [
        ("Talks resumed https://example.org/x offical", "offical", "official"),
        ("Talks resumed https://example.org/x Oficial", "Oficial", "official"),
        ("Talks resumed https://example.org/x mediater", "mediater", "mediator"),
        ("Talks resumed https://example.org/x meida", "meida", "media"),
        ("Talks resumed https://example.org/x unconfirmd", "unconfirmd", "unconfirmed"),
        ("Talks resumed offical", "offical", "official"),
        ("Talks resumed unconfimred", "unconfimred", "unconfirmed"),
    ],
)
async def test_a_grade_typo_is_refused_with_a_suggestion(
    db, admin, tail: str, typo: str, grade: str
) -> None:
    before = rows(db, "status_history")
    reply = await admin.ask(f"/set ceasefire negotiating {tail}")
    assert "Nothing was changed" in reply
    assert f"“{typo}” is not a source grade. Did you mean {grade}?" in reply
    assert rows(db, "status_history") == before


async def test_the_typo_is_caught_in_notes_and_the_guided_form_too(db, admin) -> None:
    reply = await admin.ask("/note aid Convoy https://example.org/x offical")
    assert "Did you mean official?" in reply
    await admin.ask("/set")
    channel = storage.find_channel(db, "aid")
    await admin.press(f"set:c:{channel.id}")
    await admin.press(f"set:p:{channel.id}:stalled")
    assert "Did you mean mediator?" in await admin.ask("Convoys halted https://e.org/y mediatr")
    assert rows(db, "status_history")[-1]["summary"] != "Convoys halted https://e.org/y mediatr"


@pytest.mark.parametrize(
    "tail",
    [
        "Talks between officials",
        "Talks were unofficial",
        "Convoy carried a medic",
        "Confirmed by an offical.",
        "Report https://example.org/x yesterday",
    ],
)
async def test_ordinary_last_words_stay_in_the_summary(db, admin, tail: str) -> None:
    reply = await admin.ask(f"/set ceasefire negotiating {tail}")
    assert "Status saved" in reply
    (entry,) = storage.history(db, storage.find_channel(db, "ceasefire").id, 1)
    assert entry.summary == tail


async def test_a_grade_without_a_link_reads_sensibly(db, app, api, admin) -> None:
    reply = await admin.ask("/set ceasefire negotiating Talks resumed official")
    assert "Source: official, no link" in reply
    assert "Source: official, no link" in await Chat(app, api).ask("/ceasefire")
    await admin.ask("/set ceasefire negotiating Talks resumed again")
    assert "Source: unconfirmed, no link" in await Chat(app, api).ask("/ceasefire")
