"""Timeline charts as PNG bytes: pure functions of history, phase ladder and time.

Charts get shared (forwarded, posted, screenshotted), so each image carries what it needs to
be read on its own: every phase change numbered on the chart with a dated caption below it, a
credit line saying whose chart it is, as of when, and how each change's source is graded, and
text big enough to read when the 1080 px image is shown at phone width (~400 px).

No Telegram and no database here, so charts are tested (and drawn for the README) on plain
models. Matplotlib's object API (a Figure saved through Agg) is used instead of pyplot: it
needs no display, keeps no global figure list, and each call owns the figure it draws.

Matplotlib is imported on first draw, not with this module: importing it costs about a second
of CPU, and every `backchannel` process imports this module (through the bot's chart cache and
the status site) while most never draw. A bot draws in its worker pool, whose fork server
preloads MATPLOTLIB_MODULES (bot/charts/drawing.py); tests/test_startup_imports.py guards this.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from language.i18n import N_, Texts
from render.formatting import grade_name, phase_label
from storage import PhaseLadder, StatusEntry

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.lines import Line2D
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

# What drawing imports: a process about to draw (the chart pool's fork server) loads these ahead.
MATPLOTLIB_MODULES = (
    "matplotlib.backends.backend_agg",
    "matplotlib.figure",
    "matplotlib.font_manager",
    "matplotlib.ft2font",
    "matplotlib.lines",
    "matplotlib.patches",
    "matplotlib.text",
    "matplotlib.transforms",
    "render.chart_dates",
)

# 1080 px wide: Telegram shows photos at full phone width without downscaling much. Seen at
# ~400 px, a point of text here is ~0.5 px there: MIN_FONT keeps every letter ~10 px tall.
DPI = 100
WIDTH_IN = 10.8
CHART_HEIGHT_IN = 7.2  # the plot of one channel, with its title and dates
CAPTION_LINE_IN = 0.42  # each line of text under a chart
CAPTION_LEFT = 0.02  # where the text block's lines start, as a fraction of the width
CAPTION_BASE_IN = 0.5  # the key's row spacing and the margins of the text block
ROW_HEIGHT_IN = 0.9  # one channel's band in the overview
OVERVIEW_BASE_IN = 2.0  # the overview's title and dates
MIN_FONT = 20
TEXT_FONT = 21
TITLE_FONT = 26
MAX_ROWS = 20  # channels in one overview (Telegram photos need w + h <= 10000 px)
BUBBLE_PAD = 0.35  # around a marker's number, in font sizes
MAX_LISTED = 9  # changes numbered and listed under a chart: one digit each
MIN_MARGIN = timedelta(hours=12)  # space before the first entry when the axis starts there
LINE_CHARS = 56  # of TEXT_FONT text across the image

LINE_COLOR = "#1f5fa8"
NOTE_COLOR = "#e07b00"
TODAY_COLOR = "#c0392b"
MUTED_COLOR = "#555555"
EMPTY_TEXT = N_("Nothing recorded in this period")
# The overview's title, and the bot's and site's name for it (translated where shown).
OVERVIEW_HEADING = N_("All channels")


@dataclass(frozen=True)
class GradeStyle:
    """How a change is drawn for the grade of its source; `glyph` is its look in the credit
    line, so the image explains its own markers."""

    marker: str
    face: str
    edge: str
    text: str
    linestyle: str
    glyph: str


GRADE_STYLES = {
    "official": GradeStyle("o", LINE_COLOR, LINE_COLOR, "white", "solid", "●"),
    "mediator": GradeStyle("s", LINE_COLOR, LINE_COLOR, "white", "solid", "■"),
    "media": GradeStyle("o", "white", LINE_COLOR, LINE_COLOR, "solid", "○"),
    "unconfirmed": GradeStyle("o", "white", "#888888", MUTED_COLOR, "dotted", "◌"),
}


@dataclass(frozen=True)
class Series:
    """One channel's data for a chart: the status in effect when the window opens, then
    every entry inside the window, oldest first."""

    title: str
    start_status: StatusEntry | None
    entries: tuple[StatusEntry, ...]


@dataclass(frozen=True)
class Window:
    """The time span drawn, the zone its dates are shown in, and what to call the span
    (by default "last N days"; a label is a catalog entry, N_-marked, shown translated)."""

    since: datetime
    now: datetime
    zone: tzinfo
    label: str | None = None


@lru_cache(maxsize=1)
def _drawable_codepoints() -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return frozenset(FT2Font(path).get_charmap())


def drawable(value: str) -> str:
    """Drop characters the chart font lacks (emoji, mostly) instead of drawing empty boxes.

    Matplotlib would also warn for each missing glyph; titles come from admins, so any
    character may turn up.
    """
    known = _drawable_codepoints()
    kept = "".join(char for char in value if ord(char) in known)
    return " ".join(kept.split()) or "?"


def _positions(ladder: PhaseLadder) -> dict[str, int]:
    return {phase.slug: index for index, phase in enumerate(ladder.phases)}


def _changes(series: Series, ladder: PhaseLadder) -> list[StatusEntry]:
    where = _positions(ladder)
    return [e for e in series.entries if e.kind == "status" and e.phase in where]


def _steps(
    series: Series, changes: Sequence[StatusEntry], ladder: PhaseLadder, window: Window
) -> tuple[list, list]:
    """The phase line as step points: start of window, each status change (`changes`, as
    `_changes` gives them), then now."""
    where = _positions(ladder)
    xs: list[datetime] = []
    ys: list[int] = []
    if series.start_status is not None and series.start_status.phase in where:
        xs.append(window.since)
        ys.append(where[series.start_status.phase])
    for entry in changes:
        xs.append(entry.changed_at)
        ys.append(where[entry.phase])
    if xs:
        xs.append(max(window.now, xs[-1]))
        ys.append(ys[-1])
    return xs, ys


def drawn_since(series: Sequence[Series], window: Window) -> datetime:
    """Where the time axis starts: the window's start, or, when no channel shown has history
    that old, just before the first entry, so a young channel is not a thin line at the end
    of an empty year."""
    if any(one.start_status is not None for one in series):
        return window.since
    times = [entry.changed_at for one in series for entry in one.entries]
    if not times:
        return window.since
    first = min(times)
    margin = max((window.now - first) / 15, MIN_MARGIN)
    return max(window.since, first - margin)


def current_label(series: Series, ladder: PhaseLadder, _: Texts) -> str | None:
    """The phase the line ends on, as readers know it, or None when nothing is known."""
    statuses = [e for e in series.entries if e.kind == "status"]
    latest = statuses[-1] if statuses else series.start_status
    phase = ladder.get(latest.phase) if latest is not None else None
    return phase_label(phase, _) if phase is not None else None


def _heading(series: Series, ladder: PhaseLadder, _: Texts) -> str:
    current = current_label(series, ladder, _)
    return f"{series.title}: {current}" if current else series.title


def _time_axis(ax: Axes, since: datetime, window: Window, _: Texts) -> None:
    from render.chart_dates import LocalDateFormatter, SpacedLocator

    ax.axvline(window.now, color=TODAY_COLOR, linestyle="--", linewidth=2, zorder=1)
    span = window.now - since
    ax.set_xlim(since, window.now + max(span / 40, timedelta(hours=1)))
    locator = SpacedLocator(tz=window.zone, minticks=3, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(LocalDateFormatter(locator, window.zone, _))
    ax.tick_params(labelsize=MIN_FONT)
    ax.xaxis.get_offset_text().set_fontsize(MIN_FONT)
    ax.spines[["top", "right"]].set_visible(False)


def _style(entry: StatusEntry) -> GradeStyle:
    return GRADE_STYLES.get(entry.source_grade, GRADE_STYLES["unconfirmed"])


def _plain_dots(ax: Axes, changes: Sequence[StatusEntry], where: dict[str, int]) -> None:
    """Changes too old to be numbered: small markers in their grade's style."""
    for grade, style in GRADE_STYLES.items():
        shown = [e for e in changes if _style(e) is style]
        if shown:
            ax.scatter(
                [e.changed_at for e in shown], [where[e.phase] for e in shown],
                s=90, marker=style.marker, facecolors=style.face, edgecolors=style.edge,
                linestyles=style.linestyle, linewidths=2, zorder=3, label=f"_{grade}",
            )  # fmt: skip


def _numbered(ax: Axes, changes: Sequence[StatusEntry], where: dict[str, int]) -> list[Annotation]:
    """The listed changes as numbered markers, 1 for the oldest listed."""
    bubbles = []
    for number, entry in enumerate(changes, start=1):
        style = _style(entry)
        bubble = ax.annotate(
            str(number), (entry.changed_at, where[entry.phase]), xytext=(0, 0),
            textcoords="offset points", ha="center", va="center", fontsize=MIN_FONT,
            fontweight="bold", color=style.text, zorder=5, annotation_clip=False,
            bbox={
                "boxstyle": f"circle,pad={BUBBLE_PAD}" if style.marker == "o"
                else f"square,pad={BUBBLE_PAD}",
                "facecolor": style.face, "edgecolor": style.edge, "linewidth": 2.5,
                "linestyle": style.linestyle,
            },
            arrowprops={"arrowstyle": "-", "color": MUTED_COLOR, "linewidth": 1.5},
        )  # fmt: skip
        bubble.set_in_layout(False)
        bubbles.append(bubble)
    return bubbles


# Where a numbered marker may move when its place is taken, in marker widths: sideways
# first (time is approximate at chart scale) and only a little up or down, so it still sits
# beside the rung of its phase.
_NUDGES = [(0, 0), (1, 0.5), (-1, 0.5), (1, -0.5), (-1, -0.5), (2, 0), (-2, 0), (2, 0.5),
           (-2, 0.5), (2, -0.5), (-2, -0.5), (3, 0), (-3, 0)]  # fmt: skip


def _separate(figure: Figure, bubbles: Sequence[Annotation]) -> None:
    """Move numbered markers that would cover each other apart, each joined to its point by
    a thin line, so every number stays readable however close the changes are."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if len(bubbles) < 2:
        return
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw_without_rendering()  # lays the figure out, so positions are final
    placed: list[Bbox] = []
    for bubble in bubbles:
        box = _footprint(bubble, renderer)
        step = box.height * 1.05 * 72 / figure.dpi  # in points, as offsets are given
        for across, up in _NUDGES:
            bubble.xyann = (across * step, up * step)
            box = _footprint(bubble, renderer)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)


def _footprint(bubble: Annotation, renderer: RendererBase) -> Bbox:
    """The square a numbered marker covers: its number plus the padding of its circle (the
    drawn patch itself is only placed at the next draw)."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    number = Text.get_window_extent(bubble, renderer)  # the number alone, not its leader line
    pad = BUBBLE_PAD * bubble.get_fontsize() * renderer.points_to_pixels(1) + 2
    half = max(number.width, number.height) / 2 + pad
    x, y = (number.x0 + number.x1) / 2, (number.y0 + number.y1) / 2
    return Bbox.from_extents(x - half, y - half, x + half, y + half)


def _draw_channel(ax: Axes, series: Series, changes: Sequence[StatusEntry],
                  listed: Sequence[StatusEntry], earlier: Sequence[StatusEntry],
                  ladder: PhaseLadder, window: Window, since: datetime,
                  _: Texts) -> list[Annotation]:  # fmt: skip
    """Draw one channel on `ax`, `listed` changes numbered and `earlier` ones plain, its time
    axis starting at `since`; returns the numbered markers."""
    where = _positions(ladder)
    xs, ys = _steps(series, changes, ladder, window)
    notes = [e for e in series.entries if e.kind == "note" and e.phase in where]
    if xs:
        ax.step(xs, ys, where="post", color=LINE_COLOR, linewidth=4, zorder=2)
    _plain_dots(ax, earlier, where)
    ax.scatter(
        [e.changed_at for e in notes], [where[e.phase] for e in notes], s=160, marker="D",
        color=NOTE_COLOR, edgecolors="white", zorder=4,
    )  # fmt: skip
    bubbles = _numbered(ax, listed, where)
    if not xs and not notes:
        ax.text(
            0.5, 0.5, _(EMPTY_TEXT), transform=ax.transAxes, ha="center", va="center",
            fontsize=TEXT_FONT, color=MUTED_COLOR,
        )  # fmt: skip
    labels = [drawable(phase_label(phase, _)) for phase in ladder.phases]
    ax.set_yticks(range(len(labels)), labels=labels, parse_math=False)
    ax.set_ylim(-0.6, max(len(labels), 1) - 0.4)
    ax.grid(axis="y", color="#dddddd", linewidth=1)
    _time_axis(ax, since, window, _)
    return bubbles


def credit(window: Window, _: Texts) -> str:
    """The credit line every chart carries: whose it is, as of when, and the grade markers."""
    as_of = _("Backchannel · as of {date} · source grades:", date=_.date(window.now, window.zone))
    grades = "   ".join(
        f"{style.glyph} {grade_name(grade, _)}" for grade, style in GRADE_STYLES.items()
    )
    return f"{as_of}\n{grades}"


def change_line(number: int, entry: StatusEntry, zone: tzinfo, _: Texts) -> str:
    """One caption line: "1 · 3 Mar 2025 · Talks resumed" (the summary in the reader's
    language when there is one, shortened to fit the width)."""
    summary = " ".join(entry.summary_in(_.language)[0].split())
    line = drawable(f"{number} · {_.date(entry.changed_at, zone)} · {summary}")
    return textwrap.shorten(line, LINE_CHARS, placeholder="…")


def _key_handles(_: Texts) -> list[Line2D]:
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color=LINE_COLOR, linewidth=4, label=_("phase")),
        Line2D(
            [], [], color=NOTE_COLOR, marker="D", markersize=12, linestyle="none", label=_("note")
        ),
        Line2D([], [], color=TODAY_COLOR, linestyle="--", linewidth=2, label=_("today")),
    ]


def _caption(block: SubFigure, lines: Sequence[str], handles: list, columns: int,
             key_rows: int, window: Window, _: Texts) -> None:  # fmt: skip
    """The text block under a chart, top to bottom: `lines`, the key, the credit line."""
    rows = len(lines) + key_rows + 2  # the credit takes two
    margin = CAPTION_BASE_IN / 2 / (CAPTION_BASE_IN + CAPTION_LINE_IN * rows)
    height = (1 - 2 * margin) / rows
    top = 1 - margin
    for index, line in enumerate(lines):
        block.text(
            CAPTION_LEFT, top - (index + 0.5) * height, line, va="center", fontsize=TEXT_FONT,
            parse_math=False,
        )  # fmt: skip
    if handles:
        key_top = top - len(lines) * height
        key = block.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(CAPTION_LEFT, key_top),
            bbox_transform=block.transSubfigure, ncols=columns, fontsize=MIN_FONT, frameon=False,
            borderaxespad=0, handlelength=1.6, columnspacing=1.2, borderpad=0,
        )  # fmt: skip
        for label in key.get_texts():  # a phase label is text, never a $formula$
            label.set_parse_math(False)
    block.text(
        CAPTION_LEFT, margin, credit(window, _), va="bottom", fontsize=MIN_FONT,
        color=MUTED_COLOR, linespacing=1.4, parse_math=False,
    )  # fmt: skip


def _layout(chart_height: float, text_height: float) -> tuple[Figure, Axes, SubFigure]:
    """A figure with the chart on top and a full-width text block under it (its own
    subfigure, so the caption is not squeezed under the chart's plot area)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, chart_height + text_height), dpi=DPI, layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[chart_height, text_height])
    return figure, top.add_subplot(), bottom


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def period_words(days: int, _: Texts) -> str:
    """ "last 30 days": the span a chart (and its caption) covers."""
    return _.plural("last {count} day", "last {count} days", days)


def _subtitle(ax: Axes, value: str) -> None:
    """The grey line under a chart's title (the period shown), kept to the image's width."""
    line = textwrap.shorten(drawable(value), LINE_CHARS, placeholder="…")
    ax.text(
        0, 1.02, line, transform=ax.transAxes, fontsize=TEXT_FONT, color=MUTED_COLOR,
        va="bottom", parse_math=False, in_layout=False,
    )  # fmt: skip


def _period(series: Sequence[Series], window: Window, since: datetime, _: Texts) -> str:
    """The subtitle's period; `since` is where the time axis starts (`drawn_since`)."""
    if window.label is not None:
        return _(window.label)
    days = max(1, round((window.now - window.since) / timedelta(days=1)))
    period = period_words(days, _)
    if since == window.since:
        return period
    first = min(entry.changed_at for one in series for entry in one.entries)
    return _("{period}, from the first entry on {date}", period=period,
             date=_.date(first, window.zone))  # fmt: skip


def caption_lines(
    listed: Sequence[StatusEntry], earlier: Sequence[StatusEntry], window: Window, _: Texts
) -> list[str]:
    """What is written under a channel's chart: the numbered changes (`listed`, the
    MAX_LISTED most recent), and how many `earlier` ones are drawn but not listed."""
    lines = [change_line(n, e, window.zone, _) for n, e in enumerate(listed, start=1)]
    if earlier:
        count = len(earlier)
        lines.append(_.plural("and {count} earlier change", "and {count} earlier changes", count))
    return lines


def render_channel(series: Series, ladder: PhaseLadder, window: Window, _: Texts) -> bytes:
    """One channel's phase over time, as a PNG 1080 px wide for phone screens."""
    return _png(channel_figure(series, ladder, window, _))


def channel_figure(series: Series, ladder: PhaseLadder, window: Window, _: Texts) -> Figure:
    """The figure `render_channel` saves: the chart above, the caption block below."""
    changes = _changes(series, ladder)
    listed, earlier = changes[-MAX_LISTED:], changes[: max(0, len(changes) - MAX_LISTED)]
    since = drawn_since([series], window)
    lines = caption_lines(listed, earlier, window, _)
    text_height = CAPTION_BASE_IN + CAPTION_LINE_IN * (len(lines) + 3)
    figure, ax, below = _layout(CHART_HEIGHT_IN, text_height)
    bubbles = _draw_channel(ax, series, changes, listed, earlier, ladder, window, since, _)
    title = textwrap.fill(drawable(_heading(series, ladder, _)), 40)
    ax.set_title(title, fontsize=TITLE_FONT, loc="left", parse_math=False, pad=44)
    _subtitle(ax, _period([series], window, since, _))
    _caption(below, lines, _key_handles(_), 3, 1, window, _)
    _separate(figure, bubbles)
    return figure


def _bands(ax: Axes, row: int, steps: tuple[list, list], changes: Sequence[StatusEntry],
           ladder: PhaseLadder, colours: dict[str, tuple]) -> None:  # fmt: skip
    """One channel's row of the overview: a band coloured by phase (`steps`, as `_steps`
    gives them), changes marked by grade."""
    from matplotlib import dates as mdates

    xs, ys = steps
    slugs = [phase.slug for phase in ladder.phases]
    for start, end, position in zip(xs, xs[1:], ys, strict=False):
        slug = slugs[position]
        ax.broken_barh(
            [(mdates.date2num(start), mdates.date2num(end) - mdates.date2num(start))],
            (row - 0.35, 0.7), facecolors=colours[slug], edgecolor="none", zorder=2,
        )  # fmt: skip
    for grade, style in GRADE_STYLES.items():
        shown = [e for e in changes if _style(e) is style]
        if shown:
            ax.scatter(
                [e.changed_at for e in shown], [row] * len(shown), s=110, marker=style.marker,
                facecolors="white" if style.face == "white" else "#222222",
                edgecolors="#222222", linestyles=style.linestyle, linewidths=2, zorder=3,
                label=f"_{grade}",
            )  # fmt: skip


def _phases(steps: tuple[list, list], ladder: PhaseLadder) -> set[str]:
    """The phases a channel's band shows in the window (`steps`, as `_steps` gives them)."""
    ys = steps[1]
    return {ladder.phases[position].slug for position in ys}


def _row_label(title: str) -> str:
    lines = textwrap.wrap(drawable(title), 18, max_lines=2, placeholder="…")
    return "\n".join(lines) or "?"


def phase_colours(ladder: PhaseLadder) -> dict[str, tuple]:
    """Each phase's colour, red for the worst rung to green for the best."""
    from matplotlib import colormaps

    palette = colormaps["RdYlGn"]
    count = max(len(ladder.phases) - 1, 1)
    return {
        phase.slug: palette(0.05 + 0.9 * index / count) for index, phase in enumerate(ladder.phases)
    }


def render_overview(
    series: Sequence[Series], ladder: PhaseLadder, window: Window, heading: str, _: Texts
) -> bytes:
    """Every channel in one panel, as a PNG 1080 px wide for phone screens."""
    return _png(overview_figure(series, ladder, window, heading, _))


def overview_figure(
    series: Sequence[Series], ladder: PhaseLadder, window: Window, heading: str, _: Texts
) -> Figure:
    """One panel for all channels: a row each, its band coloured by phase over time, the
    channel's name beside it. At most MAX_ROWS are drawn; the caller says in its caption
    when some were left out."""
    from matplotlib.patches import Patch

    shown = list(series)[:MAX_ROWS]
    colours = phase_colours(ladder)
    rows = max(len(shown), 1)
    changes = [_changes(one, ladder) for one in shown]
    steps = [_steps(one, found, ladder, window) for one, found in zip(shown, changes, strict=True)]
    phases = set().union(*(_phases(one, ladder) for one in steps))
    key_rows = (len(phases) + 2) // 2  # the phases and "today", two a row
    text_height = CAPTION_BASE_IN + CAPTION_LINE_IN * (key_rows + 2)
    chart_height = OVERVIEW_BASE_IN + ROW_HEIGHT_IN * rows
    figure, ax, below = _layout(chart_height, text_height)
    for row, (found, points) in enumerate(zip(changes, steps, strict=True)):
        _bands(ax, row, points, found, ladder, colours)
    if not shown:
        ax.text(
            0.5, 0.5, _("No channels"), transform=ax.transAxes, ha="center", va="center",
            fontsize=TEXT_FONT, color=MUTED_COLOR,
        )  # fmt: skip
    ax.set_yticks(range(len(shown)), labels=[_row_label(one.title) for one in shown],
                  parse_math=False)  # fmt: skip
    ax.set_ylim(rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines[["left"]].set_visible(False)
    since = drawn_since(shown, window)
    _time_axis(ax, since, window, _)
    ax.set_title(drawable(heading), fontsize=TITLE_FONT, loc="left", parse_math=False, pad=44)
    _subtitle(ax, _period(shown, window, since, _))
    handles = [
        Patch(facecolor=colours[phase.slug], label=drawable(phase_label(phase, _)))
        for phase in ladder.phases
        if phase.slug in phases
    ]
    handles.append(_key_handles(_)[-1])
    _caption(below, [], handles, 2, key_rows, window, _)
    return figure
