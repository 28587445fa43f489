"""The phase ladder as stored in the database (seeded from seed.yaml)."""

from sqlite_utils import Database

from storage.memo import memoized
from storage.models import Phase, PhaseLadder


def phase_ladder(db: Database) -> PhaseLadder:
    """All phases worst-first; remembered until the database changes, so call it freely."""
    return memoized(db, "ladder", lambda: _load(db))


def _load(db: Database) -> PhaseLadder:
    rows = db.query("SELECT slug, rank, label, label_uk, emoji FROM phases ORDER BY rank")
    return PhaseLadder(phases=tuple(Phase(**row) for row in rows))
