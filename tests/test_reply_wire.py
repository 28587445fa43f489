"""What Telegram receives for a reply: the lean send path must say exactly what PTB would.

Replies skip PTB's send_message (see bot/telegram_bot.py), so these tests pin the request
itself: HTML parse mode, no link previews, quoting in groups, forum topics, and buttons
serialised exactly as PTB serialises them.
"""

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LoginUrl, ReplyParameters
from telegram.ext import BaseRateLimiter

import storage
from bot.callbacks import Action, encode
from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import chat_dict, text_update, user_dict
from bot.keyboards import (
    Viewer,
    channel_keyboard,
    history_keyboard,
    overview_keyboard,
)
from bot.telegram_bot import BackchannelBot, keyboard_json
from language.i18n import texts
from render.splitting import TELEGRAM_LIMIT
from tests.conftest import GROUP_ID, READER_ID, TEST_TOKEN, Chat


async def _send_in_group(app, text: str, **extra: object) -> int:
    update = text_update(
        app.bot,
        text,
        user=user_dict(READER_ID, "Reader"),
        chat=chat_dict(GROUP_ID, "supergroup"),
        **extra,
    )
    await app.process_update(update)
    return update.effective_message.message_id


async def test_private_reply_is_html_without_previews_or_quote(
    private_chat: Chat, api: OfflineBotApi
) -> None:
    await private_chat.ask("/status")
    sent = api.sent()[-1]
    assert sent["chat_id"] == READER_ID
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in sent and "message_thread_id" not in sent


async def test_group_reply_quotes_the_askers_message(app, api: OfflineBotApi) -> None:
    asked = await _send_in_group(app, "/ceasefire")
    sent = api.sent()[-1]
    assert sent["chat_id"] == GROUP_ID
    assert sent["reply_parameters"] == {"message_id": asked}
    assert "Tactical ceasefire proposals" in sent["text"]


async def test_reply_in_a_forum_topic_stays_in_the_topic(app, api: OfflineBotApi) -> None:
    asked = await _send_in_group(app, "/status", is_topic_message=True, message_thread_id=77)
    sent = api.sent()[-1]
    assert sent["message_thread_id"] == 77
    assert sent["reply_parameters"] == {"message_id": asked}


async def test_a_reply_thread_that_is_not_a_topic_is_not_passed_on(app, api) -> None:
    # In an ordinary group a chain of replies also has a thread id; Telegram refuses it.
    await _send_in_group(app, "/status", message_thread_id=5)
    assert "message_thread_id" not in api.sent()[-1]


async def test_split_reply_quotes_first_piece_and_buttons_go_last(app, api, db) -> None:
    channel = storage.find_channel(db, "ceasefire")
    long_summary = "Talks continue on the details of a local pause. " * 60
    editor = storage.Actor(id=1, name="Olena")
    for _ in range(3):
        storage.add_note(db, channel_id=channel.id, summary=long_summary, actor=editor)
    asked = await _send_in_group(app, "/history ceasefire 3")
    pieces = [p for p in api.sent() if p["chat_id"] == GROUP_ID]
    assert len(pieces) > 1
    assert all(len(p["text"]) <= TELEGRAM_LIMIT for p in pieces)
    assert pieces[0]["reply_parameters"] == {"message_id": asked}
    assert all("reply_parameters" not in p for p in pieces[1:])
    assert all("reply_markup" not in p for p in pieces[:-1])
    assert "inline_keyboard" in pieces[-1]["reply_markup"]


def _keyboards(db) -> list[InlineKeyboardMarkup]:
    statuses = storage.current_statuses(db)
    channel = statuses[0].channel
    admin = Viewer(is_admin=True, subscribed=False)
    reader = Viewer(is_admin=False, subscribed=None)
    return [
        channel_keyboard(channel, admin, texts("en")),
        channel_keyboard(channel, reader, texts("en")),
        history_keyboard(channel, texts("en")),
    ]


def test_backchannel_keyboards_serialise_exactly_as_ptb_does(db) -> None:
    for markup in _keyboards(db):
        assert keyboard_json(markup) == markup.to_dict()


def test_the_overview_keyboard_written_directly_is_what_ptb_would_send(db) -> None:
    # /status's buttons are written in wire form (bot.telegram_bot.WireKeyboard): they must
    # be what PTB makes of the same buttons, one channel a row, its phase's emoji first.
    storage.record_status(
        db, channel_id=storage.find_channel(db, "ceasefire").id, kind="status",
        phase="agreement", summary="Signed & sealed", actor=storage.Actor(id=1, name="Olena"),
    )  # fmt: skip
    statuses = storage.current_statuses(db)
    expected = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"{s.phase.emoji} {s.channel.title}", callback_data=data)]
            for s in statuses
            if (data := encode(Action.CHANNEL, s.channel.slug))
        ]
    )
    wire = overview_keyboard(statuses, texts("en"))
    assert keyboard_json(wire) == expected.to_dict()
    assert wire.markup().to_dict() == expected.to_dict()
    assert len(expected.inline_keyboard) == len(statuses) == 6


@pytest.mark.parametrize(
    "odd_button",
    [
        InlineKeyboardButton("Site", url="https://example.org"),
        InlineKeyboardButton("Log in", login_url=LoginUrl("https://example.org/login")),
        InlineKeyboardButton("Search", switch_inline_query_current_chat="ceasefire"),
    ],
)
def test_any_other_kind_of_button_is_left_to_ptb(odd_button: InlineKeyboardButton) -> None:
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("History", callback_data="nav:h:aid")], [odd_button]]
    )
    assert keyboard_json(markup) == markup.to_dict()
    assert keyboard_json(markup)["inline_keyboard"][1][0] == odd_button.to_dict()


# The lean path builds the request itself (no `_insert_defaults`, no `from_input`): what
# reaches Telegram must be what PTB's own send_message / edit_message_text would send.
_WIRE_CASES = [
    {},
    {"reply_to": 41},
    {"reply_to": 41, "thread_id": 77},
    {"thread_id": 77},
]


@pytest.mark.parametrize("where", _WIRE_CASES)
@pytest.mark.parametrize("with_buttons", [False, True])
async def test_send_html_sends_what_ptbs_send_message_sends(
    app, api: OfflineBotApi, db, where: dict[str, int], with_buttons: bool
) -> None:
    markup = _keyboards(db)[0] if with_buttons else None
    html = "<b>Ceasefire</b> &amp; talks · «quoted» 🕊"
    message_id = await app.bot.send_html(GROUP_ID, html, markup=markup, **where)
    reply_to, thread_id = where.get("reply_to"), where.get("thread_id")
    await app.bot.send_message(
        GROUP_ID,
        html,
        reply_markup=markup,
        reply_parameters=ReplyParameters(reply_to) if reply_to is not None else None,
        message_thread_id=thread_id,
    )
    lean, ptb = api.sent()[-2:]
    # Defaults add the parse mode of a `quote` (a quoted excerpt), which pages never set.
    if "reply_parameters" in ptb:
        assert ptb["reply_parameters"].pop("quote_parse_mode") == "HTML"
    assert lean == ptb
    assert isinstance(message_id, int)


@pytest.mark.parametrize("with_buttons", [False, True])
async def test_edit_html_sends_what_ptbs_edit_message_text_sends(
    app, api: OfflineBotApi, db, with_buttons: bool
) -> None:
    markup = _keyboards(db)[1] if with_buttons else None
    await app.bot.edit_html(READER_ID, 12, "<i>Page two</i>", markup=markup)
    await app.bot.edit_message_text("<i>Page two</i>", READER_ID, 12, reply_markup=markup)
    lean, ptb = api.sent("editMessageText")[-2:]
    assert lean == ptb


class _CountingLimiter(BaseRateLimiter[None]):
    def __init__(self) -> None:
        self.endpoints: list[str] = []

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def]
        self.endpoints.append(endpoint)
        return await callback(*args, **kwargs)


async def test_a_configured_rate_limiter_still_sees_every_page(api: OfflineBotApi) -> None:
    limiter = _CountingLimiter()
    bot = BackchannelBot(TEST_TOKEN, request=api, get_updates_request=api, rate_limiter=limiter)
    await bot.initialize()
    await bot.send_html(READER_ID, "<b>Status</b>")
    await bot.edit_html(READER_ID, 3, "<b>Status</b>")
    assert limiter.endpoints[-2:] == ["sendMessage", "editMessageText"]
    assert api.sent()[-1]["parse_mode"] == "HTML"
