"""The phase ladder as stored in the database (seeded from seed.yaml)."""

from functools import lru_cache

from sqlite_utils import Database

from storage.memo import memoized
from storage.models import Phase, PhaseLadder


def phase_ladder(db: Database) -> PhaseLadder:
    """All phases worst-first; remembered until the phases change, so call it freely."""
    return memoized(db, "phases", "ladder", lambda: _load(db))


def _load(db: Database) -> PhaseLadder:
    rows = db.execute(
        "SELECT slug, rank, label, label_uk, emoji FROM phases ORDER BY rank"
    ).fetchall()
    return _ladder(tuple(rows))


@lru_cache(maxsize=16)
def _ladder(rows: tuple[tuple[str, int, str, str | None, str], ...]) -> PhaseLadder:
    # A write to `phases` reloads the ladder (a new label, say); the same rows give back the
    # same (immutable) ladder.
    return PhaseLadder(
        phases=tuple(
            Phase(slug=slug, rank=rank, label=label, label_uk=label_uk, emoji=emoji)
            for slug, rank, label, label_uk, emoji in rows
        )
    )
