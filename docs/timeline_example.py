"""Draw docs/timeline.png and docs/overview.png, the charts in the README:
`.venv/bin/python docs/timeline_example.py`.

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
OVERVIEW = Path(__file__).with_name("overview.png")
EXAMPLE = storage.Actor(id=None, name="example")
# (channel, days ago, kind, phase, grade, summary): a made-up year, to show every element of
# a chart (each source grade, notes, a channel whose history starts late).
EXAMPLE_UPDATES = [
    ("ceasefire", 300, "status", "proposed", "media", "Example: a local truce is proposed"),
    ("ceasefire", 240, "status", "negotiating", "official", "Example: talks open"),
    ("ceasefire", 200, "note", "negotiating", "media", "Example: a second round is scheduled"),
    ("ceasefire", 150, "status", "stalled", "unconfirmed", "Example: talks reported stalled"),
    ("ceasefire", 95, "note", "stalled", "media", "Example: envoys still in contact"),
    ("ceasefire", 60, "status", "negotiating", "mediator", "Example: the mediator resumes talks"),
    ("ceasefire", 25, "status", "partial_agreement", "official", "Example: a partial deal"),
    ("ceasefire", 8, "note", "partial_agreement", "media", "Example: first checks begin"),
    ("aid", 200, "status", "negotiating", "mediator", "Example: convoy routes discussed"),
    ("aid", 90, "status", "agreement", "official", "Example: convoys agreed"),
    ("aid", 30, "status", "implementing", "official", "Example: convoys running"),
    ("exchanges", 120, "status", "stalled", "media", "Example: exchange postponed"),
    ("exchanges", 45, "status", "implementing", "official", "Example: an exchange completed"),
]


def build_example_database(path: Path) -> None:
    """Seed a database and add the example updates."""
    db = storage.open_database(path)
    storage.seed_if_empty(db)
    now = datetime.now(UTC)
    for slug, days_ago, kind, phase, grade, summary in EXAMPLE_UPDATES:
        storage.record_status(
            db, channel_id=storage.find_channel(db, slug).id, kind=kind, phase=phase,
            summary=summary, source_grade=grade, actor=EXAMPLE,
            changed_at=now - timedelta(days=days_ago),
        )  # fmt: skip
    db.close()


def draw() -> int:
    """Build the example database and let the CLI draw the charts; returns its exit code."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "example.db"
        build_example_database(database)
        os.environ["DATABASE_PATH"] = str(database)
        one = main(["timeline", "ceasefire", "--days", "365", "--output", str(OUTPUT)])
        return one or main(["timeline", "--days", "365", "--output", str(OVERVIEW)])


if __name__ == "__main__":
    sys.exit(draw())
