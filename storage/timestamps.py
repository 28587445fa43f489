"""One text format for every stored time, so SQL ordering by string equals ordering by time."""

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """Store as ISO-8601 in UTC; naive datetimes are refused rather than guessed at."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    """Read back what to_db wrote (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def utc_now() -> datetime:
    """The current time, aware and in UTC; tests freeze it with time-machine."""
    return datetime.now(UTC)
