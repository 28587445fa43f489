"""Command latency, cold and warm, against a bare python-telegram-bot echo in the same run.

Both bots get the same JSON updates through the same path PTB takes for an update from
Telegram (`Update.de_json`, the update processor, `process_update`) on the same in-process
fake Bot API, one sample of each in turn, so drift in machine speed hits both alike.

Cold: an admin's status change (`storage.record_status`, the real write, through the bot's
own connection) comes before every sample, of the echo too. A write moves the data version,
so every sample misses the reply cache: the reply is rendered from the database, as the first
reader after every change gets it. The `storage.memo` memos (channel list, ladder, admins,
languages) hold, as they do after a real status change, which touches none of their tables.
Warm: the same without writes, so every sample after the first is a cache hit.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

import storage
from bench.figures import Section, Sizes, at_most, percentile
from bench.synthetic import add_history, add_subscribers
from bot.app import build_application
from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import chat_dict, text_message_json, user_dict
from bot.config import Settings
from bot.runtime.heap import freeze_startup_heap
from storage.models import Actor

TOKEN = "1:bench"
ECHO = "/echo hello"
QUESTION = "any news on prisoner swaps?"
# Each command with its cold p50 target (ratio to the echo's p50) and what its reply must
# contain, so a fast wrong answer fails the benchmark.
COMMANDS: dict[str, tuple[float, str]] = {
    "/status": (1.5, "Leader-level summit"),
    "/ceasefire": (1.5, "Tactical ceasefire proposals"),
    QUESTION: (1.5, "Detainee swaps and prisoner releases"),
    "/history exchanges": (2.0, "History: Detainee swaps and prisoner releases"),
}
P99_TARGET = 3.0
WARM_TARGET = 1.0
READER = 10


def update_json(text: str, chat_id: int = READER) -> dict[str, Any]:
    """A private message as Telegram sends it, with a bot_command entity for a command."""
    return text_message_json(text, user=user_dict(chat_id, "Bench"), chat=chat_dict(chat_id))


async def dispatch(application: Application, data: dict[str, Any]) -> None:
    """Handle one update the way `Application` handles one fetched from Telegram."""
    update = Update.de_json(data, application.bot)
    processor = application.update_processor
    if processor.max_concurrent_updates > 1:
        await processor.process_update(update, application.process_update(update))
    else:
        await application.process_update(update)


async def measure_command(application: Application, text: str, runs: int) -> list[float]:
    """Seconds each of `runs` identical updates took (no writes in between)."""
    return (await _round([(text, application)], runs, None))[text]


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "")


class Writer:
    """An admin recording status changes on random channels, as the bot itself writes them."""

    def __init__(self, db: Database, seed: int = 11) -> None:
        self.db, self.rng = db, random.Random(seed)
        self.channels = [channel.id for channel in storage.list_channels(db)]
        self.phases = storage.phase_ladder(db).slugs()
        self.actor = Actor(id=1, name="bench")
        self.count = 0
        self.last_summary = ""

    def write(self) -> None:
        """One status change, committed."""
        self.count += 1
        self.last_summary = f"Bench write {self.count} on the corridor talks"
        storage.record_status(
            self.db,
            channel_id=self.rng.choice(self.channels),
            kind="status",
            phase=self.rng.choice(self.phases),
            summary=self.last_summary,
            actor=self.actor,
            source_url="https://example.org/bench",
        )


async def _round(
    subjects: list[tuple[str, Application]], per: int, before: Callable[[], object] | None
) -> dict[str, list[float]]:
    """`per` samples of each subject, one of each in turn, `before()` run before every one."""
    samples: dict[str, list[float]] = {text: [] for text, _ in subjects}
    for _ in range(per):
        for text, application in subjects:
            if before is not None:
                before()
            data = update_json(text)
            started = time.perf_counter()
            await dispatch(application, data)
            samples[text].append(time.perf_counter() - started)
    return samples


def bench(workdir: Path, sizes: Sizes) -> Section:
    """Cold and warm ratios to the echo for every command (see the module docstring)."""
    return asyncio.run(_bench(workdir, sizes))


async def _bench(workdir: Path, sizes: Sizes) -> Section:
    rows, subscribers = sizes.pick(1_000_000, 10_000), sizes.pick(100_000, 1_000)
    per = sizes.pick(1_000, 30)
    section = Section(
        "Command latency",
        f"{rows:,} history rows, {subscribers:,} subscribers; {per:,} samples per command per "
        "repetition, interleaved one by one with a bare python-telegram-bot echo bot on the "
        "same in-process fake Bot API. Cold: a status change is written (and committed) before "
        "every sample, so every reply misses the reply cache and is rendered from the database "
        "(memos of tables the change did not touch hold); warm: no writes, every reply a "
        "cache hit. Ratios are to the echo's p50 (p99) of the same round.",
    )
    path = workdir / "latency.db"
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    add_history(db, rows)
    add_subscribers(db, subscribers, due_at=datetime.now(UTC) + timedelta(days=1), window=10)
    settings = Settings(_env_file=None, database_path=path, flood_burst=10**9)
    api = OfflineBotApi()
    ours = build_application(settings, db, token=TOKEN, request=api)
    floor = Application.builder().token(TOKEN).request(OfflineBotApi()).build()
    floor.add_handler(CommandHandler("echo", _echo))
    writer = Writer(db)
    subjects = [(ECHO, floor), *((command, ours) for command in COMMANDS)]
    # As `backchannel run` does once the bot is built (bot/runtime/heap.py): without it, full
    # collections walk every object of start-up and of the data built above, in the middle
    # of whichever sample (the echo's or ours) happens to set one off.
    freeze_startup_heap()
    async with ours, floor:
        for command, (_, expected) in COMMANDS.items():
            await measure_command(ours, command, 20)
            text = api.sent()[-1]["text"]
            section.check(expected in text, f"wrong reply to {command!r}: {text[:120]!r}")
        await measure_command(floor, ECHO, 20)
        for _ in range(sizes.repeats):
            cold = await _round(subjects, per, writer.write)
            _check_fresh(section, api, writer)
            warm = await _round(subjects, per, None)
            _add(section, cold, warm)
    db.close()
    section.notes.append(f"{writer.count:,} status changes were written during the cold rounds.")
    return section


def _check_fresh(section: Section, api: OfflineBotApi, writer: Writer) -> None:
    # The last cold sample was /history after a write; the one before it was the question,
    # and before that /ceasefire and /status: /status lists every channel, so the reply it
    # sent last must show a change written just before it, or it was not a cache miss.
    statuses = [call for call in api.sent() if "where the talks stand" in call["text"]]
    latest = statuses[-1]["text"] if statuses else ""
    written = f"Bench write {writer.count - 3} "
    section.check(written in latest, "a cold /status reply did not show the change before it")


def _add(section: Section, cold: dict[str, list[float]], warm: dict[str, list[float]]) -> None:
    echo_cold, echo_warm = statistics.median(cold[ECHO]), statistics.median(warm[ECHO])
    echo_p99 = percentile(cold[ECHO], 0.99)
    section.figure("echo p50, cold round", " ms", 3).add(echo_cold * 1e3)
    section.figure("echo p99, cold round", " ms", 3).add(echo_p99 * 1e3)
    section.figure("echo p50, warm round", " ms", 3).add(echo_warm * 1e3)
    for command, (target, _) in COMMANDS.items():
        name = f"`{command}`"
        p50, p99 = statistics.median(cold[command]), percentile(cold[command], 0.99)
        section.figure(f"{name} cold p50", " ms", 3).add(p50 * 1e3)
        section.figure(f"{name} cold p50 / echo p50", "x", 2, at_most(target)).add(p50 / echo_cold)
        section.figure(f"{name} cold p99 / echo p99", "x", 2, at_most(P99_TARGET)).add(
            p99 / echo_p99
        )
        warm_p50 = statistics.median(warm[command])
        section.figure(f"{name} warm p50 / echo p50", "x", 2, at_most(WARM_TARGET)).add(
            warm_p50 / echo_warm
        )
