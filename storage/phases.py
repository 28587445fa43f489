"""The phase ladder as stored in the database (seeded from seed.yaml)."""

from sqlite_utils import Database

from storage.models import Phase, PhaseLadder


def phase_ladder(db: Database) -> PhaseLadder:
    """All phases worst-first; cheap (eight rows), so callers need not cache it."""
    rows = db.query("SELECT slug, rank, label, emoji FROM phases ORDER BY rank")
    return PhaseLadder(phases=tuple(Phase(**row) for row in rows))
