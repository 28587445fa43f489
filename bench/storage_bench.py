"""Storage: status writes per second, and /history at 10^4 vs 10^6 history rows."""

import asyncio
import statistics
import time
from pathlib import Path

from sqlite_utils import Database

import storage
from bench.figures import Section, Sizes, at_most
from bench.latency import TOKEN, measure_command
from bench.synthetic import add_history
from bot.app import build_application
from bot.cli.offline_api import OfflineBotApi
from bot.config import Settings
from storage.models import Actor


def _writes_per_second(db_path: Path, writes: int) -> float:
    db = storage.open_database(db_path)
    storage.seed_if_empty(db)
    channel = storage.find_channel(db, "ceasefire")
    actor = Actor(id=1, name="bench")
    phases = storage.phase_ladder(db).slugs()
    started = time.perf_counter()
    for number in range(writes):
        storage.record_status(
            db,
            channel_id=channel.id,
            kind="status",
            phase=phases[number % len(phases)],
            summary=f"bench write {number}",
            actor=actor,
            source_url="https://example.org/x",
        )
    elapsed = time.perf_counter() - started
    history_rows = db["status_history"].count
    audit_rows = db["audit_log"].count
    db.close()
    if history_rows < writes or audit_rows < writes:
        raise SystemExit("storage benchmark lost writes: history or audit rows missing")
    return writes / elapsed


def _query_seconds(db: Database, channel_id: int, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        entries = storage.history(db, channel_id, 10)
        samples.append(time.perf_counter() - started)
        if len(entries) != 10:
            raise SystemExit("storage benchmark: /history did not return 10 entries")
    return samples


async def history_figures(
    workdir: Path, large_rows: int, runs: int, repeats: int
) -> list[tuple[float, float, float, float]]:
    """Per repetition, p50 ms of the query and the command, small then large, interleaved.

    The query is what a cache miss costs (after every change); the command is what readers
    wait for. Rounds alternate between the two databases so a machine that speeds up or
    slows down during the run affects both sizes alike.
    """
    applications, dbs = [], []
    for name, rows in (("small.db", 10_000), ("large.db", large_rows)):
        db = storage.open_database(workdir / name)
        storage.seed_if_empty(db)
        add_history(db, rows, seed=2)
        settings = Settings(_env_file=None, database_path=workdir / name, flood_burst=10**9)
        dbs.append(db)
        applications.append(build_application(settings, db, token=TOKEN, request=OfflineBotApi()))
    rounds = 10
    channel_ids = [storage.find_channel(db, "exchanges").id for db in dbs]
    results = []
    async with applications[0], applications[1]:
        for application in applications:
            await measure_command(application, "/history exchanges 10", 200)
        for _ in range(repeats):
            query: list[list[float]] = [[], []]
            command: list[list[float]] = [[], []]
            for _ in range(rounds):
                for index, (db, application) in enumerate(zip(dbs, applications, strict=True)):
                    query[index] += _query_seconds(db, channel_ids[index], max(1, runs // rounds))
                    command[index] += await measure_command(
                        application, "/history exchanges 10", max(1, runs // rounds)
                    )
            medians = [statistics.median(samples) * 1e3 for samples in (*query, *command)]
            results.append((medians[0], medians[1], medians[2], medians[3]))
    for db in dbs:
        db.close()
    return results


def bench(workdir: Path, sizes: Sizes) -> Section:
    """Writes per second and the /history ratios, once per repetition on the same data."""
    large = sizes.pick(1_000_000, 20_000)
    runs = sizes.pick(2_000, 100)
    section = Section(
        "Storage",
        f"`/set`-style writes (history row, pointer and audit row in one transaction each), "
        f"and `/history exchanges 10` on 10,000 vs {large:,} history rows: the query alone "
        "(what every cache miss costs) and the whole command, interleaved round by round.",
    )
    asyncio.run(_storage_rounds(workdir, large, runs, sizes, section))
    return section


async def _storage_rounds(
    workdir: Path, large: int, runs: int, sizes: Sizes, section: Section
) -> None:
    for repetition in range(sizes.repeats):
        writes = _writes_per_second(workdir / f"writes{repetition}.db", sizes.pick(2_000, 200))
        section.figure("writes per second", " /s", 0).add(writes)
    figures = await history_figures(workdir, large, runs, sizes.repeats)
    for query_small, query_large, command_small, command_large in figures:
        section.figure("query p50, 10^4 rows", " ms", 3).add(query_small)
        section.figure(f"query p50, {large:,} rows", " ms", 3).add(query_large)
        section.figure("query ratio large / small", "x", 2, at_most(1.5)).add(
            query_large / query_small
        )
        section.figure("command ratio large / small", "x", 2, at_most(1.5)).add(
            command_large / command_small
        )
