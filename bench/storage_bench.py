"""Storage: status writes per second, and /history at 10^4 vs 10^6 history rows."""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import storage
from bench.latency import TOKEN, measure_command
from bench.synthetic import add_history
from bot.app import build_application
from bot.config import Settings
from bot.offline_api import OfflineBotApi
from storage.models import Actor


@dataclass
class StorageResult:
    """Writes per second and /history p50 at both sizes."""

    writes_per_second: float
    history_small_ms: float
    history_large_ms: float

    @property
    def history_ratio(self) -> float:
        """How much slower /history is on the large database (target: at most 1.5)."""
        return self.history_large_ms / self.history_small_ms


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


async def _history_p50(db_path: Path, rows: int, runs: int) -> float:
    db = storage.open_database(db_path)
    storage.seed_if_empty(db)
    add_history(db, rows, seed=2)
    settings = Settings(_env_file=None, database_path=db_path, flood_burst=10**9)
    application = build_application(settings, db, token=TOKEN, request=OfflineBotApi())
    async with application:
        await measure_command(application, "/history exchanges 10", 200)
        samples = await measure_command(application, "/history exchanges 10", runs)
    db.close()
    return statistics.median(samples) * 1e3


async def run(workdir: Path, large_rows: int, runs: int, writes: int) -> StorageResult:
    """All storage figures; the large database is built once per run."""
    return StorageResult(
        writes_per_second=_writes_per_second(workdir / "writes.db", writes),
        history_small_ms=await _history_p50(workdir / "small.db", 10_000, runs),
        history_large_ms=await _history_p50(workdir / "large.db", large_rows, runs),
    )
