"""Inline buttons: every path edits in place and is answered; forged and stale data are safe."""

import pytest

import storage
from bot.callbacks import MAX_BYTES, Action, Target, decode, encode
from bot.cli.offline_api import ScriptedFailure
from bot.handlers.navigation import FORGED, GONE, STALE
from storage.channel_writes import create_channel
from storage.models import Actor
from tests.conftest import GROUP_ID, Chat
from tests.navigation_support import TapBotApi, Tapper, buttons, labels

SLUGS = ["summit", "aid", "ceasefire", "exchanges", "corridors", "reconstruction"]


@pytest.fixture
def api() -> TapBotApi:
    return TapBotApi()


@pytest.fixture
def tapper(app, api: TapBotApi) -> Tapper:
    return Tapper(app, api)


async def test_status_has_a_button_per_channel(private_chat: Chat, api: TapBotApi) -> None:
    await private_chat.ask("/status")
    message = api.last_with_buttons()
    assert labels(message)[0] == "🧊 Leader-level summit"
    assert [b["callback_data"] for b in buttons(message)] == [f"nav:c:{s}" for s in SLUGS]


@pytest.mark.parametrize("slug", SLUGS)
async def test_channel_button_edits_the_overview_into_the_channel(
    private_chat: Chat, api: TapBotApi, tapper: Tapper, slug: str
) -> None:
    by_command = await private_chat.ask(f"/{slug}")
    await private_chat.ask("/status")
    overview = api.last_with_buttons()
    tap = await tapper.press_data(f"nav:c:{slug}", overview)
    assert tap.text == by_command
    assert tap.edits[0]["message_id"] == overview["message_id"]
    assert tap.keyboard == ["📜 History", "🔔 Subscribe", "📋 All channels"]
    assert tap.sent == [] and tap.answers == [
        {"callback_query_id": tap.answers[0]["callback_query_id"]}
    ]


async def test_an_edit_is_html_without_previews(private_chat: Chat, api, tapper: Tapper) -> None:
    await private_chat.ask("/status")
    overview = api.last_with_buttons()
    (edit,) = (await tapper.press_data("nav:h:aid", overview)).edits
    assert edit["chat_id"] == overview["chat"]["id"]
    assert edit["parse_mode"] == "HTML"
    assert edit["link_preview_options"] == {"is_disabled": True}


async def test_history_back_and_all_channels(private_chat: Chat, tapper: Tapper) -> None:
    channel_reply = await private_chat.ask("/ceasefire")
    tap = await tapper.press("History")
    assert tap.text.startswith("<b>History: Tactical ceasefire proposals</b>")
    assert tap.keyboard == ["⬅️ Back", "📋 All channels"]
    back = await tapper.press("Back")
    assert back.text == channel_reply
    overview = await tapper.press("All channels")
    assert overview.text.startswith("<b>Backchannel: where the talks stand</b>")
    assert len(overview.keyboard) == 6
    again = await tapper.press("ceasefire")
    assert again.text == channel_reply
    assert all(tap.notice is None for tap in (tap, back, overview, again))


async def test_latest_and_choice_buttons(private_chat: Chat, tapper: Tapper) -> None:
    await private_chat.ask("when was the last exchange?")
    status = await tapper.press("Status")
    assert status.text.startswith("<b>Detainee swaps and prisoner releases</b>")
    await private_chat.ask("latest humanitarian news")
    latest = await tapper.press("corridors")
    assert latest.text.startswith("<b>Latest: Safe humanitarian corridors</b>")
    await private_chat.ask("humanitarian")
    chosen = await tapper.press("aid")
    assert chosen.text.startswith("<b>Civilian humanitarian aid access</b>")


async def test_buttons_work_in_groups(group_chat: Chat, api: TapBotApi, tapper: Tapper) -> None:
    await group_chat.ask("/status")
    tap = await tapper.press("summit")
    assert tap.edits[0]["chat_id"] == GROUP_ID
    assert tap.text.startswith("<b>Leader-level summit</b>")


# Not "": Telegram never sends empty callback data, and PTB lets empty data match any pattern,
# so the first button handler in the list (the guided /set's) answers it instead.
@pytest.mark.parametrize(
    "data",
    [
        "nav", "nav:", "nav:c", "nav:o:aid", "nav:x:aid", "nav:C:aid", "nav:c:AID",
        "nav:caid", "nav:c:aid:extra", "nav:c:../etc", "nav:c:a id", "nav:h:" + "a" * 33,
        "nav:c:" + "a" * 58, "nav:c:ceasefire\n", "nav:c:ceasefire;DROP", "nav:c:бум",
    ],
)  # fmt: skip
async def test_forged_navigation_data(private_chat: Chat, tapper: Tapper, data: str) -> None:
    await private_chat.ask("/status")
    tap = await tapper.press_data(data, tapper.api.last_with_buttons())
    assert tap.notice == FORGED
    assert tap.edits == [] and tap.sent == []


@pytest.mark.parametrize("data", ["sub:aid", "upd:1", "x" * 64, "😀"])
async def test_data_of_no_known_button_is_answered(private_chat, tapper: Tapper, data) -> None:
    await private_chat.ask("/status")
    tap = await tapper.press_data(data, tapper.api.last_with_buttons())
    assert tap.notice == FORGED and tap.edits == [] and tap.sent == []


@pytest.mark.parametrize("data", ["nav:c:summit", "nav:h:summit", "nav:l:summit"])
async def test_archived_channel_button_shows_the_fresh_overview(
    db, private_chat: Chat, tapper: Tapper, data: str
) -> None:
    await private_chat.ask("/summit")
    message = tapper.api.last_with_buttons()
    db["channels"].update(storage.find_channel(db, "summit").id, {"archived": 1})
    tap = await tapper.press_data(data, message)
    assert tap.notice == STALE
    assert tap.text.startswith("<b>Backchannel: where the talks stand</b>")
    assert "Leader-level summit" not in tap.text and len(tap.keyboard) == 5


async def test_unknown_channel_is_stale_not_an_error(private_chat: Chat, tapper: Tapper) -> None:
    await private_chat.ask("/status")
    tap = await tapper.press_data("nav:c:nosuchchannel", tapper.api.last_with_buttons())
    assert tap.notice == STALE and tap.sent == []


async def test_pressing_the_same_page_twice(private_chat: Chat, api, tapper: Tapper) -> None:
    await private_chat.ask("/status")
    api.fail_next(
        "editMessageText",
        ScriptedFailure(400, "Bad Request: message is not modified: specified new message "
                        "content and reply markup are exactly the same"),
    )  # fmt: skip
    tap = await tapper.press_data("nav:o", api.last_with_buttons())
    assert tap.notice is None and len(tap.answers) == 1 and tap.sent == []


async def test_message_that_cannot_be_edited_gets_a_new_one(private_chat, api, tapper) -> None:
    await private_chat.ask("/status")
    api.fail_next("editMessageText", ScriptedFailure(400, "Bad Request: message to edit not found"))
    tap = await tapper.press("summit")
    assert tap.edits == [] and len(tap.answers) == 1
    (sent,) = tap.sent
    assert sent["text"].startswith("<b>Leader-level summit</b>") and "reply_markup" in sent


async def test_answer_failure_is_not_an_error(private_chat, api, tapper) -> None:
    await private_chat.ask("/status")
    api.fail_next("answerCallbackQuery", ScriptedFailure(400, "Bad Request: query is too old"))
    tap = await tapper.press("summit")
    assert tap.text.startswith("<b>Leader-level summit</b>") and tap.sent == []


async def test_unexpected_failure_still_answers_the_button(private_chat, api, tapper) -> None:
    await private_chat.ask("/status")
    api.fail_next("editMessageText", ScriptedFailure(500, "Internal Server Error"))
    tap = await tapper.press("summit")
    assert len(tap.answers) == 1
    assert [s["text"] for s in tap.sent] == [
        "Sorry, something went wrong on my side. Please try again in a minute."
    ]


async def test_inaccessible_or_inline_message(private_chat, api, tapper: Tapper) -> None:
    tap = await tapper.press_data("nav:c:aid", None)
    assert tap.notice == GONE and tap.edits == []
    old = {"message_id": 3, "date": 0, "chat": {"id": 501, "type": "private"}}
    tap = await tapper.press_data("nav:c:aid", old)
    assert tap.notice == GONE and tap.edits == []


async def test_every_button_fits_telegram_limit(db, private_chat, api: TapBotApi, tapper) -> None:
    create_channel(
        db, slug="a" * 40, title="Overlong slug", aliases=[], keywords=[], phase="proposed",
        summary="Created outside the bot", actor=Actor(id=1, name="Admin"),
    )  # fmt: skip
    await private_chat.ask("/status")
    overview = api.last_with_buttons()
    assert "Overlong slug" in overview["text"] and len(buttons(overview)) == 6
    await private_chat.ask("/ceasefire")
    await tapper.press("History")
    for question in ["humanitarian", "when was the last swap", "hello"]:
        await private_chat.ask(question)
    for message in api.messages:
        for button in buttons(message) if "reply_markup" in message else []:
            assert len(button["callback_data"].encode()) <= MAX_BYTES
            assert decode(button["callback_data"]) is not None


@pytest.mark.parametrize(
    ("action", "slug"),
    [(Action.OVERVIEW, None), (Action.CHANNEL, "a" * 32), (Action.HISTORY, "x_1")],
)
def test_encode_round_trips(action: Action, slug: str | None) -> None:
    data = encode(action, slug)
    assert decode(data) == Target(action, slug) and len(data.encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    ("action", "slug"),
    [(Action.CHANNEL, "a" * 33), (Action.CHANNEL, None), (Action.OVERVIEW, "aid"),
     (Action.HISTORY, "Bad Slug"), (Action.LATEST, "")],
)  # fmt: skip
def test_encode_refuses_what_would_not_come_back(action: Action, slug: str | None) -> None:
    with pytest.raises(ValueError, match="navigation button"):
        encode(action, slug)


@pytest.mark.parametrize("language", ["en", "uk"])
async def test_a_cold_status_after_a_phase_change_shows_the_new_phase_on_button_and_text(
    db, private_chat: Chat, api: TapBotApi, language: str
) -> None:
    # /status's buttons are written afresh with its text (bot.keyboards.overview_keyboard):
    # after a change, both must show the new phase, and never the one cached before it.
    storage.choose_language(db, private_chat.chat_id, language)
    ladder = storage.phase_ladder(db)
    summit = storage.find_channel(db, "summit")
    await private_chat.ask("/status")
    before = api.last_with_buttons()
    for phase, summary in [("agreement", "Signed in Geneva"), ("stalled", "Talks broke off")]:
        storage.record_status(
            db, channel_id=summit.id, kind="status", phase=phase, summary=summary,
            actor=Actor(id=1, name="Olena"),
        )  # fmt: skip
        shown = ladder.get(phase)
        assert shown is not None
        await private_chat.ask("/status")
        overview = api.last_with_buttons()
        title = summit.title_in(language)
        assert labels(overview)[0] == f"{shown.emoji} {title}"
        assert labels(overview)[1:] == labels(before)[1:]
        block = overview["text"].split("\n\n")[1]
        assert block.startswith(f"<b>{title}</b>\n{shown.emoji} {shown.label_in(language)} · ")
        assert summary in block
