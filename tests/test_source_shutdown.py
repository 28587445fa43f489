"""Stopping the bot does not start the feed pipeline's worker just to close it.

The default pipeline is a process of its own (sources/poller.py, `process_pipeline`), spawned
on its first job: a fresh interpreter importing the bot, over a second of CPU. A bot with no
feed due never gives it a job; when such a bot was stopped (systemd, a deploy, Ctrl+C), the
poller's close handed the pipeline one anyway, spawning the process only to close a database
connection it never opened, and the stop waited for it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sources.poller import PollConfig, Poller

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


class RecordingPipeline(ThreadPoolExecutor):
    """A one-thread pipeline that records the name of every job it is given."""

    def __init__(self) -> None:
        super().__init__(1, thread_name_prefix="sources-test")
        self.jobs: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.jobs.append(fn.__name__)
        return super().submit(fn, *args, **kwargs)


async def test_a_poller_that_never_polled_stops_without_a_pipeline_job(db) -> None:
    pipeline = RecordingPipeline()
    poller = Poller(db, PollConfig(), pipeline=pipeline)
    await poller.aclose()
    assert pipeline.jobs == []


async def test_a_poller_that_polled_closes_its_workers_connection(db) -> None:
    pipeline = RecordingPipeline()
    poller = Poller(db, PollConfig(), pipeline=pipeline)
    report = await poller.poll_due(NOW)
    assert report.outcomes == []  # the seed has no feeds: only the pipeline looked
    await poller.aclose()
    assert pipeline.jobs == ["worker_due", "worker_close"]
