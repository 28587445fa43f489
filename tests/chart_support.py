"""Helpers for chart tests: build history entries and read PNGs back."""

import io
from datetime import datetime, timedelta

from PIL import Image

from storage import StatusEntry

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def entry(number: int, when: datetime, phase: str, kind: str = "status") -> StatusEntry:
    return StatusEntry(
        id=number, channel_id=1, kind=kind, phase=phase, summary=f"entry {number}",
        source_label=None, source_url=None, source_grade="media", changed_at=when,
        recorded_at=when, actor_id=None, actor_name="test",
    )  # fmt: skip


def many_entries(count: int, end: datetime, phases: list[str]) -> tuple[StatusEntry, ...]:
    """`count` entries spread over the 90 days before `end`, every fifth one a note."""
    step = timedelta(days=90) / max(count, 1)
    return tuple(
        entry(
            number,
            end - timedelta(days=90) + step * number,
            phases[(number * 3) % len(phases)],
            "note" if number % 5 == 4 else "status",
        )
        for number in range(count)
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height after a full decode, so a truncated file fails."""
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size
