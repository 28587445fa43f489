"""/timeline through the real Application: pictures, bad arguments, caching, off-loop rendering."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from matplotlib.figure import Figure

import bot.charts.cache
import bot.charts.drawing
import storage
from bot.charts.cache import ChartDrawer, channel_request, draw_now
from bot.cli.offline_api import OfflineBotApi
from language.i18n import texts
from storage.models import Actor
from tests.chart_support import figures, png_size, shown_texts
from tests.conftest import GROUP_ID, Chat

__all__ = ["figures"]  # a fixture

EDITOR = Actor(id=900, name="Editor")


def record(db, slug: str, phase: str, kind: str = "status") -> storage.StatusEntry:
    channel = storage.find_channel(db, slug)
    return storage.record_status(
        db, channel_id=channel.id, kind=kind, phase=phase, summary="moved", actor=EDITOR
    )


async def photos_for(chat: Chat, text: str) -> list[tuple[dict, bytes]]:
    """Send `text`; return (params, PNG bytes) of each photo the bot sent, and no texts."""
    before = len(chat.api.calls)
    assert await chat.send(text) == []
    sent = [call for call in chat.api.calls[before:] if call.method == "sendPhoto"]
    assert all(call.params["chat_id"] == chat.chat_id for call in sent)
    return [(call.params, call.files["photo"].content) for call in sent]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count chart renderings, and remember which thread each ran on."""
    threads: list[int] = []
    for name in ("render_channel", "render_overview"):
        original = getattr(bot.charts.drawing, name)

        def counting(*args, _original=original):
            threads.append(threading.get_ident())
            return _original(*args)

        monkeypatch.setattr(bot.charts.drawing, name, counting)
    return threads


@pytest.mark.parametrize(
    ("command", "caption", "height"),
    [
        ("/timeline ceasefire 30", "<b>Tactical ceasefire proposals</b>, last 30 days", 896),
        ("/timeline prisoners", "<b>Detainee swaps and prisoner releases</b>, last 90 days", 896),
        (
            "/timeline CEASEFIRE 1",
            "<b>Tactical ceasefire proposals</b>, last 7 days\n<i>The nearest chart to the 1 day "
            "you asked for: charts show the last 7, 30, 90 or 365 days, or all history.</i>",
            896,
        ),
        ("/timeline", "<b>All channels</b>, last 90 days\nOne channel", 1000),
        ("/timeline 3650", "<b>All channels</b>, all history\n<i>The nearest", 1000),
    ],
)
async def test_timeline_sends_a_chart(any_chat: Chat, command, caption, height) -> None:
    ((params, png),) = await photos_for(any_chat, command)
    assert params["caption"].startswith(caption)
    assert params["parse_mode"] == "HTML"
    assert png_size(png) == (1080, height)


async def test_timeline_in_a_group_quotes_and_takes_the_bot_name(app, api: OfflineBotApi) -> None:
    chat = Chat(app, api, chat_id=GROUP_ID, chat_type="supergroup")
    ((params, _),) = await photos_for(chat, "/timeline@BackchannelBot aid")
    assert "reply_parameters" in params
    assert await chat.send("/timeline@OtherBot aid") == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/timeline ceasfire", "Did you mean <code>/timeline ceasefire</code>?"),
        ("/timeline zzzzzz 5", "There is no channel called “zzzzzz”."),
        ("/timeline aid 0", "“0” is not a number of days."),
        ("/timeline aid 3651", "“3651” is not a number of days."),
        ("/timeline aid five", "“five” is not a number of days."),
        ("/timeline -3", "“-3” is not a number of days."),
        ("/timeline aid 30 more", "Send <code>/timeline</code> for every channel"),
    ],
)
async def test_bad_arguments_explain_what_to_type(any_chat: Chat, command, expected) -> None:
    replies = await any_chat.send(command)
    assert len(replies) == 1 and expected in replies[0]
    assert "<code>/timeline ceasefire 30</code>" in replies[0]
    assert any_chat.api.sent("sendPhoto") == []


async def test_chart_is_cached_until_the_channel_changes(
    db, private_chat: Chat, renders: list[int], frozen_time
) -> None:
    ((_, first),) = await photos_for(private_chat, "/timeline ceasefire 30")
    ((_, again),) = await photos_for(private_chat, "/timeline ceasefire 30")
    assert again == first and len(renders) == 1
    record(db, "aid", "negotiating")  # another channel: this chart is still current
    await photos_for(private_chat, "/timeline ceasefire 30")
    assert len(renders) == 1
    record(db, "ceasefire", "negotiating", kind="note")
    ((_, with_note),) = await photos_for(private_chat, "/timeline ceasefire 30")
    assert len(renders) == 2 and with_note != first
    await photos_for(private_chat, "/timeline ceasefire 31")
    assert len(renders) == 3
    frozen_time.shift(86400)  # "today" moved
    await photos_for(private_chat, "/timeline ceasefire 30")
    assert len(renders) == 4


async def test_overview_is_cached_until_any_channel_changes(
    db, private_chat: Chat, renders: list[int]
) -> None:
    ((_, first),) = await photos_for(private_chat, "/timeline")
    ((_, again),) = await photos_for(private_chat, "/timeline")
    assert again == first and len(renders) == 1
    record(db, "corridors", "stalled")
    ((_, changed),) = await photos_for(private_chat, "/timeline")
    assert len(renders) == 2 and changed != first


async def test_rendering_runs_off_the_event_loop(private_chat: Chat, renders: list[int]) -> None:
    await photos_for(private_chat, "/timeline aid")
    assert renders and renders[0] != threading.get_ident()


async def test_timeline_is_listed_for_readers(private_chat: Chat, api: OfflineBotApi) -> None:
    assert "/timeline: Chart of a channel&#x27;s phase over time" in await private_chat.ask("/help")
    (menu,) = [m for m in api.sent("setMyCommands") if "language_code" not in m]
    assert "timeline" in [command["command"] for command in menu["commands"]]


async def test_storage_window_queries(db, frozen_time) -> None:
    channel = storage.find_channel(db, "aid")
    now = datetime.now(UTC)
    record(db, "aid", "negotiating")
    note = record(db, "aid", "stalled", kind="note")
    assert storage.latest_entry_id(db, channel.id) == storage.latest_entry_id(db) == note.id
    assert storage.latest_entry_id(db, storage.find_channel(db, "summit").id) < note.id
    since = now - timedelta(days=1)
    assert [e.kind for e in storage.history_since(db, channel.id, since)] == ["status", "note"]
    assert storage.status_at(db, channel.id, since).phase == "partial_agreement"
    frozen_time.shift(60)
    assert storage.status_at(db, channel.id, datetime.now(UTC)).phase == "negotiating"
    assert storage.status_at(db, channel.id, datetime(2024, 1, 1, tzinfo=UTC)) is None


async def test_overview_says_when_channels_were_left_out(private_chat: Chat, monkeypatch) -> None:
    monkeypatch.setattr(bot.charts.cache, "MAX_ROWS", 4)
    ((params, png),) = await photos_for(private_chat, "/timeline")
    assert "Showing the first 4 of 6 channels." in params["caption"]
    assert png_size(png) == (1080, 820)


@pytest.mark.subprocess
async def test_charts_are_drawn_in_worker_processes(db, frozen_time) -> None:
    """The bot's own pool: the job crosses to another process, which reads the database."""
    drawer = ChartDrawer()  # no executor given: worker processes
    aid = storage.find_channel(db, "aid")
    request = channel_request(db, aid, days=None, now=datetime.now(UTC), zone=ZoneInfo("UTC"))
    try:
        png = await drawer.draw(request)
    finally:
        drawer.shutdown()
    assert png_size(png) == (1080, 938)  # the channel's first entry is listed under it
    assert drawer.cached(request) == png


async def test_the_worker_pool_starts_off_the_event_loop(db, frozen_time, monkeypatch) -> None:
    """A fresh pool's fork server imports matplotlib (about 1.3 s): started on the event loop
    by the first /timeline, it froze every reader's reply for that long. Two readers asking at
    once start one pool, in another thread."""
    started_in: list[threading.Thread] = []

    def pool() -> ThreadPoolExecutor:
        started_in.append(threading.current_thread())
        return ThreadPoolExecutor(1)

    monkeypatch.setattr(bot.charts.cache, "started_pool", pool)
    drawer = ChartDrawer()
    aid = storage.find_channel(db, "aid")
    now, zone = datetime.now(UTC), ZoneInfo("UTC")
    week, month = (channel_request(db, aid, days=d, now=now, zone=zone) for d in (7, 30))
    try:
        pictures = await asyncio.gather(drawer.draw(week), drawer.draw(month))
    finally:
        drawer.shutdown()
    assert [png_size(png)[0] for png in pictures] == [1080, 1080]
    assert len(started_in) == 1 and started_in[0] is not threading.current_thread()


def test_an_in_memory_database_is_read_before_drawing(frozen_time) -> None:
    """A worker cannot open an in-memory database, so its data travels with the job."""
    memory = storage.open_database(":memory:")
    storage.seed_if_empty(memory)
    aid = storage.find_channel(memory, "aid")
    request = channel_request(memory, aid, days=7, now=datetime.now(UTC), zone=UTC)
    assert request.job.database is None and len(request.job.series or ()) == 1
    assert png_size(draw_now(request)) == (1080, 896)


async def test_a_shared_chart_says_what_changed_when_and_whose_it_is(
    db, private_chat: Chat, figures: list[Figure], settings, frozen_time
) -> None:
    record(db, "aid", "negotiating")
    ((_, png),) = await photos_for(private_chat, "/timeline aid 30")
    assert png_size(png) == (1080, 938)  # the chart and one listed change under it
    shown = [text.get_text() for text in shown_texts(figures[-1])]
    today = texts("en").date(datetime.now(UTC), settings.zone)
    assert f"1 · {today} · moved" in shown
    assert "1" in [bubble.get_text() for bubble in figures[-1].axes[0].texts]
    assert (
        f"Backchannel · as of {today} · source grades:\n"
        "● official   ■ mediator   ○ media   ◌ unconfirmed"
    ) in shown


async def test_the_overview_is_one_panel_of_every_channel(
    db, private_chat: Chat, figures: list[Figure]
) -> None:
    ((_, png),) = await photos_for(private_chat, "/timeline")
    assert png_size(png) == (1080, 1000)
    (panel,) = figures[-1].axes
    rows = [label.get_text().replace("\n", " ") for label in panel.get_yticklabels()]
    titles = [channel.title for channel in storage.list_channels(db)]
    assert len(rows) == len(titles) == 6
    for row, title in zip(rows, titles, strict=True):
        assert title.startswith(row.rstrip("…"))
    assert "All channels" in [text.get_text() for text in shown_texts(figures[-1])]
