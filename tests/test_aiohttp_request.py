"""The aiohttp HTTP layer (bot/aiohttp_request.py) against a Bot API server on 127.0.0.1.

It must send what PTB's own httpx layer sends, to the configured base URL, and fail the way
PTB expects (TimedOut, NetworkError, Telegram's 429 as RetryAfter), so nothing above it can
tell the two apart.
"""

import threading

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.aiohttp_request import AiohttpRequest
from bot.app import build_bot
from bot.cli.offline_api import UploadedFile
from bot.config import Settings
from tests.bot_api_emulator import DROP, BotApiEmulator, Faults

TOKEN = "515151:aiohttp-test-token"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("📜 History", callback_data="nav:h:aid")]])
TEXT = "<b>Aid &amp; corridors</b> · 24 Nov: talks resume — «Київ» 🤝"


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, bot_api_base_url=url, database_path=":memory:")


async def _send_with(url: str, request) -> None:
    bot = build_bot(_settings(url), TOKEN, request)
    async with bot:
        await bot.send_html(77, TEXT, markup=KEYBOARD, reply_to=5)
        await bot.send_message(77, "plain", disable_notification=True)


async def test_the_bot_sends_through_aiohttp_by_default_to_the_configured_base_url() -> None:
    with BotApiEmulator() as server:
        bot = build_bot(_settings(server.url), TOKEN)
        assert isinstance(bot.request, AiohttpRequest)
        async with bot:
            await bot.send_html(77, TEXT)
        (sent,) = server.of("sendMessage")
    assert {call.token for call in server.calls} == {TOKEN}
    assert sent.params["chat_id"] == 77 and sent.params["text"] == TEXT


async def test_requests_are_the_same_as_through_ptbs_httpx_layer() -> None:
    with BotApiEmulator() as server:
        await _send_with(server.url, HTTPXRequest())
        await _send_with(server.url, AiohttpRequest())
        calls = [(call.method, call.params) for call in server.calls]
    half = len(calls) // 2
    assert calls[:half] == calls[half:]
    sent = [params for method, params in calls[half:] if method == "sendMessage"]
    assert sent[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "📜 History", "callback_data": "nav:h:aid"}]]
    }
    assert sent[0]["reply_parameters"] == {"message_id": 5} and sent[0]["text"] == TEXT
    assert sent[1]["disable_notification"] is True


async def test_files_are_uploaded_as_multipart() -> None:
    with BotApiEmulator() as server:
        bot = build_bot(_settings(server.url), TOKEN)
        async with bot:
            await bot.send_document(77, b"channel,phase\naid,talks\n", filename="history.csv",
                                    caption="<b>Export</b> & more")  # fmt: skip
        (call,) = server.of("sendDocument")
    document = call.params["document"]
    assert isinstance(document, UploadedFile) and document.filename == "history.csv"
    assert document.content == b"channel,phase\naid,talks\n"
    assert call.params["caption"] == "<b>Export</b> & more" and call.params["chat_id"] == 77


async def test_telegrams_429_reaches_ptb_as_retry_after() -> None:
    with BotApiEmulator(Faults(rate_limit=1)) as server:
        bot = build_bot(_settings(server.url), TOKEN)
        async with bot:
            await bot.send_html(77, "first")
            with pytest.raises(RetryAfter):
                await bot.send_html(77, "second, within the same second")
    assert server.rejected_429 == 1


async def test_an_answer_later_than_the_read_timeout_is_timed_out() -> None:
    with BotApiEmulator() as server:
        server.gates["sendMessage"] = gate = threading.Event()
        # aiohttp bounds the wait for an answer by the larger of the read and write time-outs:
        # both short, or the default 5 s write time-out is what the test waits for.
        request = AiohttpRequest(read_timeout=0.2, write_timeout=0.2)
        bot = build_bot(_settings(server.url), TOKEN, request)
        try:
            async with bot:
                with pytest.raises(TimedOut):
                    await bot.send_html(77, "slow")
        finally:
            gate.set()


class _Dropping(BotApiEmulator):
    def answer(self, token, method, params):
        if method == "sendMessage":
            return DROP, None
        return super().answer(token, method, params)


async def test_a_dropped_connection_is_a_network_error() -> None:
    with _Dropping() as server:
        bot = build_bot(_settings(server.url), TOKEN)
        async with bot:
            with pytest.raises(NetworkError) as raised:
                await bot.send_html(77, "dropped")
    assert not isinstance(raised.value, TimedOut)


async def test_requests_before_initialize_or_after_shutdown_are_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")


def test_the_fake_telegram_answers_429_above_its_limit_in_any_one_second_window() -> None:
    server = BotApiEmulator(Faults(rate_limit=3))
    now = [100.0]
    server.clock = lambda: now[0]
    send = lambda: server.answer(TOKEN, "sendMessage", {"chat_id": 1, "text": "x"})[0]  # noqa: E731
    assert [send(), send(), send()] == [200, 200, 200]
    assert send() == 429
    now[0] += 0.999  # still within a second of the first three
    assert send() == 429
    now[0] += 0.002
    assert [send(), send(), send(), send()] == [200, 200, 200, 429]
    assert server.rejected_429 == 3 and len(server.delivered) == 6
    server.server.server_close()


class _Rejecting(BotApiEmulator):
    def answer(self, token, method, params):
        if method == "getMe":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return super().answer(token, method, params)


async def test_a_bot_that_fails_to_start_leaves_no_session_open() -> None:
    # Nothing shuts down a bot whose start-up failed; aiohttp would complain on stderr.
    request = AiohttpRequest()
    with _Rejecting() as server:
        bot = build_bot(_settings(server.url), TOKEN, request)
        with pytest.raises(InvalidToken):
            await bot.initialize()
    assert request._session is None
