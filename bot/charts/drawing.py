"""Drawing a timeline in a worker process: read the window's history, render the PNG.

Both halves are CPU-heavy (a ten-year chart reads and plots hundreds of thousands of entries,
seconds of work), and matplotlib holds the GIL while it draws, so a worker thread would still
slow the event loop. A pool of processes, one per core and at lower priority than the bot
itself (SCHED_IDLE on Linux: they only get a core the bot leaves idle), keeps the loop
answering everyone. Each worker reads through its own read-only
connection (`storage.open_reader`); only the job description and the PNG cross the process
boundary. Everything here is a plain function of its job, so tests run it in threads.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from sqlite_utils import Database

import storage
from language.i18n import ENGLISH, N_, texts
from render.charts import MATPLOTLIB_MODULES, Series, Window, render_channel, render_overview

ALL_HISTORY = N_("all history")
MAX_DAYS = 3650
MIN_ALL_DAYS = 7  # an "all history" chart of a young channel still spans a week
WORKER_NICENESS = 10  # renders yield the CPU to the bot's own event loop

log = logging.getLogger(__name__)
_readers = threading.local()


@dataclass(frozen=True)
class ChartJob:
    """Everything a worker needs to draw one chart; small and picklable.

    `days` None means all history (from the first entry, at most MAX_DAYS back). `heading`
    None means one channel's chart, otherwise the overview with that heading (a catalog
    entry, drawn translated). `window` and
    `series` are set only for an in-memory database, which a worker cannot open: the data
    then comes along, read on the caller's side. `language` is the reader's: the chart's
    words (title, legend, months) are drawn in it.
    """

    database: Path | None
    channels: tuple[tuple[int, str], ...]
    days: int | None
    now: datetime
    zone: tzinfo
    ladder: storage.PhaseLadder
    heading: str | None = None
    window: Window | None = None
    series: tuple[Series, ...] | None = None
    language: str = ENGLISH


def channel_series(db: Database, channel_id: int, title: str, since: datetime) -> Series:
    """What one channel's chart shows from `since` on."""
    return Series(
        title=title,
        start_status=storage.status_at(db, channel_id, since),
        entries=tuple(storage.history_since(db, channel_id, since)),
    )


def window_of(job: ChartJob, db: Database) -> Window:
    """The span a job draws; "all history" starts at the channels' first entry."""
    if job.days is not None:
        return Window(job.now - timedelta(days=job.days), job.now, job.zone)
    oldest = job.now - timedelta(days=MAX_DAYS)
    first = storage.first_change(db, [channel_id for channel_id, _ in job.channels])
    since = min(first or job.now, job.now - timedelta(days=MIN_ALL_DAYS))
    return Window(max(since, oldest), job.now, job.zone, label=ALL_HISTORY)


def gather(job: ChartJob, db: Database) -> tuple[Window, tuple[Series, ...]]:
    """Read what the job's chart shows."""
    window = window_of(job, db)
    return window, tuple(channel_series(db, *channel, window.since) for channel in job.channels)


def draw(job: ChartJob) -> bytes:
    """Read (unless the job brings its data) and render one chart: the worker's entry point."""
    if job.window is not None and job.series is not None:
        window, series = job.window, job.series
    else:
        window, series = gather(job, _reader(job.database))
    _ = texts(job.language)
    if job.heading is None:
        return render_channel(series[0], job.ladder, window, _)
    return render_overview(series, job.ladder, window, _(job.heading), _)


def _reader(path: Path | None) -> Database:
    """This thread's read connection to `path`, opened once and kept."""
    if path is None:
        raise ValueError("an in-memory database cannot be read from a worker")
    opened: dict[Path, Database] = getattr(_readers, "connections", None) or {}
    _readers.connections = opened
    if path not in opened:
        opened[path] = storage.open_reader(path)
    return opened[path]


def _start_worker() -> None:
    """Run in each new worker process: give way to the bot's own process.

    A lower nice value alone is not enough: the kernel lets a running worker finish its time
    slice (milliseconds) before a reader's message wakes the bot, and with every core drawing
    during a /timeline flood each reply waited for that. SCHED_IDLE workers run only on a core
    nothing else wants and give it up as soon as the bot wakes.
    """
    with contextlib.suppress(OSError):  # not allowed: drawing works at normal priority too
        os.nice(WORKER_NICENESS)
    if hasattr(os, "SCHED_IDLE"):  # Linux
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _ready() -> None:
    """A no-op job: once it has run, the fork server and a first worker are up."""


def started_pool() -> Executor:
    """A process pool with its fork server and first worker already running.

    Starting one imports matplotlib in the fork server (over a second): called in a thread,
    so the event loop keeps answering readers meanwhile.
    """
    pool = process_pool()
    pool.submit(_ready).result()
    return pool


def process_pool() -> Executor:
    """The worker pool the bot draws in.

    Workers come from a fork server started fresh (not forked from the running bot, whose
    threads and open database a fork would copy), with matplotlib and this module already
    imported, so a new worker costs little once the first has started. (The bot itself never
    imports matplotlib: render/charts.py loads it on first draw.)
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, *MATPLOTLIB_MODULES])
    log.info("starting %d chart workers", workers())
    return ProcessPoolExecutor(workers(), mp_context=context, initializer=_start_worker)
