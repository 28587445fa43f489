"""The chart's time axis: matplotlib's date ticks, spaced out and in the reader's language.

Its own module because its classes subclass matplotlib's: render/charts.py imports it only
when drawing, so processes that never draw never import matplotlib.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import tzinfo

from matplotlib import dates as mdates

from language.i18n import Texts

# Month names come from Babel (matplotlib only knows English ones): "<MM>" is replaced.
_MONTH = re.compile(r"<(\d\d)>")


class LocalDateFormatter(mdates.ConciseDateFormatter):
    """Matplotlib's concise dates with month names in the reader's language."""

    def __init__(self, locator: mdates.DateLocator, zone: tzinfo, _: Texts) -> None:
        super().__init__(
            locator, tz=zone,
            formats=["%Y", "<%m>", "%d", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%Y", "<%m>", "%d <%m>", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "<%m> %Y", "%d <%m> %Y", "%d <%m> %Y", "%d <%m> %Y %H:%M"],
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


class SpacedLocator(mdates.AutoDateLocator):
    """Matplotlib's date ticks without the crowded pair where a month starts (29, 1 Dec):
    a tick much closer to the one before than the usual spacing is dropped."""

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        """The usual ticks, less any that would print over its neighbour."""
        ticks = list(super().tick_values(vmin, vmax))
        if len(ticks) < 3:
            return ticks
        gaps = sorted(b - a for a, b in itertools.pairwise(ticks))
        usual = gaps[len(gaps) // 2]
        kept = [ticks[0]]
        for tick in ticks[1:]:
            if tick - kept[-1] >= usual * 0.75:
                kept.append(tick)
        return kept
