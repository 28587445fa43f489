"""Guided /set: channel and phase buttons, the typed summary, /cancel and the timeout."""

import pytest

import storage
from bot.cli.update_factory import bot_message, chat_dict
from tests.admin_support import admin_in, rows
from tests.conftest import GROUP_ID, Chat
from tests.navigation_support import TapBotApi

# Free text outside the form goes to the question router, which says it did not understand.
NOT_UNDERSTOOD = "Sorry, I couldn't tell which channel you mean."


@pytest.fixture
def api() -> TapBotApi:
    """The offline Bot API, remembering the messages it sent (their ids)."""
    return TapBotApi()


@pytest.fixture
def started(app):
    """The app fixture is already started: its JobQueue schedules the conversation timeout."""
    return app


@pytest.fixture
def admin(started, api):
    return admin_in(started, api)


def channel_id(db, slug: str) -> int:
    return storage.find_channel(db, slug).id


def latest(db, slug: str) -> str:
    return storage.history(db, channel_id(db, slug), 1)[0].summary


async def test_guided_set_from_start_to_finish(db, app, api, admin) -> None:
    assert await admin.ask("/set") == "Which channel changed?"
    buttons = admin.buttons()
    assert buttons[-1] == "set:x" and f"set:c:{channel_id(db, 'ceasefire')}" in buttons
    picked = await admin.press(f"set:c:{channel_id(db, 'ceasefire')}")
    assert picked.answers and "Which phase is it now?" in picked.edits[0]
    phases = admin.buttons()
    assert f"set:p:{channel_id(db, 'ceasefire')}:partial_agreement" in phases
    assert all(len(data.encode()) <= 64 for data in buttons + phases)
    keyboard = api.sent("editMessageText")[-1]["reply_markup"]["inline_keyboard"]
    assert "🔎 Exploratory (now)" in [b["text"] for row in keyboard for b in row]
    asked = await admin.press(f"set:p:{channel_id(db, 'ceasefire')}:negotiating")
    assert "→ 🤝 Negotiating" in asked.edits[0] and "send the summary" in asked.edits[0]
    reply = await admin.ask("Talks <b>resumed</b> https://example.org/r official")
    assert "🔎 Exploratory → 🤝 Negotiating · ⬆️ improved" in reply
    assert "Talks &lt;b&gt;resumed&lt;/b&gt;" in reply and "(official)" in reply
    assert latest(db, "ceasefire") == "Talks <b>resumed</b>"
    # Last, optional step: the same text in the other language.
    assert reply.endswith("🌐 Send the same text in Ukrainian too, so Ukrainian readers see it in "
                          "theirs, or /skip.")  # fmt: skip
    assert "saved without a translation" in await admin.ask("/skip")
    # The form is finished: more text is ordinary chat, and its buttons are dead.
    assert (await admin.ask("One more thing")).startswith(NOT_UNDERSTOOD)
    stale = await admin.press(f"set:p:{channel_id(db, 'ceasefire')}:stalled")
    assert "expired" in stale.answers[0]["text"] and stale.edits == []


def reply_to_form(message_id: int = 1) -> dict:
    """Message fields of a reply to the bot's form message in the test group."""
    return {"reply_to_message": bot_message(chat_dict(GROUP_ID, "supergroup"), "…", message_id)}


async def test_guided_set_in_a_group(db, started, api) -> None:
    admin = admin_in(started, api, group=True)
    assert await admin.ask("/set@BackchannelBot") == "Which channel changed?"
    await admin.press(f"set:c:{channel_id(db, 'aid')}")
    await admin.press(f"set:p:{channel_id(db, 'aid')}:stalled")
    (saved,) = await admin.send("Convoys halted", **reply_to_form())
    assert "⬇️ setback" in saved
    assert latest(db, "aid") == "Convoys halted"


async def test_in_a_group_only_a_reply_to_the_form_continues_it(db, started, api) -> None:
    admin = admin_in(started, api, group=True)
    await admin.ask("/set")
    # Waiting for a button: the admin's chat with the group is not the form's business.
    assert await admin.send("Lunch at one?") == []
    await admin.press(f"set:c:{channel_id(db, 'aid')}", message_id=11)
    await admin.press(f"set:p:{channel_id(db, 'aid')}:stalled", message_id=11)
    assert await admin.send("Lunch at one?") == []
    # Other messages go to the ordinary handlers: a question to the bot is answered.
    (answer,) = await admin.send("@BackchannelBot any news on swaps?", **mentions_bot())
    assert answer.startswith("<b>Detainee swaps and prisoner releases</b>")
    # A reply to another of the bot's messages is a question, not the summary.
    (answer,) = await admin.send("and the ceasefire?", **reply_to_form(5))
    assert answer.startswith("<b>Tactical ceasefire proposals</b>")
    assert len(rows(db, "status_history")) == 6
    (saved,) = await admin.send("Convoys halted", **reply_to_form(11))
    assert "✅ Status saved" in saved and latest(db, "aid") == "Convoys halted"


def mentions_bot() -> dict:
    return {"entities": [{"type": "mention", "offset": 0, "length": len("@BackchannelBot")}]}


async def test_in_a_group_the_translation_is_a_reply_to_the_echo(db, started, api) -> None:
    admin = admin_in(started, api, group=True)
    await admin.ask("/set")
    await admin.press(f"set:c:{channel_id(db, 'aid')}", message_id=11)
    await admin.press(f"set:p:{channel_id(db, 'aid')}:stalled", message_id=11)
    (saved,) = await admin.send("Convoys halted", **reply_to_form(11))
    assert saved.endswith("or /skip.")
    echo = api.messages[-1]["message_id"]
    # Chat in the group meanwhile is not the translation.
    assert await admin.send("Конвої зупинено, обідаємо?") == []
    (added,) = await admin.send("Конвої зупинено", **reply_to_form(echo))
    assert added.startswith("🌐 Saved the status of <b>Civilian humanitarian aid access</b>")
    entry = storage.history(db, channel_id(db, "aid"), 1)[0]
    assert entry.summary_in("uk") == ("Конвої зупинено", None)


async def set_up_two_forms(db, started, api):
    """An admin's form in the group at aid -> collapsed, and one in private at ceasefire."""
    group, private = admin_in(started, api, group=True), admin_in(started, api)
    aid, ceasefire = channel_id(db, "aid"), channel_id(db, "ceasefire")
    await group.ask("/set")
    await group.press(f"set:c:{aid}", message_id=11)
    await group.press(f"set:p:{aid}:collapsed", message_id=11)
    await private.ask("/set")
    await private.press(f"set:c:{ceasefire}", message_id=12)
    await private.press(f"set:p:{ceasefire}:agreement", message_id=12)
    return group, private


async def test_each_open_form_keeps_its_own_channel_and_phase(db, started, api) -> None:
    group, private = await set_up_two_forms(db, started, api)
    (saved,) = await group.send("Aid convoys halted", **reply_to_form(11))
    assert "Civilian humanitarian aid access" in saved and "Collapsed" in saved
    assert latest(db, "aid") == "Aid convoys halted"
    assert latest(db, "ceasefire") != "Aid convoys halted"
    assert "✅ Status saved" in await private.ask("Deal signed")
    ceasefire = storage.history(db, channel_id(db, "ceasefire"), 1)[0]
    assert (ceasefire.summary, ceasefire.phase) == ("Deal signed", "agreement")


async def test_one_forms_timeout_leaves_the_other_form_alone(db, started, api) -> None:
    group, private = await set_up_two_forms(db, started, api)
    (timeout,) = [
        job for job in started.job_queue.jobs() if job.data.conversation_key[0] == GROUP_ID
    ]
    await timeout.run(started)
    assert "✅ Status saved" in await private.ask("Deal signed")
    assert latest(db, "ceasefire") == "Deal signed"
    # The group's form is over: a reply to its message is just a question to the bot.
    (answer,) = await group.send("Aid convoys halted", **reply_to_form(11))
    assert "Status saved" not in answer and latest(db, "aid") != "Aid convoys halted"


async def test_one_line_set_in_one_chat_keeps_the_form_in_another(db, started, api) -> None:
    group, private = await set_up_two_forms(db, started, api)
    assert "✅ Status saved" in await private.ask("/set summit proposed Invitation sent")
    (saved,) = await group.send("Aid convoys halted", **reply_to_form(11))
    assert "✅ Status saved" in saved and latest(db, "aid") == "Aid convoys halted"


async def test_bad_summary_asks_again(db, admin) -> None:
    await admin.ask("/set")
    await admin.press(f"set:c:{channel_id(db, 'summit')}")
    await admin.press(f"set:p:{channel_id(db, 'summit')}:proposed")
    reply = await admin.ask("x" * 501)
    assert "is 501 characters long" in reply and "Send the summary again" in reply
    assert "a source must start with http" in await admin.ask("Invite ftp://x.org")
    assert "✅ Status saved" in await admin.ask("Invitation sent")
    assert latest(db, "summit") == "Invitation sent"


async def test_text_while_buttons_are_expected(db, admin) -> None:
    await admin.ask("/set")
    assert "pick one of the buttons" in await admin.ask("ceasefire")
    assert len(rows(db, "status_history")) == 6


@pytest.mark.parametrize("how", ["command", "button"])
async def test_cancel(db, admin, how: str) -> None:
    await admin.ask("/set")
    await admin.press(f"set:c:{channel_id(db, 'corridors')}")
    if how == "command":
        assert await admin.ask("/cancel") == "Cancelled; nothing was changed."
    else:
        assert (await admin.press("set:x")).edits == ["Cancelled; nothing was changed."]
    assert (await admin.ask("Should not be saved")).startswith(NOT_UNDERSTOOD)
    assert len(rows(db, "status_history")) == 6
    assert await admin.ask("/cancel") == "There is nothing to cancel."


async def test_timeout_ends_the_form_without_saving(db, started, admin) -> None:
    await admin.ask("/set")
    await admin.press(f"set:c:{channel_id(db, 'corridors')}")
    await admin.press(f"set:p:{channel_id(db, 'corridors')}:agreement")
    (job,) = started.job_queue.jobs()
    assert job.next_t is not None
    before = len(admin.api.calls)
    await job.run(started)
    sent = [c.params["text"] for c in admin.api.calls[before:] if c.method == "sendMessage"]
    assert sent == ["⌛ The guided /set timed out after 5 minutes; nothing was changed."]
    assert (await admin.ask("Late summary")).startswith(NOT_UNDERSTOOD)
    assert len(rows(db, "status_history")) == 6


async def test_a_one_line_set_closes_the_form_without_a_late_timeout_notice(
    db, started, admin
) -> None:
    """The admin gave up on the buttons and typed the whole /set: five minutes later the
    abandoned form must not announce "timed out; nothing was changed" about a saved status."""
    await admin.ask("/set")
    await admin.press(f"set:c:{channel_id(db, 'corridors')}")
    assert "✅ Status saved" in await admin.ask("/set corridors agreement Corridor opened")
    before = len(admin.api.calls)
    for job in started.job_queue.jobs():
        await job.run(started)
    sent = [c.params["text"] for c in admin.api.calls[before:] if c.method == "sendMessage"]
    assert sent == []
    assert latest(db, "corridors") == "Corridor opened"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("set:c:999", "no longer available"),
        ("set:c:abc", "no longer available"),
        ("set:zzz", "expired"),
        ("set:p:1:negotiating", "expired"),  # a phase button while a channel is expected
    ],
)
async def test_forged_or_stale_channel_buttons(db, admin, data: str, expected: str) -> None:
    await admin.ask("/set")
    pressed = await admin.press(data)
    assert expected in pressed.answers[0]["text"] and pressed.edits == []


async def test_forged_phase_and_archived_channel(db, admin) -> None:
    aid = channel_id(db, "aid")
    await admin.ask("/set")
    await admin.press(f"set:c:{aid}")
    pressed = await admin.press(f"set:p:{aid}:bogus")
    assert "no longer valid" in pressed.answers[0]["text"]
    assert "🗄 Archived" in await admin.ask("/archivechannel aid")
    pressed = await admin.press(f"set:p:{aid}:stalled")
    assert "no longer valid" in pressed.answers[0]["text"] and pressed.edits == []


async def test_someone_else_cannot_press_the_admins_buttons(db, started, api) -> None:
    admin = admin_in(started, api, group=True)
    await admin.ask("/set")
    intruder = admin_in(started, api, group=True, user_id=501)
    pressed = await intruder.press(f"set:c:{channel_id(db, 'aid')}")
    # A reader's press reaches the Update-button entry point, which refuses non-admins.
    assert "only Backchannel admins" in pressed.answers[0]["text"] and pressed.edits == []


async def test_readers_get_no_form(started, api) -> None:
    reader = Chat(started, api)
    assert "only Backchannel admins" in await reader.ask("/set")
    assert (await reader.ask("anything")).startswith(NOT_UNDERSTOOD)


async def test_one_line_set_closes_an_open_form(db, admin) -> None:
    await admin.ask("/set")
    await admin.press(f"set:c:{channel_id(db, 'aid')}")
    await admin.press(f"set:p:{channel_id(db, 'aid')}:stalled")
    assert "✅ Status saved" in await admin.ask("/set summit proposed Invitation sent")
    assert "guided /set was closed, so nothing was saved" in await admin.ask("Convoys halted")
    assert latest(db, "aid") != "Convoys halted"
    assert (await admin.ask("Now just chatting")).startswith(NOT_UNDERSTOOD)
