"""Digests: building every due digest, delivering them against a rate-limited fake Telegram,
and memory as subscribers grow."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.request import HTTPXRequest

import storage
from bench.synthetic import add_history, add_subscribers
from bench.telegram_process import TelegramProcess
from bot.app import build_bot
from bot.cli.offline_api import OfflineBotApi
from bot.config import Settings
from bot.jobs.outbox import TelegramOutbox
from digests.runner import build_due, send_due
from digests.sender import DigestSender, RateLimits

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TOKEN = "1:bench"


@dataclass
class BuildResult:
    """Building every due digest without sending."""

    subscribers: int
    seconds: float
    distinct: int
    peak_mib: float


@dataclass
class DeliveryResult:
    """Delivering digests through a rate-limited fake Bot API over HTTP."""

    digests: int
    limit: int
    seconds: float
    rejected_429: int
    lost: int
    duplicated: int

    @property
    def rate_ratio(self) -> float:
        """Achieved messages per second divided by the limit (target at least 0.9)."""
        return self.digests / self.seconds / self.limit


class NullBotApi(OfflineBotApi):
    """The in-process fake Bot API without its call log, so memory measures the bot alone."""

    def on_call(self, method: str, params: dict[str, object]) -> None:
        """Forget the call as soon as it is answered."""
        self.calls.clear()


def prepare(
    path: Path, subscribers: int, window: int, history_rows: int = 10_000, quiet_share: float = 0.5
) -> None:
    """A database with history and `subscribers` due at NOW, `window` changes behind."""
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    add_history(db, history_rows)
    add_subscribers(
        db, subscribers, due_at=NOW - timedelta(minutes=1), window=window, quiet_share=quiet_share
    )
    db.close()


def build_all(path: Path, subscribers: int) -> BuildResult:
    """Time building every due digest; then, in a second pass, its peak Python memory.

    Two passes because tracing allocations slows Python down several times over.
    """
    prepare(path, subscribers, window=1000)
    db = storage.open_database(path)
    started = time.perf_counter()
    built = sum(1 for _ in build_due(db, NOW))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    for _ in build_due(db, NOW):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    db.close()
    if built != subscribers:
        raise SystemExit(f"digest build benchmark: built {built} of {subscribers} digests")
    distinct = _distinct(path)
    return BuildResult(subscribers, seconds, distinct, peak / 2**20)


def _distinct(path: Path) -> int:
    db = storage.open_database(path)
    texts = {digest.parts for _, digest in build_due(db, NOW)}
    db.close()
    return len(texts)


async def deliver(path: Path, digests: int, limit: int, workers: int = 1) -> DeliveryResult:
    """Send `digests` due digests at `limit` messages a second to a fake that enforces it.

    Each digest is one message (a few changes behind, or a "nothing new" note: nobody is in
    quiet mode here, so every due subscriber gets one); every chat's received messages are
    compared with the digest built for it beforehand, so a lost or repeated one is counted.
    """
    prepare(path, digests, window=5, quiet_share=0.0)
    db = storage.open_database(path)
    expected = {
        subscriber.chat_id: list(digest.parts)
        for subscriber, digest in build_due(db, NOW)
        if not (digest.empty and subscriber.quiet)  # quiet days send nothing, by design
    }
    with TelegramProcess(limit) as server:
        settings = Settings(_env_file=None, bot_api_base_url=server.url)
        bot = build_bot(settings, TOKEN, HTTPXRequest())
        async with bot:
            sender = DigestSender(TelegramOutbox(bot), RateLimits(limit))
            started = time.perf_counter()
            await send_due(db, sender, now=NOW, workers=workers)
            seconds = time.perf_counter() - started
        delivered, rejected = server.results()
    received: dict[int, list[str]] = {}
    for chat_id, text in delivered:
        received.setdefault(chat_id, []).append(text)
    db.close()
    lost = sum(
        1 for chat, parts in expected.items() if received.get(chat, [])[: len(parts)] != parts
    )
    duplicated = sum(
        1 for chat, parts in expected.items() if len(received.get(chat, [])) > len(parts)
    )
    messages = sum(len(parts) for parts in received.values())
    return DeliveryResult(messages, limit, seconds, rejected, lost, duplicated)


def _peak_rss_child(path: Path, subscribers: int) -> float:
    """Peak resident memory (MiB) of a fresh process doing one full due-digest run."""
    prepare(path, subscribers, window=50)
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent across
    # exec, so a big parent would inflate the child's figure.
    script = (
        "import asyncio, json\n"
        "from pathlib import Path\n"
        "from bench.digest_bench import full_run\n"
        f"asyncio.run(full_run(Path({str(path)!r})))\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(json.dumps(int(hwm.split()[1])))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1]) / 1024


async def full_run(path: Path) -> None:
    """Build and send (to the in-process fake Bot API) every due digest, recording each."""
    db = storage.open_database(path)
    bot = build_bot(Settings(_env_file=None), TOKEN, NullBotApi())
    async with bot:
        report = await send_due(
            db, DigestSender(TelegramOutbox(bot), RateLimits(1_000_000)), now=NOW
        )
    due_left = len(storage.due_subscribers(db, NOW, 1))
    db.close()
    if report.failed or due_left:
        raise SystemExit("memory benchmark: the run did not finish every subscriber")


def memory_growth(workdir: Path, small: int, large: int) -> tuple[float, float]:
    """Peak RSS for `small` and `large` subscriber counts, each in its own process."""
    return (
        _peak_rss_child(workdir / "mem-small.db", small),
        _peak_rss_child(workdir / "mem-large.db", large),
    )


def run_delivery(workdir: Path, digests: int, limit: int, workers: int = 1) -> DeliveryResult:
    """Synchronous wrapper for the report."""
    return asyncio.run(deliver(workdir / "delivery.db", digests, limit, workers))
