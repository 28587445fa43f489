"""Helpers for chart tests: build history entries and read PNGs back."""

import io
from datetime import datetime, timedelta

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

import render.charts
from storage import StatusEntry

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def entry(
    number: int, when: datetime, phase: str, kind: str = "status", *, summary: str | None = None,
    grade: str = "media",
) -> StatusEntry:  # fmt: skip
    return StatusEntry(
        id=number, channel_id=1, kind=kind, phase=phase, summary=summary or f"entry {number}",
        source_label=None, source_url=None, source_grade=grade, changed_at=when,
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


def shown_texts(figure: Figure) -> list[Text]:
    """Every piece of text the figure draws (after laying it out, so tick labels exist)."""
    figure.draw_without_rendering()
    return [
        artist for artist in figure.findobj(Text)
        if artist.get_visible() and artist.get_text().strip()
    ]  # fmt: skip


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height after a full decode, so a truncated file fails."""
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every chart figure saved as a PNG (by the bot, the CLI or the site), to read what the
    picture says; drawing in test threads happens in this process."""
    drawn: list[Figure] = []
    real = render.charts._png

    def keeping(figure: Figure) -> bytes:
        drawn.append(figure)
        return real(figure)

    monkeypatch.setattr(render.charts, "_png", keeping)
    return drawn
