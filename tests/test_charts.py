"""Chart rendering as a pure function: history, ladder and time in, a PNG out."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import storage
from language.i18n import texts
from render.charts import (
    MAX_PANELS,
    Series,
    Window,
    current_label,
    drawable,
    render_channel,
    render_overview,
)
from tests.chart_support import entry, many_entries, png_size

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=90), NOW, ZoneInfo("Europe/Kyiv"))


@pytest.fixture
def ladder(db) -> storage.PhaseLadder:
    return storage.phase_ladder(db)


@pytest.mark.parametrize("rows", [0, 1, 500])
def test_channel_chart_is_a_phone_sized_png(ladder, rows: int) -> None:
    entries = many_entries(rows, NOW, ladder.slugs())
    png = render_channel(
        Series("Tactical ceasefire proposals", None, entries), ladder, WINDOW, texts("en")
    )
    assert png_size(png) == (1080, 810)
    assert 15_000 < len(png) < 400_000


def test_more_history_draws_more(ladder) -> None:
    empty = render_channel(Series("Aid", None, ()), ladder, WINDOW, texts("en"))
    busy = render_channel(
        Series("Aid", None, many_entries(50, NOW, ladder.slugs())), ladder, WINDOW, texts("en")
    )
    assert empty != busy


@pytest.mark.parametrize(
    "title",
    [
        "Peace talks 🕊️ in Istanbul 🇹🇷",  # emoji are not in the chart font
        "Costs of $5bn and $7bn",  # would be mathtext if parsed
        "Обмін полоненими " * 8,  # Cyrillic, and long enough to wrap
        "<b>&amp;</b>",
    ],
)
def test_any_title_renders_without_warnings(ladder, title: str) -> None:
    # pytest turns warnings into errors, so a missing glyph or a mathtext error fails here.
    png = render_channel(Series(title, entry(1, NOW, "stalled"), ()), ladder, WINDOW, texts("en"))
    assert png_size(png)[0] == 1080


def test_drawable_drops_only_what_the_font_lacks() -> None:
    assert drawable("Peace 🕊 talks 🇹🇷") == "Peace talks"
    assert drawable("Обмін: 5 → 6 €") == "Обмін: 5 → 6 €"
    assert drawable("🕊") == "?"


def test_current_label_follows_the_last_status_not_notes(ladder) -> None:
    start = entry(1, NOW - timedelta(days=400), "stalled")
    assert current_label(Series("x", start, ()), ladder, texts("en")) == "Stalled"
    moves = (entry(2, NOW - timedelta(days=9), "negotiating"), entry(3, NOW, "agreement", "note"))
    assert current_label(Series("x", start, moves), ladder, texts("en")) == "Negotiating"
    assert current_label(Series("x", None, ()), ladder, texts("en")) is None


@pytest.mark.parametrize(("channels", "panels"), [(0, 1), (1, 1), (6, 6), (20, MAX_PANELS)])
def test_overview_stacks_one_panel_per_channel(ladder, channels: int, panels: int) -> None:
    series = [
        Series(f"Channel {n}", entry(n, NOW - timedelta(days=200), "proposed"), ())
        for n in range(channels)
    ]
    png = render_overview(series, ladder, WINDOW, "Backchannel", texts("en"))
    assert png_size(png) == (1080, 140 + 400 * panels)
