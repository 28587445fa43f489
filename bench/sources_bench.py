"""Source watch at scale: 500 feeds of 50 items polled, parsed, matched and deduplicated,
while an unrelated reader keeps sending /status to the same bot.

Targets (issue "Source watch"): the whole cycle in at most 10 s, and the reader's /status
p99 during the cycle at most twice its idle p99. The feeds are served by a separate process
on 127.0.0.1 (so serving them costs the measured process nothing), the reader runs on the
bot's own event loop through `Application.process_update`, and each reader sample counts
from when the update was due, so time the loop spent busy with the poll counts against it.

`bench()` is the "sources" entry of `bench/run.py` (`make bench`; small in bench-quick):
one cycle per repetition, each on a fresh database, with the process pipeline the bot uses.
Standalone: `.venv/bin/python -m bench.sources_bench [--executor thread|process]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import storage
from bench import local_feeds
from bench.figures import Section, Sizes, at_most, percentile
from bench.local_feeds import feeds
from bot.app import build_application
from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import chat_dict, text_update, user_dict
from bot.config import Settings
from bot.runtime.heap import freeze_startup_heap
from sources.fetch import FetchLimits
from sources.poller import PollConfig, Poller, process_pipeline, thread_pipeline

TOKEN = "1:bench"
TARGET_SECONDS = 10.0
TARGET_P99_RATIO = 2.0
READER_INTERVAL = 0.01  # a /status every 10 ms
IDLE_SAMPLES = 400
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class SourcesBenchResult:
    """Timing of one cycle and the reader's latency idle and during it."""

    executor: str
    sources: int
    items_per_source: int
    seconds: float
    stored: int
    reports: int  # inbox entries after duplicates collapsed
    failed: int
    idle_p50_ms: float
    idle_p99_ms: float
    busy_p50_ms: float
    busy_p99_ms: float
    busy_samples: int
    # CPU seconds the cycle used: the bot's process (fetching, the reader, the thread pipeline
    # when there is one) and the pipeline process. Unlike wall time these barely depend on
    # what else the shared machine runs.
    bot_cpu: float = 0.0
    pipeline_cpu: float = 0.0

    @property
    def p99_ratio(self) -> float:
        """The reader's p99 during the poll over its idle p99."""
        return self.busy_p99_ms / self.idle_p99_ms

    @property
    def met(self) -> bool:
        """Both targets met, and every feed polled without error."""
        return (
            self.seconds <= TARGET_SECONDS
            and self.p99_ratio <= TARGET_P99_RATIO
            and self.failed == 0
        )


async def _reader(application: Any, stop: asyncio.Event, limit: int | None) -> list[float]:
    """/status every READER_INTERVAL; each sample from when it was due until answered."""
    user, chat = user_dict(4242, "Reader"), chat_dict(4242)
    samples: list[float] = []
    start = time.perf_counter()
    index = 0
    while not stop.is_set() and (limit is None or index < limit):
        due = start + index * READER_INTERVAL
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        update = text_update(application.bot, "/status", user=user, chat=chat)
        await application.process_update(update)
        samples.append(time.perf_counter() - due)
        index += 1
    return samples


async def run(
    workdir: Path,
    sources: int = 500,
    items: int = 50,
    executor: str = "thread",
    idle_samples: int = IDLE_SAMPLES,
) -> SourcesBenchResult:
    """One full poll cycle of `sources` local feeds of `items` items, with a reader."""
    pool = process_pipeline() if executor == "process" else thread_pipeline()
    # Start the worker before measuring, as the bot does once at start-up; it starts (imports
    # the bot's modules) while the feed server does the same.
    started_worker = pool.submit(abs, 1)
    server, port = local_feeds.start(sources, items)
    try:
        db_path = workdir / "sources_bench.db"
        db = storage.open_database(db_path)
        storage.seed_if_empty(db)
        actor = storage.Actor(id=None, name="bench")
        for source in range(sources):
            storage.add_source(
                db, url=f"http://127.0.0.1:{port}/feed/{source}.xml", actor=actor,
                now=NOW - timedelta(minutes=1),
            )  # fmt: skip
        settings = Settings(_env_file=None, database_path=db_path, flood_burst=10**9)
        application = build_application(settings, db, token=TOKEN, request=OfflineBotApi())
        started_worker.result()
        limits = FetchLimits(allow_private=True)
        poller = Poller(db, PollConfig(limits=limits, concurrency=8), pipeline=pool)
        freeze_startup_heap()  # as `backchannel run` does once everything is built
        try:
            async with application:
                await _reader(application, asyncio.Event(), idle_samples // 4)  # warm-up
                idle = await _reader(application, asyncio.Event(), idle_samples)
                stop = asyncio.Event()
                reading = asyncio.create_task(_reader(application, stop, None))
                pipeline_before = pool.submit(time.process_time).result()
                cpu_before = time.process_time()
                started = time.perf_counter()
                report = await poller.poll_due(NOW)
                seconds = time.perf_counter() - started
                bot_cpu = time.process_time() - cpu_before
                pipeline_cpu = 0.0
                if executor == "process":
                    pipeline_cpu = pool.submit(time.process_time).result() - pipeline_before
                stop.set()
                busy = await reading
        finally:
            await poller.aclose()
    finally:
        server.terminate()
        server.wait()
    stored = db.execute("SELECT count(*) FROM source_items").fetchone()[0]
    reports = db.execute("SELECT count(*) FROM source_items WHERE id = cluster_id").fetchone()[0]
    db.close()
    return SourcesBenchResult(
        executor=executor, sources=sources, items_per_source=items, seconds=seconds,
        stored=stored, reports=reports, failed=report.failed,
        idle_p50_ms=statistics.median(idle) * 1e3, idle_p99_ms=percentile(idle, 0.99) * 1e3,
        busy_p50_ms=statistics.median(busy) * 1e3, busy_p99_ms=percentile(busy, 0.99) * 1e3,
        busy_samples=len(busy), bot_cpu=bot_cpu, pipeline_cpu=pipeline_cpu,
    )  # fmt: skip


def distinct_items(sources: int, items: int) -> int:
    """How many items the feeds hold, each feed's repeats of one link counted once (a story
    shared by several feeds is one item of each: grouping them is deduplication's job)."""
    count = 0
    for body in feeds(sources, items).values():
        text = body.decode()
        count += len({part.split("</link>", 1)[0] for part in text.split("<link>")[1:]})
    return count


def bench(workdir: Path, sizes: Sizes) -> Section:
    """`make bench`'s "Source watch" section: `sizes.repeats` cycles, each on fresh data."""
    sources, items = sizes.pick(500, 20), sizes.pick(50, 10)
    idle_samples = sizes.pick(IDLE_SAMPLES, 40)
    section = Section(
        "Source watch",
        f"{sources} local RSS feeds of {items} items (about half repeat another feed's story) "
        "polled, parsed, matched and deduplicated in one cycle by the process pipeline the bot "
        f"uses, while a reader sends /status every {READER_INTERVAL * 1e3:.0f} ms to the same "
        "bot. Each reader sample counts from when it was due. The p99 ratio is the reader's "
        f"p99 during the cycle over its p99 idle ({idle_samples} samples) just before.",
    )
    expected = distinct_items(sources, items)
    for repetition in range(sizes.repeats):
        folder = workdir / f"run-{repetition}"
        folder.mkdir()
        result = asyncio.run(run(folder, sources, items, "process", idle_samples))
        section.check(result.failed == 0, f"{result.failed} feeds failed to poll")
        section.check(
            result.stored == expected,
            f"{result.stored:,} items stored, the feeds hold {expected:,}",
        )
        section.check(
            0 < result.reports < result.stored,
            f"{result.reports:,} reports from {result.stored:,} items: nothing was grouped",
        )
        section.figure("cycle", " s", 2, at_most(TARGET_SECONDS)).add(result.seconds)
        section.figure("reader /status p99 during / idle", "x", 2, at_most(TARGET_P99_RATIO)).add(
            result.p99_ratio
        )
        section.figure("reader /status p99 idle", " ms", 2).add(result.idle_p99_ms)
        section.figure("reader /status p99 during the cycle", " ms", 2).add(result.busy_p99_ms)
        section.figure("items stored", "", 0).add(result.stored)
        section.figure("reports after grouping duplicates", "", 0).add(result.reports)
        section.figure("CPU, bot process", " s", 2).add(result.bot_cpu)
        section.figure("CPU, pipeline process", " s", 2).add(result.pipeline_cpu)
    return section


def describe(result: SourcesBenchResult) -> str:
    """The figures in one paragraph, for a report or the terminal."""
    return (
        f"{result.sources} feeds x {result.items_per_source} items ({result.executor} "
        f"executor): cycle {result.seconds:.2f} s (target <= {TARGET_SECONDS:.0f} s), "
        f"{result.stored:,} items stored as {result.reports:,} reports, {result.failed} failed; "
        f"reader /status p50/p99 idle {result.idle_p50_ms:.2f}/{result.idle_p99_ms:.2f} ms, "
        f"during the poll {result.busy_p50_ms:.2f}/{result.busy_p99_ms:.2f} ms "
        f"({result.busy_samples} samples), p99 ratio {result.p99_ratio:.2f} "
        f"(target <= {TARGET_P99_RATIO:.0f}) -> {'met' if result.met else 'MISSED'}; "
        f"CPU during the cycle: bot process {result.bot_cpu:.2f} s (the reader included), "
        f"pipeline process {result.pipeline_cpu:.2f} s"
    )


def main() -> None:
    """Run once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", choices=["thread", "process"], default="process")
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        result = asyncio.run(run(Path(workdir), args.sources, args.items, args.executor))
    print(describe(result))


if __name__ == "__main__":
    main()
