"""What a benchmark hands back to `bench/run.py`: figures with targets, and failed checks.

A benchmark measures each figure once per repetition; the report shows the median and the
spread (min-max) and judges the median against the figure's target (every repetition, for
targets such as "no 429 at all"). A correctness check that
fails (a wrong reply, a lost digest, a fake Telegram that does not enforce its limit) is a
`failure`, which fails the run at any size; a missed target fails only a full run.
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Target:
    """A bound the median must meet: at most and/or at least a value.

    `every_run`: every repetition must meet it, not just the median (a 429 in any run fails).
    """

    at_most: float | None = None
    at_least: float | None = None
    every_run: bool = False

    def met(self, value: float) -> bool:
        """Whether `value` is within the bound."""
        if self.at_most is not None and value > self.at_most:
            return False
        return self.at_least is None or value >= self.at_least

    def describe(self, digits: int, unit: str) -> str:
        """E.g. "≤ 1.50", "≥ 0.90", "= 0"."""
        if self.at_most is not None and self.at_most == self.at_least:
            return f"= {self.at_most:,.{digits}f}{unit}"
        bounds = []
        if self.at_least is not None:
            bounds.append(f"≥ {self.at_least:,.{digits}f}{unit}")
        if self.at_most is not None:
            bounds.append(f"≤ {self.at_most:,.{digits}f}{unit}")
        return ", ".join(bounds)


def at_most(limit: float) -> Target:
    """The median must not exceed `limit`."""
    return Target(at_most=limit)


def at_least(limit: float) -> Target:
    """The median must reach `limit`."""
    return Target(at_least=limit)


NONE_ALLOWED = Target(at_most=0, at_least=0, every_run=True)


@dataclass
class Figure:
    """One measured quantity: a value per repetition, its unit and its target (if any)."""

    name: str
    unit: str = ""
    digits: int = 2
    target: Target | None = None
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        """Record one repetition's value."""
        self.values.append(float(value))

    @property
    def median(self) -> float:
        """The figure shown first, and the one most targets are judged on."""
        return statistics.median(self.values)

    @property
    def judged(self) -> float:
        """The value the target is judged on: the median, or the worst run (`every_run`)."""
        target = self.target
        if target is None or not target.every_run:
            return self.median
        failing = [value for value in self.values if not target.met(value)]
        return failing[0] if failing else self.median

    def show(self, value: float) -> str:
        """`value` formatted with the figure's digits and unit."""
        return f"{value:,.{self.digits}f}{self.unit}"


def percentile(samples: list[float], fraction: float) -> float:
    """The sample below which `fraction` of them lie (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@dataclass(frozen=True)
class Sizes:
    """How big a run is: the full sizes of `make bench`, or the small ones of bench-quick."""

    quick: bool
    repeats: int

    def pick(self, full: int, quick: int) -> int:
        """The full or the quick value of a size."""
        return quick if self.quick else full


@dataclass
class Section:
    """One benchmark's part of the report."""

    title: str
    about: str = ""
    figures: list[Figure] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def figure(
        self, name: str, unit: str = "", digits: int = 2, target: Target | None = None
    ) -> Figure:
        """The figure called `name`, created (in report order) on first use."""
        for figure in self.figures:
            if figure.name == name:
                return figure
        figure = Figure(name, unit, digits, target)
        self.figures.append(figure)
        return figure

    def check(self, ok: bool, failure: str) -> None:
        """Record a failed correctness check (fails the run at any size)."""
        if not ok:
            self.failures.append(failure)


@dataclass(frozen=True)
class Benchmark:
    """An entry of `bench.run.BENCHMARKS`: a name and a function filling in one section.

    `run(workdir, sizes)` builds its own data under `workdir` (a fresh temporary folder), does
    `sizes.repeats` repetitions and returns its section. It may raise: the run reports the
    benchmark as crashed and exits non-zero.
    """

    name: str
    run: Callable[[Path, Sizes], Section]
    # Part of bench-quick (and so of `make test`) unless its small run is itself long or its
    # checks depend on the machine being idle; such an entry says why where it is listed.
    in_quick: bool = True


def cpu_reference_ms() -> float:
    """A fixed pure-Python workload, best of five, in milliseconds (lower is faster).

    Absolute figures (seconds to build, messages a second) move with the machine's speed;
    timing the same loop at the start and end of a run says which kind of hour they are from.
    """
    return min(timeit.repeat("sum(range(1_000_000))", number=1, repeat=5)) * 1e3
