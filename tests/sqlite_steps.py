"""How much work a query does, counted in SQLite virtual-machine steps.

A count of steps does not depend on the machine's speed or load, so a test can say "reading
costs the same at 10 and 10,000 rows" without timing anything.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database


def steps(db: Database, work: Callable[[], object]) -> int:
    """SQLite virtual-machine steps (in hundreds) that `work` takes on `db`'s connection."""
    counted = 0

    def count() -> int:
        nonlocal counted
        counted += 1
        return 0

    db.conn.set_progress_handler(count, 100)
    try:
        work()
    finally:
        db.conn.set_progress_handler(None, 0)
    return counted
