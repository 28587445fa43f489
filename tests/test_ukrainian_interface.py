# ruff: noqa: RUF001  (Ukrainian words made only of letters that look Latin are meant)
"""The whole interface in Ukrainian: every command, button, error, digest, alert, chart label,
menu and console line a Ukrainian reader or admin meets, with no English word left over.

The walk goes through the real Application as a person whose Telegram app speaks Ukrainian
(language_code "uk"). Everything the bot shows is collected from the Bot API calls (messages,
edits, captions, button labels, button notices, inline results) and searched for Latin words.
Allowed are only names and things to type: /commands, links, @usernames, IANA zones, dates,
channel slugs and aliases, phase slugs, source grades and on/off (what admins type), the
product names below, what the person typed themselves, and data from the database (channel
titles, phase labels, summaries, source labels, names), which is not the catalog's to translate.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import time
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from telegram import Update

import storage
from bot.cli.console import run_console
from bot.cli.offline_api import BOT_USER
from bot.cli.update_factory import callback_update, chat_dict, text_update, user_dict
from bot.editing.validation import GRADES
from bot.jobs import scheduling
from bot.traffic.flood import FLOOD_KEY, FloodGuard
from digests import alerts, runner
from language.i18n import texts
from render import charts
from tests.chart_support import figures
from tests.conftest import ADMIN_ID, READER_ID
from tests.digest_support import FIRST_DUE, make_sender, set_status
from tests.html_check import telegram_html_problems

__all__ = ["figures"]  # a fixture

ENGLISH_READER = 601
CHANNEL_ID = -1001234567890
# Names that stay as they are in every language.
NAMES = {
    "Backchannel", "Telegram", "CSV", "JSON", "UTC", "IANA", "ADMIN_IDS", "English", "Ctrl",
    "D", "Enter", "KB", "RSS", "Atom", "XML", "GUID", "HTTP",
}  # fmt: skip
# Words people type as they are: command arguments (phase slugs, grades and slugs come from
# the database below).
TYPED = {"on", "off", "uk", "en", "all", "digest", "add", "pause", "resume", "remove", "unmatched",
         "notify"}  # fmt: skip
_TAG = re.compile(r"<[^>]+>")
_COMMAND_EXAMPLE = re.compile(r"<code>/[^<]*</code>")
_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
_SPANS = [
    re.compile(r"https?://\S*"),
    re.compile(r"\b[A-Z][A-Za-z]+/[A-Z][A-Za-z_]+\b"),  # IANA zones: Europe/Kyiv
    re.compile(r"\b\d{4}-\d\d-\d\d(?:T[\d:]+Z?)?"),  # ISO dates in examples and the audit log
    re.compile(r"\bbackchannel(?: [a-z-]+)+"),  # the operator's command line
    re.compile(r"(?:/[\w.-]+){2,}"),  # file paths (the console saves charts)
    re.compile(r"[\w-]+\.(?:png|csv|json)\b"),  # file names
    re.compile(r"(?<![\w/])/[a-z_]+(?:@\w+)?"),  # bot commands, lower case only
    re.compile(r"@\w+"),
    re.compile(r"--[a-z-]+"),  # console options
    re.compile(r"\b\d+(?:m|min|h)\b"),  # poll intervals as typed: 30m, 2h
]
_ids = itertools.count(50_000)


def data_strings(db, audit: bool = False) -> list[str]:
    """Text that comes from the database, longest first: shown as stored. Channel titles and
    phase labels count in Ukrainian only (each has one); a summary may be shown as written
    when nobody translated it (it is then marked); `audit`: /audit shows stored values."""
    found: set[str] = set()
    for channel in storage.list_channels(db, include_archived=True):
        found.add(channel.title_in("uk"))
    found |= {phase.label_in("uk") for phase in storage.phase_ladder(db).phases}
    for row in db.query(
        "SELECT summary, translation, source_label, actor_name FROM status_history"
    ):
        found |= {value for value in row.values() if value}
    for row in db.query("SELECT actor_name, old, new FROM audit_log"):
        found.add(row["actor_name"])
        for stored in (row["old"], row["new"]) if audit else ():
            values = json.loads(stored).values() if stored else []
            found |= {str(value) for value in values if isinstance(value, str)}
    for row in db.query("SELECT name, granted_by FROM admins"):
        found |= {value for value in row.values() if value}
    for row in db.query("SELECT title FROM publish_targets"):
        found.add(row["title"])
    # What feeds brought: their titles, items and (our own English) poll errors, all stored.
    for row in db.query("SELECT title, url, last_error, warnings FROM sources"):
        found |= {value for value in row.values() if value}
    for row in db.query("SELECT title, summary FROM source_items"):
        found |= {value for value in row.values() if value}
    return sorted(found, key=len, reverse=True)


def allowed_words(db) -> set[str]:
    words = set(NAMES) | TYPED | set(GRADES)
    for channel in storage.list_channels(db, include_archived=True):
        words |= set(channel.commands)
    words |= set(storage.phase_ladder(db).slugs())
    return words


def english_left(shown: str, db, typed: str = "") -> list[str]:
    """Latin words in `shown` (HTML or plain text) that are neither allowed nor data; `typed`
    is what the person sent (its words may be echoed, and /audit shows stored values)."""
    # An example of a command to type is a command, whatever words it holds.
    shown = _COMMAND_EXAMPLE.sub(" ", shown)
    plain = " ".join(unescape(_TAG.sub("", shown)).split())  # charts wrap long titles
    for value in data_strings(db, audit=typed.startswith("/audit")):
        value = " ".join(value.split())
        plain = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", " ", plain)
    for span in _SPANS:
        plain = span.sub(" ", plain)
    allowed = allowed_words(db) | set(_WORD.findall(typed))
    return [word for word in _WORD.findall(plain) if word not in allowed]


def _visible(params: dict[str, Any]) -> list[str]:
    """Every string of a Bot API call a person reads: text, caption, buttons, notices, cards."""
    found = [params[key] for key in ("text", "caption") if isinstance(params.get(key), str)]
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if isinstance(markup, dict):
        found += [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
    results = params.get("results")
    if isinstance(results, str):
        results = json.loads(results)
    for result in results or []:
        found += [result.get("title", ""), result.get("description", "")]
        found.append(result["input_message_content"]["message_text"])
        found += _visible({"reply_markup": result.get("reply_markup")})
    if isinstance(params.get("commands"), list) and params.get("language_code") == "uk":
        found += [command["description"] for command in params["commands"]]
    return found


@dataclass
class UkrainianChat:
    """A chat with someone whose Telegram speaks Ukrainian; remembers everything shown."""

    app: Any
    api: Any
    db: Any
    user_id: int = READER_ID
    chat_id: int = READER_ID
    first_name: str = "Оксана"

    def _user(self) -> dict[str, Any]:
        return user_dict(self.user_id, self.first_name, language_code="uk")

    def _shown(self, before: int) -> list[str]:
        calls = self.api.calls[before:]
        for call in calls:
            if call.method in {"sendMessage", "editMessageText"}:
                assert call.params.get("parse_mode", "HTML") == "HTML"
                assert telegram_html_problems(call.params["text"]) == [], call.params["text"]
        return [text for call in calls for text in _visible(call.params) if text]

    async def send(self, text: str) -> list[str]:
        before = len(self.api.calls)
        update = text_update(self.app.bot, text, user=self._user(), chat=chat_dict(self.chat_id))
        await self.app.process_update(update)
        return self._shown(before)

    async def press(self, data: str) -> list[str]:
        before = len(self.api.calls)
        message = {
            "message_id": 1, "date": int(time.time()), "chat": chat_dict(self.chat_id),
            "from": BOT_USER, "text": "…",
        }  # fmt: skip
        update = callback_update(self.app.bot, data, user=self._user(), message=message)
        await self.app.process_update(update)
        return self._shown(before)

    def buttons(self) -> list[str]:
        """Callback data of the latest keyboard the bot sent or edited in."""
        for call in reversed(self.api.calls):
            markup = call.params.get("reply_markup")
            if call.method in {"sendMessage", "editMessageText"} and isinstance(markup, dict):
                rows = markup["inline_keyboard"]
                return [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        return []

    async def walk(self, steps: list[str]) -> dict[str, list[str]]:
        """Send each step (a "button:<data>" step presses a button); every reply is checked."""
        problems: dict[str, list[str]] = {}
        for step in steps:
            if step.startswith("button:"):
                shown = await self.press(step.removeprefix("button:"))
                typed = ""
            else:
                shown = await self.send(step)
                typed = step
            assert shown, f"no answer to {step!r}"
            left = [word for text in shown for word in english_left(text, self.db, typed)]
            if left:
                problems[step] = left
        return problems


@pytest.fixture
def reader(app, api, db) -> UkrainianChat:
    return UkrainianChat(app, api, db)


@pytest.fixture
def admin(app, api, db) -> UkrainianChat:
    return UkrainianChat(app, api, db, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Олена")


def test_the_check_finds_english_and_lets_names_through(db) -> None:
    assert english_left("<b>Історія</b> · /history ceasefire", db) == []
    assert english_left("Стан від 1 січня 2025 · Backchannel · Europe/Kyiv", db) == []
    assert english_left("Пропозиції тактичного перемир'я: 🔎 Попереднє обговорення", db) == []
    assert english_left("Tactical ceasefire proposals", db) == ["Tactical", "proposals"]
    assert english_left("<code>/addchannel energy Energy truce</code>", db) == []
    assert english_left("<a href='https://x.org/a'>https://x.org/a</a> (ЗМІ)", db) == []
    assert english_left("📜 History", db) == ["History"]
    assert english_left("Стан · newest first", db) == ["newest", "first"]
    assert english_left("/History", db) == ["History"]


READER_STEPS = [
    "/start", "/help", "/status", "/channels", "/ceasefire", "/prisoners", "/history",
    "/history ceasefire", "/history ceasefire 3", "/history ceasefire 99", "/history nowhere",
    "/history a b c", "/search", "/search обмін", "/search exchanges", "/search жжжж",
    "/timeline", "/timeline aid 30", "/timeline nowhere", "/timeline aid forever",
    "/timeline a b c", "/timeline 1", "/mysubs", "/unsubscribe", "/digest", "/digesttime 07:30",
    "/quiet on", "/alerts", "/alerts maybe", "/alerts on", "/subscribe nowhere", "/subscribe",
    "/subscribe", "/mysubs", "/digesttime", "/digesttime 25:00", "/digesttime 07:30 Mars/Base",
    "/digesttime 07:30 Europe/Kiev", "/digesttime 07:30 Europe/Kyiv", "/quiet", "/quiet on",
    "/quiet off", "/digest", "/alerts on nowhere", "/alerts on ceasefire", "/alerts",
    "/alerts off", "/alerts off", "/unsubscribe nowhere", "/unsubscribe ceasefire",
    "/unsubscribe ceasefire", "/unsubscribe", "/unsubscribe", "/language", "/ceasfire",
    "/nonsense", "що з обміном полоненими?", "що змінилося за тиждень?", "зміни за 3 дні",
    "гуманітарна", "яка погода?", "коли був останній обмін?", "any news on prisoner swaps?",
    "/set", "/set ceasefire negotiating Опис", "/audit", "/export", "/undo",
    "button:nav:zzz", "button:garbage", "button:set:c:1", "button:nav:c:nowhere",
]  # fmt: skip


async def test_every_reader_command_and_error_is_in_ukrainian(reader: UkrainianChat) -> None:
    assert await reader.walk(READER_STEPS) == {}


async def test_every_button_is_in_ukrainian(reader: UkrainianChat, db) -> None:
    await reader.send("/status")
    channel_buttons = reader.buttons()
    assert channel_buttons
    problems = await reader.walk([f"button:{data}" for data in channel_buttons])
    await reader.send("/ceasefire")
    pressed: set[str] = set()
    # Every button of every page reachable from a channel, each pressed once.
    while waiting := [data for data in reader.buttons() if data not in pressed]:
        pressed.add(waiting[0])
        problems |= await reader.walk([f"button:{waiting[0]}"])
    assert {"nav:h:ceasefire", "nav:s:ceasefire", "nav:o", "nav:c:ceasefire"} <= pressed
    await reader.send("коли був останній обмін?")
    problems |= await reader.walk([f"button:{data}" for data in reader.buttons()])
    await reader.send("гуманітарна")
    problems |= await reader.walk([f"button:{data}" for data in reader.buttons()])
    problems |= await reader.walk(["/language", "button:lang:uk"])
    assert problems == {}
    shown = " ".join(await reader.send("/ceasefire"))
    assert "📜 Історія" in shown and "Підписатися" in shown and "(ЗМІ)" in shown


ADMIN_STEPS = [
    "/help", "/ceasefire", "/set", "button:set:c:{ceasefire}",
    "button:set:p:{ceasefire}:negotiating",
    "Сторони обговорюють великодню паузу https://example.org/report official",
    "Ще раз українською", "Sides discuss an Easter pause", "/undo", "/set",
    "button:set:c:{ceasefire}", "button:set:p:{ceasefire}:stalled", "Переговори зупинилися",
    "/skip", "/undo",
    "/set", "Привіт", "/cancel", "/set", "button:set:x", "button:set:p:{ceasefire}:stalled",
    "button:set:c:999999", "/cancel",
    "/set ceasefire negotiating Сторони погодили паузу https://example.org/x official",
    "/translate", "/translate nowhere Текст", "/translate ceasefire Ще українською",
    "/translate ceasefire The sides agreed a pause",
    "/note ceasefire Передано списки імен official", "/undo", "/undo", "/confirm ceasefire",
    "/confirm", "/confirm nowhere", "/set", "/note", "/note ceasefire",
    "/set nowhere negotiating Опис", "/set ceasefire bogus Опис",
    "/set ceasefire negotiating Опис ftp://example.org/x",
    "/set ceasefire negotiating Опис https://example.org/x offical",
    "/set ceasefire negotiating " + "д" * 501,
    "/addchannel energy Енергетичне перемир'я /grid /power", "/addchannel set Назва",
    "/addchannel Bad! Назва", "/addchannel energy2 " + "н" * 101, "/addchannel",
    "/renamechannel energy Енергетичне перемир'я взимку", "/renamechannel energy",
    "/renamechannel", "/archivechannel energy", "/archivechannel energy",
    "/restorechannel energy", "/restorechannel energy", "/archivechannel", "/admins",
    "/grant", "/grant 123 Тарас", "/grant 123", "/grant 124", "/revoke", "/revoke 123",
    "/revoke 123", f"/revoke {ADMIN_ID}", "/audit", "/audit 3", "/audit 0", "/cancel",
    "/publish", "/publish bad!", "/publish @nowhere", "/publish @desknews digest uk",
    "/publish off", "/publish off", "/export", "/timeline", "/digestnow",
]  # fmt: skip


async def test_every_admin_command_and_error_is_in_ukrainian(admin: UkrainianChat, api, db):
    api.chats["@desknews"] = {"id": CHANNEL_ID, "type": "channel", "title": "Desk news"}
    api.chats[CHANNEL_ID] = api.chats["@desknews"]
    api.chat_member_status[BOT_USER["id"]] = "administrator"
    ceasefire = storage.find_channel(db, "ceasefire").id
    steps = [step.replace("{ceasefire}", str(ceasefire)) for step in ADMIN_STEPS]
    assert await admin.walk(steps) == {}
    run = scheduling.service(admin.app).background
    assert run is not None
    before = len(api.calls)
    await run  # /digestnow reports back when the run is done
    (report,) = [c.params["text"] for c in api.calls[before:] if c.params["chat_id"] == ADMIN_ID]
    assert report.startswith("📣 Дайджест для всіх надіслано: доставлено: ")
    assert english_left(report, db) == []


async def test_a_refused_reader_and_a_flood_hear_it_in_ukrainian(app, api, reader) -> None:
    refused = await reader.send("/grant 7")
    assert refused == [texts("uk")("Sorry, only Backchannel admins can use that command, "
                                   "so nothing was changed. Readers can use /status, "
                                   "/channels and /help.")]  # fmt: skip
    assert refused[0].startswith("Вибачте, цю команду")
    app.bot_data[FLOOD_KEY] = FloodGuard(rate=0, burst=1)
    await reader.send("/status")
    (notice,) = await reader.send("/status")
    assert notice.startswith("Ви надсилаєте повідомлення швидше")


async def test_a_crash_is_apologised_for_in_ukrainian(reader, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(storage, "list_channels", broken)
    (sorry,) = await reader.send("/channels")
    assert sorry == "Вибачте, у мене щось пішло не так. Спробуйте, будь ласка, ще раз за хвилину."


async def test_digest_and_alert_go_out_in_each_chats_language(app, api, db, reader) -> None:
    english = UkrainianChat(app, api, db, user_id=ENGLISH_READER, chat_id=ENGLISH_READER)
    english._user = lambda: user_dict(ENGLISH_READER, "Reader")  # type: ignore[method-assign]
    await reader.send("/subscribe")
    await reader.send("/alerts on")
    await english.send("/subscribe")
    await english.send("/alerts on")
    languages = storage.languages_of(db, [READER_ID, ENGLISH_READER])
    assert languages == {READER_ID: "uk", ENGLISH_READER: "en"}
    set_status(db, "ceasefire", "negotiating", "Сторони обговорюють паузу")
    set_status(db, "aid", "partial_agreement", "Конвої йдуть", kind="note")
    sender = make_sender(app.bot)

    def sent_to(chat_id: int, since: int) -> list[str]:
        return [c.params["text"] for c in api.calls[since:] if c.params.get("chat_id") == chat_id]

    before = len(api.calls)
    report = await alerts.send_alerts(db, sender)
    assert report.sent == 2
    (alert,) = sent_to(READER_ID, before)
    assert alert.startswith("🔔 <b>Сповіщення Backchannel</b>: фаза змінилася")
    assert english_left(alert, db) == []
    assert sent_to(ENGLISH_READER, before)[0].startswith("🔔 <b>Backchannel alert</b>")
    before = len(api.calls)
    await runner.send_due(db, sender, now=FIRST_DUE)
    (digest,) = sent_to(READER_ID, before)
    assert digest.startswith("📰 <b>Дайджест Backchannel</b> · 25 листопада 2026")
    assert "2 зміни у 2 каналах, відколи ви підписалися" in digest
    assert "🔔 сповіщено о " in digest and "<b>Примітка</b>" in digest
    assert english_left(digest, db) == []
    (in_english,) = sent_to(ENGLISH_READER, before)
    assert in_english.startswith("📰 <b>Backchannel digest</b> · 25 Nov 2026")
    # A quiet day's note, in Ukrainian too.
    storage.set_quiet(db, READER_ID, False)
    before = len(api.calls)
    await runner.send_to_all(db, sender)
    assert (
        "Від останнього дайджесту у ваших каналах нічого нового." in sent_to(READER_ID, before)[0]
    )


async def test_the_command_menu_is_registered_in_both_languages(api, app) -> None:
    menus = api.sent("setMyCommands")
    by_language = {menu.get("language_code"): menu["commands"] for menu in menus}
    assert set(by_language) == {None, "uk"}
    assert menus[-1].get("language_code") is None  # the default list is the last word
    status_uk = next(c for c in by_language["uk"] if c["command"] == "status")
    assert status_uk["description"] == "Огляд усіх каналів: фаза, опис і свіжість даних"
    status_en = next(c for c in by_language[None] if c["command"] == "status")
    assert status_en["description"] == "Overview of every channel: phase, summary and freshness"


async def test_start_offers_the_language_buttons(reader) -> None:
    await reader.send("/start")
    assert reader.buttons() == ["lang:en", "lang:uk"]


async def test_the_inline_card_is_in_ukrainian(app, api, db) -> None:
    user = {"id": READER_ID, "is_bot": False, "first_name": "Оксана", "language_code": "uk"}
    update = Update.de_json(
        {
            "update_id": next(_ids),
            "inline_query": {"id": str(next(_ids)), "from": user, "query": "", "offset": ""},
        },
        app.bot,
    )
    before = len(api.calls)
    await app.process_update(update)
    shown = [text for call in api.calls[before:] for text in _visible(call.params)]
    assert len(shown) > 6 and [w for text in shown for w in english_left(text, db)] == []


async def test_chart_labels_are_in_ukrainian(figures, reader, db) -> None:
    set_status(db, "aid", "negotiating", "Конвої рушили", kind="note")
    for step in ["/timeline", "/timeline aid 30", "/timeline ceasefire 400"]:
        (caption,) = await reader.send(step)
        assert english_left(caption, db) == []
    window = charts.Window(FIRST_DUE.replace(day=1), FIRST_DUE, FIRST_DUE.tzinfo)
    charts.render_channel(charts.Series("Порожньо", None, ()), storage.phase_ladder(db), window,
                          texts("uk"))  # fmt: skip
    # Every text object, shown or not, of every figure saved as a PNG (so drawn: the tick
    # labels exist).
    drawn = [
        artist.get_text()
        for figure in figures
        for artist in figure.findobj(lambda artist: hasattr(artist, "get_text"))
    ]
    words = " · ".join(text for text in drawn if text.strip())
    for label in ["фаза", "примітка", "сьогодні", "останні 30 днів", "уся історія",
                  "За цей період нічого не записано"]:  # fmt: skip
        assert label in words
    assert re.search(r"\b(лист|груд|січ)\.", words)  # month names from Babel
    assert english_left(words, db) == []


# The console draws /timeline in the bot's own chart pool: worker processes.
@pytest.mark.subprocess
async def test_console_speaks_ukrainian(settings, db) -> None:
    out = io.StringIO()
    script = "/ceasefire\n[Історія]\n[Нема такої]\n42\n/timeline aid 30\n/language\n"
    await run_console(settings, db, stdin=io.StringIO(script), stdout=out, language="uk")
    transcript = out.getvalue()
    assert transcript.startswith("Консоль Backchannel: локальний чат із ботом, без Telegram.")
    assert "console> Під останнім повідомленням немає кнопки 42." in transcript
    assert "bot (змінено)> Історія: Пропозиції тактичного перемир" in transcript
    assert "[фото: timeline-aid.png, " in transcript
    own = "\n".join(
        re.sub(r"^(bot|console)\b", "", line)
        for line in transcript.splitlines()
        if not line.startswith("you> ")
    )
    assert english_left(own, db) == []
