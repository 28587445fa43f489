"""Storage: status writes per second, and /history at 10^4 vs 10^6 history rows."""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

import storage
from bench.latency import TOKEN, measure_command
from bench.synthetic import add_history
from bot.app import build_application
from bot.cli.offline_api import OfflineBotApi
from bot.config import Settings
from storage.models import Actor


@dataclass
class StorageResult:
    """Writes per second, and /history p50 at both sizes: the query alone and the command."""

    writes_per_second: float
    query_small_ms: float
    query_large_ms: float
    command_small_ms: float
    command_large_ms: float

    @property
    def query_ratio(self) -> float:
        """How much slower the history query is on the large database (target: at most 1.5)."""
        return self.query_large_ms / self.query_small_ms

    @property
    def command_ratio(self) -> float:
        """The same for the whole /history command (its reply is cached between changes)."""
        return self.command_large_ms / self.command_small_ms


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


async def history_figures(workdir: Path, large_rows: int, runs: int) -> tuple[float, ...]:
    """p50 ms of the query and of the command, small then large, measured interleaved.

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
    query: list[list[float]] = [[], []]
    command: list[list[float]] = [[], []]
    rounds = 10
    channel_ids = [storage.find_channel(db, "exchanges").id for db in dbs]
    async with applications[0], applications[1]:
        for application in applications:
            await measure_command(application, "/history exchanges 10", 200)
        for _ in range(rounds):
            for index, (db, application) in enumerate(zip(dbs, applications, strict=True)):
                query[index] += _query_seconds(db, channel_ids[index], runs // rounds)
                command[index] += await measure_command(
                    application, "/history exchanges 10", runs // rounds
                )
    for db in dbs:
        db.close()
    return tuple(statistics.median(samples) * 1e3 for samples in (*query, *command))


async def run(workdir: Path, large_rows: int, runs: int, writes: int) -> StorageResult:
    """All storage figures; the large database is built once per run."""
    writes_per_second = _writes_per_second(workdir / "writes.db", writes)
    query_small, query_large, command_small, command_large = await history_figures(
        workdir, large_rows, runs
    )
    return StorageResult(writes_per_second, query_small, query_large, command_small, command_large)
