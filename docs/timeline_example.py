"""Draw docs/timeline.png, the chart in the README: `.venv/bin/python docs/timeline_example.py`.

The picture is drawn by `backchannel timeline` itself, on a throwaway database seeded as
usual plus a few example updates. The updates are invented for illustration and say so; the
real database is not touched.
"""

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import storage
from bot.cli.main import main

OUTPUT = Path(__file__).with_name("timeline.png")
EXAMPLE = storage.Actor(id=None, name="example")
# (days ago, kind, phase): a made-up year of one channel, to show every element of a chart.
EXAMPLE_UPDATES = [
    (300, "status", "proposed"),
    (240, "status", "negotiating"),
    (200, "note", "negotiating"),
    (150, "status", "stalled"),
    (95, "note", "stalled"),
    (60, "status", "negotiating"),
    (25, "status", "partial_agreement"),
    (8, "note", "partial_agreement"),
]


def build_example_database(path: Path) -> None:
    """Seed a database and add the example updates to the ceasefire channel."""
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    channel = storage.find_channel(db, "ceasefire")
    now = datetime.now(UTC)
    for days_ago, kind, phase in EXAMPLE_UPDATES:
        storage.record_status(
            db, channel_id=channel.id, kind=kind, phase=phase,
            summary="Example update for the README chart", actor=EXAMPLE,
            changed_at=now - timedelta(days=days_ago),
        )  # fmt: skip
    db.close()


def draw() -> int:
    """Build the example database and let the CLI draw the chart; returns its exit code."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "example.db"
        build_example_database(database)
        os.environ["DATABASE_PATH"] = str(database)
        return main(["timeline", "ceasefire", "--days", "365", "--output", str(OUTPUT)])


if __name__ == "__main__":
    sys.exit(draw())
