"""Fairness: an unrelated reader's /status while others load the bot, against an idle bot.

Everything goes through the Application's update queue (the real concurrent update processor)
and the real chart worker pool; only Telegram is faked in-process. Two loads run at once:
(a) five readers each send 16 /timeline requests with different channels and day counts,
8 at once and then one a second (just within the default flood limits), and (b) one reader
sends a burst of messages whose every reply takes 3 s to reach Telegram (a slow link).
Meanwhile unrelated readers send /status, one every PROBE_GAP seconds, taking turns so each
stays within the flood limits too; their p99 is divided by the p99 of the same probes on the
idle bot.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import Application

import storage
from bench.figures import Section, Sizes, at_most, percentile
from bench.synthetic import add_history
from bot.app import build_application
from bot.charts.cache import CHARTS_KEY
from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import chat_dict, text_update, user_dict
from bot.config import Settings

TOKEN = "1:bench"
PROBES = range(100, 140)  # unrelated readers taking turns
SLOW = 200
TIMELINE_READERS = range(300, 305)
REQUESTS_EACH = 16
SLOW_REPLY_SECONDS = 3.0
SLOW_MESSAGES = 8
PROBE_GAP = 0.05
IDLE_PROBES = 200
BURST, RATE_GAP = 8, 1.05  # the default FLOOD_BURST, and a little over 1/FLOOD_RATE


@dataclass
class FairnessResult:
    """The probe's /status latency idle and under load, in milliseconds, and what the load got."""

    idle_p50_ms: float
    idle_p99_ms: float
    loaded_p50_ms: float
    loaded_p99_ms: float
    probes: int
    charts_requested: int
    photos_sent: int
    still_drawing: int
    charts_drawn: int
    slow_replies: int
    load_seconds: float

    @property
    def ratio(self) -> float:
        """Loaded p99 over idle p99: the figure the target is about."""
        return self.loaded_p99_ms / self.idle_p99_ms

    @property
    def correct(self) -> bool:
        """Every request answered (a chart or "still being drawn"), every slow reply sent."""
        answered = self.photos_sent + self.still_drawing
        return answered == self.charts_requested and self.slow_replies == SLOW_MESSAGES


class _LoadApi(OfflineBotApi):
    """The offline Bot API, slow for one chat, telling the probe when its answer arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Future[float]] = {}

    async def do_request(self, url: str, method: str, request_data: Any = None, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        params = request_data.parameters if request_data else {}
        chat = int(params.get("chat_id", 0))
        if chat == SLOW:
            await asyncio.sleep(SLOW_REPLY_SECONDS)
        answer = await super().do_request(url, method, request_data, *args, **kwargs)
        future = self.waiting.pop(chat, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())
        return answer

    def count(self, method: str, chats: set[int], text: str | None = None) -> int:
        return sum(
            1
            for call in self.calls
            if call.method == method
            and int(call.params.get("chat_id", 0)) in chats
            and (text is None or text in call.params.get("text", ""))
        )


async def _send(app: Application, user_id: int, text: str) -> None:
    user, chat = user_dict(user_id, f"Reader {user_id}"), chat_dict(user_id)
    await app.update_queue.put(text_update(app.bot, text, user=user, chat=chat))


async def _probe(app: Application, api: _LoadApi, reader: int, text: str = "/status") -> float:
    """One message from an unrelated reader; seconds until its answer reached Telegram."""
    answered = api.waiting[reader] = asyncio.get_running_loop().create_future()
    started = time.perf_counter()
    await _send(app, reader, text)
    return await answered - started


async def _probes(app: Application, api: _LoadApi, until: asyncio.Event | int) -> list[float]:
    samples: list[float] = []
    while (len(samples) < until) if isinstance(until, int) else not until.is_set():
        samples.append(await _probe(app, api, PROBES[len(samples) % len(PROBES)]))
        await asyncio.sleep(PROBE_GAP)
    return samples


async def _timeline_reader(app: Application, reader: int, slugs: list[str]) -> None:
    """16 /timeline requests, each a different channel or day count, within flood limits."""
    for number in range(REQUESTS_EACH):
        if number >= BURST:
            await asyncio.sleep(RATE_GAP)
        index = (reader - TIMELINE_READERS[0]) * REQUESTS_EACH + number
        days = 1 + index * 3649 // (len(TIMELINE_READERS) * REQUESTS_EACH)
        await _send(app, reader, f"/timeline {slugs[index % len(slugs)]} {days}")


async def _slow_reader(app: Application) -> None:
    for number in range(SLOW_MESSAGES):
        await _send(app, SLOW, "/history aid" if number % 2 else "/status")


async def run(workdir: Path, history_rows: int) -> FairnessResult:
    """Measure the probe idle, then under both loads at once."""
    path = workdir / "fairness.db"
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    add_history(db, history_rows)
    slugs = [channel.slug for channel in storage.list_channels(db)]
    api = _LoadApi()
    app = build_application(Settings(_env_file=None, database_path=path), db, token=TOKEN,
                            request=api)  # fmt: skip
    async with app:
        await app.start()
        # Start the chart workers and warm every code path before measuring anything.
        await _probe(app, api, SLOW + 1, "/timeline 7")
        await _probes(app, api, len(PROBES))
        idle = await _probes(app, api, IDLE_PROBES)
        done = asyncio.Event()
        started = time.perf_counter()
        probing = asyncio.create_task(_probes(app, api, done))
        await asyncio.gather(
            _slow_reader(app), *(_timeline_reader(app, r, slugs) for r in TIMELINE_READERS)
        )
        await app.update_queue.join()
        load_seconds = time.perf_counter() - started
        done.set()
        loaded = await probing
        readers = set(TIMELINE_READERS)
        result = FairnessResult(
            idle_p50_ms=statistics.median(idle) * 1e3,
            idle_p99_ms=percentile(idle, 0.99) * 1e3,
            loaded_p50_ms=statistics.median(loaded) * 1e3,
            loaded_p99_ms=percentile(loaded, 0.99) * 1e3,
            probes=len(loaded),
            charts_requested=len(readers) * REQUESTS_EACH,
            photos_sent=api.count("sendPhoto", readers),
            still_drawing=api.count("sendMessage", readers, "still being drawn"),
            charts_drawn=len({call.files["photo"].content for call in api.uploads("sendPhoto")}),
            slow_replies=api.count("sendMessage", {SLOW}),
            load_seconds=load_seconds,
        )
        await app.stop()
        app.bot_data[CHARTS_KEY].shutdown()
    db.close()
    return result


def bench(workdir: Path, sizes: Sizes) -> Section:
    """`make bench`'s fairness section: an unrelated reader's /status p99, loaded over idle."""
    rows = sizes.pick(200_000, 2_000)
    section = Section(
        "Fairness",
        f"{rows:,} history rows. An unrelated reader's `/status` p99 while five readers flood "
        "`/timeline` with distinct windows within the flood limits and one reader's every reply "
        "takes 3 s, divided by the same reader's p99 on an idle bot.",
    )
    for repetition in range(sizes.repeats):
        result = asyncio.run(run(workdir / f"fairness{repetition}", rows))
        section.check(result.correct, "a chart request or a slow reply went unanswered")
        section.figure("idle p99", " ms", 1).add(result.idle_p99_ms)
        section.figure("loaded p99", " ms", 1).add(result.loaded_p99_ms)
        section.figure("loaded p99 / idle p99", "x", 2, at_most(2.0)).add(result.ratio)
    return section
