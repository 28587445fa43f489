"""Hostile input from an admin: every admin command and every guided /set step.

Admins make mistakes and paste anything, so the same fuzzing readers get is aimed at them,
and because admins can write, every step is also checked against the database: either
nothing changed, or a valid change was stored together with its audit row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

import storage
from bot.cli.update_factory import bot_message, chat_dict
from bot.command_menu import registered_commands
from bot.editing.validation import GRADES
from bot.handlers.error_handler import SORRY
from storage.values import SLUG_PATTERN, SUMMARY_MAX, TITLE_MAX
from tests.admin_support import AdminChat, admin_in, rows
from tests.test_hostile_input import ARGUMENTS

# Examples share one database and one bot, so an example replayed later meets a different
# state: no shrinking (it would chase a moving target), and a failure is reported as found.
FUZZ = settings(
    max_examples=50,
    deadline=None,
    # Shared fixtures are the point (see above); and on a loaded machine drawing long Unicode
    # text is slow, which says nothing about the bot.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],
    database=None,
)
# What an admin would really type after each command; the fuzzing mixes hostile text into
# these, so it also reaches the checks (and the writes) after a valid channel and phase.
REALISTIC = {
    "set": ["aid stalled Convoys halted", "ceasefire negotiating Talks https://e.org/r official"],
    "note": ["aid Lists handed over", "exchanges Names <b>listed</b> mediator"],
    "confirm": ["aid", "ceasefire"],
    "addchannel": ["energy Energy truce /grid"],
    "renamechannel": ["aid Aid corridors"],
    "archivechannel": ["aid"],
    "restorechannel": ["aid"],
    "grant": ["4242 Mallory", "4243"],
    "revoke": ["4242"],
    "audit": ["5", "999"],
    "translate": ["aid Конвої зупинено"],
    "publish": ["@desknews digest", "off"],
}


def arguments(command: str) -> st.SearchStrategy[str]:
    """Realistic arguments for `command`, the same with hostile text mixed in, or any text."""
    real = st.sampled_from(REALISTIC.get(command, [""]))
    return st.one_of(
        real,
        real,  # twice: clean input is what writes, and writes are what this test is about
        st.builds(lambda words, rest: f"{words} {rest}", real, ARGUMENTS),
        st.builds(lambda words, rest: f"{words.partition(' ')[0]} {rest}", real, ARGUMENTS),
        ARGUMENTS,
    )


WRITES_HISTORY = {"status", "note"}


@dataclass(frozen=True)
class Snapshot:
    """The database apart from the audit log, and the audit log itself."""

    data: list[str]
    audit: list[dict[str, Any]]
    history_ids: frozenset[int]


def snapshot(db) -> Snapshot:
    data = [line for line in db.conn.iterdump() if "audit_log" not in line]
    history_ids = frozenset(row["id"] for row in rows(db, "status_history"))
    return Snapshot(data, rows(db, "audit_log"), history_ids)


def assert_nothing_or_an_audited_valid_change(db, before: Snapshot, what: object) -> None:
    """Either nothing changed, or the change is valid and the audit log says who made it."""
    after = snapshot(db)
    assert after.audit[: len(before.audit)] == before.audit, what  # the log is append-only
    added = after.audit[len(before.audit) :]
    event("wrote " + ",".join(a["action"] for a in added) if added else "wrote nothing")
    changed = after.data != before.data
    assert bool(added) == changed, f"{what!r}: changed {changed}, audit rows {added}"
    history = [r for r in rows(db, "status_history") if r["id"] not in before.history_ids]
    assert len(history) == len([a for a in added if a["action"] in WRITES_HISTORY]), what
    assert all(a["actor_id"] is not None and a["actor_name"] for a in added), what
    phases = {row["slug"] for row in rows(db, "phases")}
    for row in history:
        assert 1 <= len(row["summary"]) <= SUMMARY_MAX, row
        assert row["phase"] in phases and row["source_grade"] in GRADES, row
        assert row["source_url"] is None or re.match(r"https?://", row["source_url"]), row
    for channel in rows(db, "channels"):
        assert re.match(SLUG_PATTERN, channel["slug"]), channel
        assert 1 <= len(channel["title"].strip()) <= TITLE_MAX, channel


@pytest.fixture
def admin_commands(app) -> list[str]:
    return [info.name for info in registered_commands(app) if info.admin_only]


@pytest.fixture(params=["private", "group"])
def admin(request: pytest.FixtureRequest, app, api) -> AdminChat:
    return admin_in(app, api, group=request.param == "group")


@FUZZ
@given(data=st.data())
async def test_any_admin_command_with_any_argument(
    data, db, admin: AdminChat, admin_commands, frozen_time
) -> None:
    # Time moves between commands, as it does for an admin: a second /confirm then stores a
    # new time (with the clock stopped it would write an audit row for an unchanged value).
    frozen_time.shift(1)
    name = data.draw(st.sampled_from(admin_commands))
    argument = data.draw(arguments(name))
    before, calls = snapshot(db), len(admin.api.calls)
    text = f"/{name}@BackchannelBot {argument}"
    # AdminChat.send checks every reply is valid Telegram HTML under the length limit.
    replies = await admin.send(text)
    answered = [c for c in admin.api.calls[calls:] if c.method in {"sendMessage", "sendDocument"}]
    assert answered and SORRY not in replies, text
    assert_nothing_or_an_audited_valid_change(db, before, text)


# Text the admin types: in a group either a reply to the form or just a message in the group.
TYPED = st.tuples(st.sampled_from(["text", "reply"]), ARGUMENTS.filter(str.strip))


def _steps(ids: st.SearchStrategy[int], phases: list[str]) -> st.SearchStrategy[tuple[str, Any]]:
    """One step of a guided /set: a command, a button press, or typed text."""
    press = st.one_of(
        st.builds(lambda c: f"set:c:{c}", ids),
        st.builds(lambda c, p: f"set:p:{c}:{p}", ids, st.sampled_from([*phases, "bogus"])),
        st.just("set:x"),
        st.builds(lambda rest: "set:" + rest, st.text(max_size=20)).filter(
            lambda data: len(data.encode()) <= 64
        ),
    )
    return st.one_of(
        st.sampled_from([("command", "/set"), ("command", "/cancel")]),
        st.tuples(st.just("press"), press),
        TYPED,
    )


FORM = 7  # the message the presses below are made under: the form's message


@settings(FUZZ, max_examples=25)
@given(data=st.data())
async def test_any_guided_set_steps(data, db, admin: AdminChat) -> None:
    ids = st.sampled_from([c.id for c in storage.list_channels(db, include_archived=True)] + [999])
    phases = [row["slug"] for row in rows(db, "phases")]
    step = _steps(ids, phases)
    # Mostly the way to a summary (cut short at a random point), with noise around it.
    channel, phase = data.draw(ids), data.draw(st.sampled_from(phases))
    path = [
        ("command", "/set"),
        ("press", f"set:c:{channel}"),
        ("press", f"set:p:{channel}:{phase}"),
    ]
    steps = (
        data.draw(st.lists(step, max_size=2))
        + path[: data.draw(st.sampled_from([0, 1, 2, 3, 3, 3]))]
        + [data.draw(TYPED)]
        + data.draw(st.lists(step, max_size=2))
    )
    await admin.send("/cancel")  # each example starts without a form
    form = bot_message(chat_dict(admin.chat_id, admin.chat_type), "form", FORM)
    for kind, value in steps:
        before = snapshot(db)
        if kind == "press":
            pressed = await admin.press(value, message_id=FORM)
            assert len(pressed.answers) == 1, value
            assert SORRY not in pressed.messages, value
        else:
            # Typed text, not a command: Telegram marks a command only at the very start.
            text = " " + value if kind != "command" and value.startswith("/") else value
            extra = {"reply_to_message": form} if kind == "reply" else {}
            assert SORRY not in await admin.send(text, **extra), value
        assert_nothing_or_an_audited_valid_change(db, before, (kind, value))


async def test_translating_to_the_same_text_changes_and_logs_nothing(db, app, api) -> None:
    """Found by the fuzzing above: an audit row for a translation that replaced itself."""
    admin = admin_in(app, api)
    assert "🌐 Saved" in await admin.ask("/translate aid Конвої зупинено")
    before = rows(db, "status_history"), rows(db, "audit_log")
    reply = await admin.ask("/translate aid  Конвої зупинено ")
    assert reply.startswith("Nothing was changed: That translation is already saved.")
    assert (rows(db, "status_history"), rows(db, "audit_log")) == before
