"""Command latency: reader commands through the real Application vs a bare PTB echo bot.

Both run in the same process, on the same in-process fake Bot API, so the ratio shows what
Backchannel adds on top of python-telegram-bot itself.
"""

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, ContextTypes

import storage
from bench.synthetic import add_history, add_subscribers
from bot.app import build_application
from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import chat_dict, text_update, user_dict
from bot.config import Settings

TOKEN = "1:bench"
COMMANDS = ["/status", "/ceasefire", "/history exchanges", "any news on prisoner swaps?"]


@dataclass
class LatencyResult:
    """p50/p99 in milliseconds for one command, and its p50 ratios to the two floors.

    `ratio` is against the bare echo bot (the issue's target); `payload_ratio` is against a
    bare PTB bot that sends the very same reply (text and buttons) with no logic at all, which
    separates what Backchannel's own code costs from what PTB spends on a bigger message.
    """

    command: str
    p50_ms: float
    p99_ms: float
    ratio: float
    payload_ratio: float = 1.0


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def measure_command(application: Application, text: str, runs: int) -> list[float]:
    """Seconds each of `runs` identical updates took through process_update."""
    user, chat = user_dict(10, "Bench"), chat_dict(10)
    updates = [text_update(application.bot, text, user=user, chat=chat) for _ in range(runs)]
    samples = []
    for update in updates:
        started = time.perf_counter()
        await application.process_update(update)
        samples.append(time.perf_counter() - started)
    return samples


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "")


def _replay(sent: dict) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """A handler that sends exactly what Backchannel sent, without computing anything."""
    markup = sent.get("reply_markup")
    keyboard = InlineKeyboardMarkup.de_json(markup, None) if markup else None

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(sent["text"], parse_mode="HTML", reply_markup=keyboard)

    return replay


async def run(
    workdir: Path, history_rows: int, subscribers: int, per_command: int
) -> list[LatencyResult]:
    """Measure every reader command and the echo floor; `per_command` updates each."""
    db = storage.open_database(workdir / "latency.db")
    storage.seed_if_empty(db)
    add_history(db, history_rows)
    add_subscribers(db, subscribers, due_at=datetime.now(UTC) + timedelta(days=1), window=10)
    settings = Settings(_env_file=None, database_path=workdir / "latency.db", flood_burst=10**9)
    api = OfflineBotApi()
    ours = build_application(settings, db, token=TOKEN, request=api)
    floor = Application.builder().token(TOKEN).request(OfflineBotApi()).build()
    floor.add_handler(CommandHandler("echo", _echo))
    results: list[LatencyResult] = []
    async with ours, floor:
        for index, command in enumerate(COMMANDS):
            await measure_command(ours, command, 200)
            reply = api.sent()[-1]
            _check_reply(command, reply["text"])
            floor.add_handler(CommandHandler(f"same{index}", _replay(reply)))
        await measure_command(floor, "/echo warm-up", 200)
        # Interleave floor and command rounds so drift in machine speed hits both alike.
        floor_samples: list[float] = []
        command_samples: dict[str, list[float]] = {command: [] for command in COMMANDS}
        same_samples: dict[str, list[float]] = {command: [] for command in COMMANDS}
        rounds = 10
        for _ in range(rounds):
            floor_samples += await measure_command(floor, "/echo hello", per_command // rounds)
            for index, command in enumerate(COMMANDS):
                command_samples[command] += await measure_command(
                    ours, command, per_command // rounds
                )
                same_samples[command] += await measure_command(
                    floor, f"/same{index}", per_command // rounds
                )
    db.close()
    floor_p50 = statistics.median(floor_samples)
    results.append(
        LatencyResult(
            "floor: bare PTB echo", floor_p50 * 1e3, _percentile(floor_samples, 0.99) * 1e3, 1.0
        )
    )
    for command, samples in command_samples.items():
        p50 = statistics.median(samples)
        same = statistics.median(same_samples[command])
        results.append(
            LatencyResult(
                command, p50 * 1e3, _percentile(samples, 0.99) * 1e3, p50 / floor_p50, p50 / same
            )
        )
    return results


# What each command's reply must contain, so a fast wrong answer fails the benchmark.
EXPECTED = {
    "/status": "Leader-level summit",
    "/ceasefire": "Tactical ceasefire proposals",
    "/history exchanges": "History: Detainee swaps and prisoner releases",
    "any news on prisoner swaps?": "Detainee swaps and prisoner releases",
}


def _check_reply(command: str, text: str) -> None:
    if EXPECTED[command] not in text:
        raise SystemExit(f"latency benchmark: wrong reply to {command!r}: {text[:200]!r}")
