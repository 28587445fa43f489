"""Digests: building every due digest of a realistic audience, delivering them against a fake
Telegram that enforces its rate limit, and memory as subscribers grow.

The data is what a month of use looks like (bench/synthetic.py): 30 days of history at 50
changes a day, subscribers in 22 zones following random channel subsets, their watermarks
spread over every one of those changes, everyone due at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.ext import AIORateLimiter

import storage
from bench.figures import NONE_ALLOWED, Section, Sizes, at_least, at_most, cpu_reference_ms
from bench.synthetic import add_recent_history, add_spread_subscribers
from bench.telegram_process import TelegramProcess
from bot.aiohttp_request import AiohttpRequest
from bot.app import build_bot
from bot.cli.offline_api import OfflineBotApi
from bot.config import Settings
from bot.jobs.outbox import TelegramOutbox
from bot.jobs.scheduling import DigestService
from bot.runtime.heap import freeze_startup_heap
from bot.telegram_bot import BackchannelBot
from digests.builder import SHOWN_PER_CHANNEL
from digests.runner import ChangeWindow, build_due, send_due
from digests.sender import DigestSender, RateLimits

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TOKEN = "1:bench"
DEFAULTS = Settings(_env_file=None)
# Telegram's paid broadcast tier and the settings the README documents for it.
PAID_LIMIT = 1000
PAID_WORKERS = 16


# Changes a delivery subscriber is behind: 3 to 8 make digests of 1.1-2.8 KB (p10-p90,
# median 1.7 KB), the 1-3 KB; 5 to 12 drifted to a 3.1 KB median as lines grew.
BEHIND = (3, 8)


def prepare(path: Path, subscribers: int, behind: tuple[int, int] | None = None) -> None:
    """30 days of history and `subscribers` due at NOW (see bench/synthetic.py)."""
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    ids = add_recent_history(db, end=NOW - timedelta(minutes=5))
    add_spread_subscribers(db, subscribers, ids, due_at=NOW - timedelta(minutes=1), behind=behind)
    db.close()


def bench_build(workdir: Path, sizes: Sizes) -> Section:
    """Every due digest built, its message texts included (not sent), timed; how many
    distinct watermarks and distinct renders that spread holds."""
    count = sizes.pick(100_000, 2_000)
    path = workdir / "build.db"
    prepare(path, count)
    # As `backchannel run` does once everything is built: the collector's full passes then
    # walk what the run allocates, not the bot's imports (bot/runtime/heap.py).
    freeze_startup_heap()
    db = storage.open_database(path)
    watermarks, zones = db.execute(
        "SELECT count(DISTINCT watermark), count(DISTINCT timezone) FROM subscribers"
    ).fetchone()
    section = Section(
        "Digest building",
        f"{count:,} subscribers, every one due; 1,500 changes (30 days at 50 a day); "
        f"{watermarks:,} distinct watermarks (every change is somebody's: a watermark is a "
        f"history id, see bench/NOTES.md), {zones} time zones, a third following every channel "
        "and the rest a random subset. Built through `digests.runner.build_due` (subscribers "
        "streamed from SQLite in batches), not sent; every message text of every digest is "
        "produced (read as the sender reads it, then dropped), so the time covers all that "
        f"is sent. Each channel shows its {SHOWN_PER_CHANNEL} most recent changes "
        "(`SHOWN_PER_CHANNEL`), then one line counting the earlier ones. Distinct renders: "
        "digests that differ in channels, watermark, zone or first digest, each built on its "
        "own (the rest shared).",
    )
    for _ in range(sizes.repeats):
        window = ChangeWindow(db, NOW)
        built = 0
        speed_before = cpu_reference_ms()
        started, cpu = time.perf_counter(), time.process_time()
        for _subscriber, digest in build_due(db, NOW, window=window):
            digest.parts  # what the sender sends, joined as it would join it  # noqa: B018
            built += 1
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        speed = (speed_before + cpu_reference_ms()) / 2
        section.check(built == count, f"built {built:,} of {count:,} digests")
        section.figure("all digests built, every message text", " s", 2, at_most(2.0)).add(seconds)
        # On a shared machine the wall time follows the load; the CPU time much less so.
        section.figure("the same, CPU time of this process (no target)", " s", 2).add(cpu)
        section.figure("per digest", " µs", 1).add(seconds / max(built, 1) * 1e6)
        # This machine's speed moves by up to 2x within minutes (bench/NOTES.md): the same
        # reference loop as the report's header, timed just before and after each build.
        section.figure("machine speed around it, the header's loop (no target)", " ms", 1).add(
            speed
        )
        section.figure("distinct watermarks", "", 0).add(watermarks)
        section.figure("distinct renders (the rest shared)", "", 0).add(
            window.builder.distinct_digests
        )
        # The plans alone (which slices go into which message), texts never joined: what is
        # left when the sender joins each text just before sending it (no target).
        started = time.perf_counter()
        for _ in build_due(db, NOW):
            pass
        section.figure("plans only, no text (no target)", " s", 2).add(
            time.perf_counter() - started
        )
    # The texts once more, untimed, to describe them (the timed loop only reads them).
    messages = characters = largest = several = 0
    for _subscriber, digest in build_due(db, NOW):
        texts = digest.parts
        size = sum(map(len, texts))
        messages, characters = messages + len(texts), characters + size
        largest, several = max(largest, size), several + (len(texts) > 1)
    db.close()
    section.notes.append(
        f"Digest text: {characters / 1e6:,.0f} million characters in {messages:,} messages, "
        f"{characters / max(built, 1) / 1000:.1f} thousand a digest on average, largest "
        f"{largest / 1000:.0f} thousand; {several:,} digests take more than one message "
        "(counted in a pass of its own, not timed)."
    )
    if not sizes.quick:
        section.check(watermarks >= 1_400 and zones >= 20, "the spread is narrower than intended")
    return section


@dataclass
class Delivery:
    """One delivery run against the fake Telegram."""

    messages: int
    seconds: float
    rejected_429: int
    lost: int
    duplicated: int
    sizes_kb: list[float]


async def deliver(
    path: Path,
    enforced: int,
    settings: Settings,
    *,
    sender_limit: float | None = None,
    ptb_limiter: bool = False,
) -> Delivery:
    """Send every due digest in `path` to a fake Telegram answering 429 above `enforced`/s.

    The shipped wiring (`DigestService.create`: the sender with RateLimits from settings,
    DIGEST_WORKERS, the bot's HTTP layer), unless `sender_limit` replaces the sender's limit
    (a control run) or `ptb_limiter` hands the pacing to python-telegram-bot's AIORateLimiter.
    Every chat's messages are compared with the digest built for it beforehand.
    """
    db = storage.open_database(path)
    expected = {subscriber.chat_id: list(digest.parts) for subscriber, digest in build_due(db, NOW)}
    with TelegramProcess(enforced) as server:
        settings = settings.model_copy(update={"bot_api_base_url": server.url})
        if ptb_limiter:
            limiter = AIORateLimiter(overall_max_rate=settings.digest_rate_limit, max_retries=0)
            # Its 429s are what this comparison counts; PTB logs each with a traceback
            # (about 400 a run), which would bury the figures.
            logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
            bot = BackchannelBot(
                TOKEN,
                base_url=f"{settings.api_root}/bot",
                request=AiohttpRequest(connection_pool_size=256),
                rate_limiter=limiter,
            )
        else:
            bot = build_bot(settings, TOKEN)  # the shipped HTTP layer
        async with bot:
            if sender_limit is not None or ptb_limiter:
                limits = RateLimits(sender_limit or 10**9)
                service = DigestService(
                    db, bot, settings, DigestSender(TelegramOutbox(bot), limits)
                )
            else:
                service = DigestService.create(db, bot, settings)
            started = time.perf_counter()
            await service.send_due(now=NOW)
            seconds = time.perf_counter() - started
        delivered, rejected = server.results()
    db.close()
    received: dict[int, list[str]] = {}
    for chat_id, text in delivered:
        received.setdefault(chat_id, []).append(text)
    lost = sum(
        1 for chat, parts in expected.items() if received.get(chat, [])[: len(parts)] != parts
    )
    duplicated = sum(
        1 for chat, parts in expected.items() if len(received.get(chat, [])) > len(parts)
    )
    sizes_kb = [len(text.encode()) / 1024 for _, text in delivered]
    return Delivery(len(delivered), seconds, rejected, lost, duplicated, sizes_kb)


def bench_delivery(workdir: Path, sizes: Sizes) -> Section:
    """The shipped defaults and the paid tier, each against a fake enforcing that limit."""
    default_workers = DEFAULTS.digest_workers
    paid = DEFAULTS.model_copy(
        update={"digest_rate_limit": float(PAID_LIMIT), "digest_workers": PAID_WORKERS}
    )
    section = Section(
        "Digest delivery",
        "A fake Bot API (`bench/telegram_process.py`, its own process, on 127.0.0.1) answers "
        "429 above the enforced number of messages a second (any one-second window). Each "
        "digest is 1-3 KB, one message. Shipped defaults: `DIGEST_RATE_LIMIT=30`, "
        f"`DIGEST_WORKERS={default_workers}`, enforced 30/s. Paid broadcast: "
        f"`DIGEST_RATE_LIMIT={PAID_LIMIT}`, `DIGEST_WORKERS={PAID_WORKERS}`, enforced "
        f"{PAID_LIMIT}/s. Every chat's messages are compared with the digest built for it.",
    )
    runs = [
        ("defaults (30/s)", 30, DEFAULTS, sizes.pick(600, 60)),
        (f"paid broadcast ({PAID_LIMIT}/s)", PAID_LIMIT, paid, sizes.pick(10_000, 400)),
    ]
    for label, enforced, settings, count in runs:
        template = workdir / f"template-{enforced}.db"
        prepare(template, count, behind=BEHIND)
        for repetition in range(sizes.repeats):
            run_path = workdir / f"run-{enforced}-{repetition}.db"
            shutil.copy(template, run_path)
            result = asyncio.run(deliver(run_path, enforced, settings))
            rate = result.messages / result.seconds / enforced
            section.figure(f"{label}: delivered rate / limit", "", 2, at_least(0.9)).add(rate)
            section.figure(f"{label}: 429 answers", "", 0, NONE_ALLOWED).add(result.rejected_429)
            section.check(result.lost == 0, f"{label}: {result.lost} digests lost")
            section.check(result.duplicated == 0, f"{label}: {result.duplicated} duplicated")
            section.check(
                1 <= statistics.median(result.sizes_kb) <= 3,
                f"{label}: digests are not 1-3 KB (median "
                f"{statistics.median(result.sizes_kb):.1f} KB)",
            )
        if enforced == PAID_LIMIT:
            _compare_ptb_limiter(section, workdir, template, paid, sizes)
    _control(section, workdir, sizes)
    return section


def _compare_ptb_limiter(
    section: Section, workdir: Path, template: Path, paid: Settings, sizes: Sizes
) -> None:
    # The layering issue's question: PTB's AIORateLimiter instead of the sender's own.
    for repetition in range(sizes.repeats):
        run_path = workdir / f"ptb-limiter-{repetition}.db"
        shutil.copy(template, run_path)
        result = asyncio.run(deliver(run_path, PAID_LIMIT, paid, ptb_limiter=True))
        name = f"comparison, PTB AIORateLimiter at {PAID_LIMIT}/s"
        section.figure(f"{name}: delivered rate / limit", "", 2).add(
            result.messages / result.seconds / PAID_LIMIT
        )
        section.figure(f"{name}: 429 answers", "", 0).add(result.rejected_429)


def _control(section: Section, workdir: Path, sizes: Sizes) -> None:
    # The sender's limiter off: the fake must answer 429, or the zero above proves nothing.
    enforced = sizes.pick(PAID_LIMIT, 100)
    count = sizes.pick(3_000, 400)
    template = workdir / "control.db"
    prepare(template, count, behind=BEHIND)
    settings = DEFAULTS.model_copy(update={"digest_workers": PAID_WORKERS})
    for repetition in range(sizes.repeats):
        path = workdir / f"control-{repetition}.db"
        shutil.copy(template, path)
        result = asyncio.run(deliver(path, enforced, settings, sender_limit=10**9))
        name = f"control, sender's limiter off, enforced {enforced}/s: 429 answers"
        section.figure(name, "", 0).add(result.rejected_429)
        section.check(result.rejected_429 > 0, "the fake Telegram never answered 429 (control)")
        section.check(result.duplicated == 0, f"control: {result.duplicated} digests duplicated")


class NullBotApi(OfflineBotApi):
    """The in-process fake Bot API without its call log, so memory measures the bot alone."""

    def on_call(self, method: str, params: dict[str, object]) -> None:
        """Forget the call as soon as it is answered."""
        self.calls.clear()


def _peak_rss_child(path: Path) -> float:
    """Peak resident memory (MiB) of a fresh process doing one full due-digest run."""
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
    bot = build_bot(DEFAULTS, TOKEN, NullBotApi())
    async with bot:
        report = await send_due(
            db, DigestSender(TelegramOutbox(bot), RateLimits(1_000_000)), now=NOW
        )
    due_left = len(storage.due_subscribers(db, NOW, 1))
    db.close()
    if report.failed or due_left:
        raise SystemExit("memory benchmark: the run did not finish every subscriber")


def bench_memory(workdir: Path, sizes: Sizes) -> Section:
    """Peak RSS of a full run at two audience sizes, each in a fresh process."""
    small, large = sizes.pick(10_000, 500), sizes.pick(100_000, 2_000)
    section = Section(
        "Memory growth",
        f"Peak resident memory (VmHWM) of a fresh process that builds and sends (to an "
        f"in-process fake Bot API) every due digest, at {small:,} and {large:,} subscribers "
        "with the spread of the build benchmark. The bot's imports alone are most of either "
        "figure, so the target is on the growth, in MiB.",
    )
    templates = {count: workdir / f"mem-{count}.db" for count in (small, large)}
    for count, template in templates.items():
        prepare(template, count)
    for repetition in range(sizes.repeats):
        peaks = []
        for count, template in templates.items():
            run_path = workdir / f"mem-run-{count}-{repetition}.db"
            shutil.copy(template, run_path)
            peaks.append(_peak_rss_child(run_path))
        low, high = peaks
        section.figure(f"peak RSS, {small:,} subscribers", " MiB", 1).add(low)
        section.figure(f"peak RSS, {large:,} subscribers", " MiB", 1).add(high)
        section.figure("growth", " MiB", 1, at_most(20.0)).add(high - low)
    return section
