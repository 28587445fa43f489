# ruff: noqa: RUF001  (Ukrainian words made only of letters that look Latin are meant)
"""Chart rendering as a pure function: history, ladder and time in, a PNG out.

Charts are shared as images, so what they say is asserted on the drawn figure itself: the
numbered changes and their caption, the credit line, where the time axis starts, the size
of every text at phone width, and that nothing covers anything else.
"""

import re
from datetime import UTC, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from matplotlib import dates as mdates
from matplotlib.text import Annotation

import storage
from language.i18n import texts
from render.charts import (
    LINE_COLOR,
    MAX_LISTED,
    MAX_ROWS,
    MIN_FONT,
    Series,
    Window,
    channel_figure,
    current_label,
    drawable,
    overview_figure,
    render_channel,
    render_overview,
)
from tests.chart_support import entry, many_entries, png_size, shown_texts

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=90), NOW, ZoneInfo("Europe/Kyiv"))


@pytest.fixture
def ladder(db) -> storage.PhaseLadder:
    return storage.phase_ladder(db)


# Height: the chart, then a line under it per listed change (and "and K earlier").
@pytest.mark.parametrize(("rows", "height"), [(0, 896), (1, 938), (500, 1316)])
def test_channel_chart_is_a_phone_sized_png(ladder, rows: int, height: int) -> None:
    entries = many_entries(rows, NOW, ladder.slugs())
    png = render_channel(
        Series("Tactical ceasefire proposals", None, entries), ladder, WINDOW, texts("en")
    )
    assert png_size(png) == (1080, height)
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
    moved = entry(2, NOW, "proposed", summary=title)  # summaries are written in the caption too
    png = render_channel(Series("x", None, (moved,)), ladder, WINDOW, texts("en"))
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


# Height: the title and dates, a row per channel, the key and the credit line.
@pytest.mark.parametrize(("channels", "height"), [(0, 466), (1, 466), (6, 916), (30, 2176)])
def test_overview_is_one_panel_with_a_row_per_channel(ladder, channels: int, height: int) -> None:
    series = [
        Series(f"Channel {n}", entry(n, NOW - timedelta(days=200), "proposed"), ())
        for n in range(channels)
    ]
    png = render_overview(series, ladder, WINDOW, "All channels", texts("en"))
    assert png_size(png) == (1080, height)
    figure = overview_figure(series, ladder, WINDOW, "All channels", texts("en"))
    (ax,) = figure.axes  # one panel, not a ladder per channel
    rows = [label.get_text() for label in ax.get_yticklabels()]
    assert rows == [f"Channel {n}" for n in range(min(channels, MAX_ROWS))]


def _figure_texts(figure) -> list[str]:
    return [artist.get_text() for artist in shown_texts(figure)]


HISTORY = (
    entry(1, NOW - timedelta(days=60), "proposed", summary="Talks proposed", grade="official"),
    entry(2, NOW - timedelta(days=40), "negotiating", summary="Talks resumed", grade="mediator"),
    entry(3, NOW - timedelta(days=30), "negotiating", "note", summary="Venue agreed"),
    entry(4, NOW - timedelta(days=10), "stalled", summary="Talks stalled", grade="unconfirmed"),
)


def test_each_change_is_numbered_on_the_chart_and_listed_under_it(ladder) -> None:
    start = entry(0, NOW - timedelta(days=400), "stalled")
    figure = channel_figure(Series("Aid", start, HISTORY), ladder, WINDOW, texts("en"))
    (ax,) = figure.axes
    bubbles = [a for a in ax.texts if isinstance(a, Annotation)]
    where = {phase.slug: index for index, phase in enumerate(ladder.phases)}
    changes = [e for e in HISTORY if e.kind == "status"]
    assert [b.get_text() for b in bubbles] == ["1", "2", "3"]  # notes are not numbered
    assert [b.xy for b in bubbles] == [(e.changed_at, where[e.phase]) for e in changes]
    # Each marker is drawn in its grade's style, as the credit line shows them.
    styles = [(b.get_bbox_patch().get_facecolor(), b.get_bbox_patch().get_linestyle())
              for b in bubbles]  # fmt: skip
    assert styles[0][0] == styles[1][0] != styles[2][0]  # official, mediator filled
    assert styles[2][1] == "dotted"  # unconfirmed
    shapes = [type(b.get_bbox_patch().get_boxstyle()).__name__ for b in bubbles]
    assert shapes == ["Circle", "Square", "Circle"]  # mediator: square
    assert figure.axes[0].get_lines()[0].get_color() == LINE_COLOR
    shown = _figure_texts(figure)
    for line in ["1 · 25 Sep 2026 · Talks proposed", "2 · 15 Oct 2026 · Talks resumed",
                 "3 · 14 Nov 2026 · Talks stalled"]:  # fmt: skip
        assert line in shown
    assert not any("Venue agreed" in text for text in shown)
    assert not any("earlier" in text for text in shown)


def test_many_changes_list_the_most_recent_and_count_the_earlier(ladder) -> None:
    phases = ["proposed", "negotiating"]
    changes = tuple(
        entry(n, NOW - timedelta(days=80 - 3 * n), phases[n % 2], summary=f"Change {n}")
        for n in range(20)
    )
    figure = channel_figure(Series("Aid", None, changes), ladder, WINDOW, texts("en"))
    shown = _figure_texts(figure)
    listed = [text for text in shown if re.match(r"\d · ", text)]
    assert len(listed) == MAX_LISTED
    assert listed[0].startswith("1 · ") and listed[0].endswith(" · Change 11")
    assert listed[-1].endswith(" · Change 19")
    assert "and 11 earlier changes" in shown
    bubbles = [a for a in figure.axes[0].texts if isinstance(a, Annotation)]
    assert [b.get_text() for b in bubbles] == [str(n) for n in range(1, MAX_LISTED + 1)]


def test_numbers_never_cover_each_other_and_nothing_leaves_the_image(ladder) -> None:
    # Nine changes within a few hours on a year's chart: all at nearly the same x.
    phases = ["proposed", "negotiating", "proposed"]
    changes = tuple(
        entry(n, NOW - timedelta(days=100, minutes=-20 * n), phases[n % 3],
              summary="A long summary of what happened in the talks today " * 3)
        for n in range(MAX_LISTED)
    )  # fmt: skip
    window = Window(NOW - timedelta(days=365), NOW, WINDOW.zone)
    start = entry(99, NOW - timedelta(days=400), "stalled")
    figure = channel_figure(Series("Aid", start, changes), ladder, window, texts("uk"))
    shown = shown_texts(figure)
    renderer = figure.canvas.get_renderer()
    bubbles = [
        a.get_bbox_patch().get_window_extent(renderer) for a in shown if isinstance(a, Annotation)
    ]
    assert len(bubbles) == MAX_LISTED
    assert not [pair for pair in combinations(bubbles, 2) if pair[0].overlaps(pair[1])]
    image = figure.bbox
    for text in shown:
        box = text.get_window_extent(renderer)
        assert image.x0 <= box.x0 and box.x1 <= image.x1, text.get_text()


@pytest.mark.parametrize("language", ["en", "uk"])
def test_every_text_is_big_enough_for_a_phone(ladder, language: str) -> None:
    # The 1080 px image is seen ~400 px wide: MIN_FONT points there are ~10 px letters.
    for figure in [
        channel_figure(Series("Aid", None, HISTORY), ladder, WINDOW, texts(language)),
        overview_figure([Series("Aid", None, HISTORY)] * 3, ladder, WINDOW, "x", texts(language)),
    ]:
        small = [(t.get_text(), t.get_fontsize()) for t in shown_texts(figure)
                 if t.get_fontsize() < MIN_FONT]  # fmt: skip
        assert small == []


@pytest.mark.parametrize(
    ("language", "credit"),
    [
        ("en", "Backchannel · as of 24 Nov 2026 · source grades:\n"
               "● official   ■ mediator   ○ media   ◌ unconfirmed"),
        ("uk", "Backchannel · станом на 24 листопада 2026 · оцінки джерел:\n"
               "● офіційне   ■ посередник   ○ ЗМІ   ◌ непідтверджене"),
    ],
)  # fmt: skip
def test_every_chart_carries_the_credit_line(ladder, language: str, credit: str) -> None:
    _ = texts(language)
    assert credit in _figure_texts(channel_figure(Series("Aid", None, ()), ladder, WINDOW, _))
    overview = overview_figure([Series("Aid", None, HISTORY)], ladder, WINDOW, "x", _)
    assert credit in _figure_texts(overview)


def test_the_axis_starts_at_the_first_entry_when_history_is_shorter(ladder) -> None:
    young = (entry(1, NOW - timedelta(days=5), "proposed"), entry(2, NOW, "negotiating"))
    for figure in [
        channel_figure(Series("Aid", None, young), ladder, WINDOW, texts("en")),
        overview_figure([Series("Aid", None, young)], ladder, WINDOW, "x", texts("en")),
    ]:
        left = mdates.num2date(figure.axes[0].get_xlim()[0])
        assert NOW - timedelta(days=6) < left < NOW - timedelta(days=5)
        assert "last 90 days, from the first entry on 19 Nov 2026" in _figure_texts(figure)
    # With older history the whole window is drawn.
    old = Series("Aid", entry(0, NOW - timedelta(days=400), "stalled"), young)
    figure = channel_figure(old, ladder, WINDOW, texts("en"))
    assert mdates.num2date(figure.axes[0].get_xlim()[0]) == WINDOW.since
    assert "last 90 days" in _figure_texts(figure)


def test_overview_colours_each_channel_by_phase_with_a_key(ladder) -> None:
    rows = [
        Series("Aid", entry(0, NOW - timedelta(days=400), "stalled"), HISTORY),
        Series("Corridors", entry(9, NOW - timedelta(days=400), "agreement"), ()),
    ]
    figure = overview_figure(rows, ladder, WINDOW, "All channels", texts("uk"))
    (ax,) = figure.axes
    bands = [(c.get_paths()[0].get_extents(), tuple(c.get_facecolor()[0])) for c in ax.collections
             if c.get_paths() and len(c.get_paths()) == 1 and c.get_facecolor().shape[0] == 1
             and c.get_paths()[0].get_extents().height == pytest.approx(0.7)]  # fmt: skip
    # Aid: stalled, proposed, negotiating, stalled; Corridors: agreement all along.
    assert len(bands) == 5
    assert bands[0][1] == bands[3][1] != bands[1][1]
    shown = _figure_texts(figure)
    for label in ["Застопорено", "Запропоновано", "Тривають переговори", "Домовленість",
                  "сьогодні"]:  # fmt: skip
        assert label in shown
    assert "Зірвано" not in shown  # only the phases drawn are in the key


def test_ukrainian_charts_have_no_latin_words_but_the_name(ladder) -> None:
    _ = texts("uk")
    young = (entry(1, NOW - timedelta(days=5), "proposed", summary="Переговори відновлено"),)
    figures = [
        channel_figure(Series("Допомога", None, young), ladder, WINDOW, _),
        channel_figure(
            Series("Допомога", None, many_entries(40, NOW, ["stalled"])), ladder, WINDOW, _
        ),
        overview_figure([Series("Допомога", None, young)], ladder, WINDOW, _("All channels"), _),
    ]
    for figure in figures:
        words = " ".join(_figure_texts(figure)).replace("Backchannel", "")
        words = re.sub(r"entry \d+", "", words)  # the test entries' own summaries
        assert re.findall(r"[A-Za-z]+", words) == []


def test_dollar_signs_in_any_label_are_drawn_as_written(ladder) -> None:
    """A phase label, title or summary with two `$` was read by matplotlib as a formula
    (italics, spaces dropped) in the overview's key: every text is drawn literally."""
    costly = "Frozen ($5m and $7m held)"
    phases = tuple(
        phase.model_copy(update={"label": costly}) if phase.slug == "stalled" else phase
        for phase in ladder.phases
    )
    dollar_ladder = storage.PhaseLadder(phases=phases)
    rows = [Series("Aid $1 and $2", entry(0, NOW - timedelta(days=400), "stalled"), HISTORY)]
    for figure in [
        overview_figure(rows, dollar_ladder, WINDOW, "All $ channels $", texts("en")),
        channel_figure(rows[0], dollar_ladder, WINDOW, texts("en")),
    ]:
        shown = shown_texts(figure)
        assert any(costly in artist.get_text() for artist in shown)
        as_formula = [a.get_text() for a in shown if a._preprocess_math(a.get_text())[1]]
        assert as_formula == []
