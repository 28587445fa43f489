"""Timeline charts as PNG bytes: pure functions of history, phase ladder and time.

No Telegram and no database here, so charts are tested (and drawn for the README) on plain
models. Matplotlib's object API (a Figure saved through Agg) is used instead of pyplot: it
needs no display, keeps no global figure list, and each call owns the figure it draws.

Matplotlib is imported on first draw, not with this module: importing it costs about a second
of CPU, and every `backchannel` process imports this module (through the bot's chart cache and
the status site) while most never draw: a bot drawing charts does so in its worker pool, whose
fork server preloads matplotlib (bot/charts/drawing.py).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from language.i18n import N_, Texts
from render.formatting import phase_label
from storage import PhaseLadder, StatusEntry

# What drawing imports; a process that will draw may import these ahead (a fork server).
MATPLOTLIB_MODULES = (
    "matplotlib.backends.backend_agg",
    "matplotlib.dates",
    "matplotlib.figure",
    "matplotlib.font_manager",
    "matplotlib.ft2font",
    "matplotlib.lines",
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.dates import DateLocator
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

# 1080 px wide: Telegram shows photos at full phone width without downscaling much.
DPI = 100
WIDTH_IN = 10.8
SINGLE_HEIGHT_IN = 8.1
PANEL_HEIGHT_IN = 4.0
HEADER_HEIGHT_IN = 1.4
MAX_PANELS = 12  # keeps the overview under Telegram's photo size limits (w + h <= 10000 px)

LINE_COLOR = "#1f5fa8"
NOTE_COLOR = "#e07b00"
TODAY_COLOR = "#c0392b"
EMPTY_TEXT = N_("Nothing recorded in this period")
# Month names come from Babel (matplotlib only knows English ones): "<MM>" is replaced.
_MONTH = re.compile(r"<(\d\d)>")


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


def _steps(series: Series, ladder: PhaseLadder, window: Window) -> tuple[list, list]:
    """The phase line as step points: start of window, each status change, then now."""
    where = _positions(ladder)
    xs: list[datetime] = []
    ys: list[int] = []
    if series.start_status is not None and series.start_status.phase in where:
        xs.append(window.since)
        ys.append(where[series.start_status.phase])
    for entry in series.entries:
        if entry.kind == "status" and entry.phase in where:
            xs.append(entry.changed_at)
            ys.append(where[entry.phase])
    if xs:
        xs.append(max(window.now, xs[-1]))
        ys.append(ys[-1])
    return xs, ys


def current_label(series: Series, ladder: PhaseLadder, _: Texts) -> str | None:
    """The phase the line ends on, as readers know it, or None when nothing is known."""
    statuses = [e for e in series.entries if e.kind == "status"]
    latest = statuses[-1] if statuses else series.start_status
    phase = ladder.get(latest.phase) if latest is not None else None
    return phase_label(phase, _) if phase is not None else None


def _heading(series: Series, ladder: PhaseLadder, _: Texts) -> str:
    current = current_label(series, ladder, _)
    return f"{series.title}: {current}" if current else series.title


def _local_date_formatter(locator: DateLocator, zone: tzinfo, _: Texts) -> Formatter:
    """Matplotlib's concise dates with month names in the reader's language."""
    return _local_date_formatter_class()(locator, zone, _)


@lru_cache(maxsize=1)
def _local_date_formatter_class() -> type[Formatter]:
    """The formatter's class, defined on first use: its base class is matplotlib's."""
    from matplotlib import dates as mdates

    class LocalDateFormatter(mdates.ConciseDateFormatter):
        """Matplotlib's concise dates with month names in the reader's language."""

        def __init__(self, locator: DateLocator, zone: tzinfo, _: Texts) -> None:
            super().__init__(
                locator, tz=zone,
                formats=["%Y", "<%m>", "%d", "%H:%M", "%H:%M", "%S.%f"],
                zero_formats=["", "%Y", "<%m>", "%d <%m>", "%H:%M", "%H:%M"],
                offset_formats=[
                    "", "%Y", "<%m> %Y", "%d <%m> %Y", "%d <%m> %Y", "%d <%m> %Y %H:%M",
                ],
            )  # fmt: skip
            self._months = _.locale.months["stand-alone"]["abbreviated"]

        def _local(self, value: str) -> str:
            return _MONTH.sub(lambda found: self._months[int(found.group(1))], value)

        def format_ticks(self, values: Sequence[float]) -> list[str]:
            """Tick labels, with month numbers turned into the language's month names."""
            return [self._local(label) for label in super().format_ticks(values)]

        def get_offset(self) -> str:
            """The year (and month) shown once beside the axis, in the language's words."""
            return self._local(super().get_offset())

    return LocalDateFormatter


def _draw(
    ax: Axes, series: Series, ladder: PhaseLadder, window: Window, size: int, _: Texts
) -> None:
    """Draw one channel on `ax`; `size` is the base font size in points."""
    from matplotlib import dates as mdates

    where = _positions(ladder)
    xs, ys = _steps(series, ladder, window)
    changes = [e for e in series.entries if e.kind == "status" and e.phase in where]
    notes = [e for e in series.entries if e.kind == "note" and e.phase in where]
    if xs:
        ax.step(xs, ys, where="post", color=LINE_COLOR, linewidth=size / 5, zorder=2)
    ax.scatter(
        [e.changed_at for e in changes],
        [where[e.phase] for e in changes],
        s=size * 6,
        color=LINE_COLOR,
        zorder=3,
    )
    ax.scatter(
        [e.changed_at for e in notes],
        [where[e.phase] for e in notes],
        s=size * 7,
        marker="D",
        color=NOTE_COLOR,
        edgecolors="white",
        zorder=4,
    )
    ax.axvline(window.now, color=TODAY_COLOR, linestyle="--", linewidth=2, zorder=1)
    if not xs and not notes:
        ax.text(
            0.5, 0.5, _(EMPTY_TEXT), transform=ax.transAxes, ha="center", va="center",
            fontsize=size, color="#666666",
        )  # fmt: skip
    labels = [drawable(phase_label(phase, _)) for phase in ladder.phases]
    ax.set_yticks(range(len(labels)), labels=labels, parse_math=False)
    ax.set_ylim(-0.6, max(len(labels), 1) - 0.4)
    span = window.now - window.since
    ax.set_xlim(window.since, window.now + max(span / 40, timedelta(hours=1)))
    locator = mdates.AutoDateLocator(tz=window.zone, minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_local_date_formatter(locator, window.zone, _))
    ax.tick_params(labelsize=size * 0.8)
    ax.xaxis.get_offset_text().set_fontsize(size * 0.7)
    ax.grid(axis="y", color="#dddddd", linewidth=1)
    ax.spines[["top", "right"]].set_visible(False)


def _legend(figure: Figure, size: int, _: Texts) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=LINE_COLOR, marker="o", linewidth=3, label=_("phase")),
        Line2D([], [], color=NOTE_COLOR, marker="D", linestyle="none", label=_("note")),
        Line2D([], [], color=TODAY_COLOR, linestyle="--", linewidth=2, label=_("today")),
    ]
    figure.legend(
        handles=handles, loc="outside lower center", ncols=3, fontsize=size * 0.8, frameon=False
    )


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def period_words(days: int, _: Texts) -> str:
    """ "last 30 days": the span a chart (and its caption) covers."""
    return _.plural("last {count} day", "last {count} days", days)


def _period(window: Window, _: Texts) -> str:
    if window.label is not None:
        return _(window.label)
    days = max(1, round((window.now - window.since) / timedelta(days=1)))
    return period_words(days, _)


def render_channel(series: Series, ladder: PhaseLadder, window: Window, _: Texts) -> bytes:
    """One channel's phase over time, as a PNG about 1080 px wide for phone screens."""
    from matplotlib.figure import Figure

    size = 22
    figure = Figure(figsize=(WIDTH_IN, SINGLE_HEIGHT_IN), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    _draw(ax, series, ladder, window, size, _)
    title = textwrap.fill(drawable(_heading(series, ladder, _)), 48)
    period = _period(window, _)
    ax.set_title(f"{title}\n{period}", fontsize=size, loc="left", parse_math=False, pad=14)
    _legend(figure, size, _)
    return _png(figure)


def render_overview(
    series: Sequence[Series], ladder: PhaseLadder, window: Window, heading: str, _: Texts
) -> bytes:
    """Several channels as small multiples, stacked so each stays readable on a phone.

    At most MAX_PANELS are drawn; the caller says in its caption when some were left out.
    """
    from matplotlib.figure import Figure

    size = 18
    shown = list(series)[:MAX_PANELS] or [Series(_("No channels"), None, ())]
    height = HEADER_HEIGHT_IN + PANEL_HEIGHT_IN * len(shown)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    figure.suptitle(
        f"{drawable(heading)}, {_period(window, _)}", fontsize=size * 1.3, x=0.02, ha="left"
    )
    for ax, one in zip(figure.subplots(len(shown), 1, squeeze=False)[:, 0], shown, strict=True):
        _draw(ax, one, ladder, window, size, _)
        title = textwrap.shorten(drawable(_heading(one, ladder, _)), 80, placeholder="…")
        ax.set_title(title, fontsize=size, loc="left", parse_math=False)
    _legend(figure, size, _)
    return _png(figure)
