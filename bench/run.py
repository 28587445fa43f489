"""`make bench` and `make bench-quick`: run every benchmark, print the report, judge it.

`make bench` (full sizes, at least three repetitions) rewrites BENCHMARKS.md with the commit,
machine, date and load it measured, and exits non-zero when any target is missed, any figure
could not be measured, any correctness check failed or any benchmark crashed. A 429 from the
fake Telegram is a target ("429 answers = 0"), so it fails a full run too.

`make bench-quick` (part of `make test`) runs the same code at small sizes, once: it fails only
when a benchmark crashes or its correctness checks fail, never on a figure, and leaves
BENCHMARKS.md alone. So benchmark code cannot rot between full runs.

To add a benchmark, append a `Benchmark(name, run)` to BENCHMARKS (see bench/figures.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import digest_bench, fairness, latency, sources_bench, storage_bench
from bench.figures import Benchmark, Section, Sizes, cpu_reference_ms

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
FULL_REPEATS = 3

# Every benchmark, in report order. Another benchmark slots in by appending an entry here.
BENCHMARKS: list[Benchmark] = [
    Benchmark("latency", latency.bench),
    Benchmark("build", digest_bench.bench_build),
    Benchmark("delivery", digest_bench.bench_delivery),
    Benchmark("memory", digest_bench.bench_memory),
    Benchmark("storage", storage_bench.bench),
    # Not in bench-quick: even small, it paces its load at one request a second (over a
    # minute), and on a loaded machine some of its paced requests miss their answer, which
    # its own check counts as a failure: `make test` would fail on the machine, not the code.
    Benchmark("fairness", fairness.bench, in_quick=False),
    Benchmark("sources", sources_bench.bench),
]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0))
    return f"{cpu}, {cores} cores, Python {platform.python_version()}, {platform.system()}"


def commit() -> str:
    """The commit measured, and whether the work tree differed from it."""

    def git(*args: str) -> str:
        found = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return found.stdout.strip() if found.returncode == 0 else ""

    head = git("rev-parse", "HEAD") or "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" + uncommitted changes" if dirty else "")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min) / {five:.2f} (5 min)"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_section(section: Section, sizes: Sizes) -> tuple[list[str], list[str]]:
    """The section's Markdown, and every reason it fails the run (per `sizes`)."""
    lines = [f"## {section.title}", ""]
    if section.about:
        lines += [section.about, ""]
    lines += [
        _row(["figure", "median", "spread (min-max)", "runs", "target", "verdict"]),
        "|---|---|---|---|---|---|",
    ]
    problems = [f"{section.title}: {failure}" for failure in section.failures]
    for figure in section.figures:
        target = figure.target.describe(figure.digits, figure.unit) if figure.target else ""
        if not figure.values:
            lines.append(_row([figure.name, "not measured", "", "0", target, "**failed**"]))
            problems.append(f"{section.title}: {figure.name} could not be measured")
            continue
        low, high = min(figure.values), max(figure.values)
        verdict = ""
        if figure.target is not None:
            met = figure.target.met(figure.judged)
            verdict = "met" if met else "**missed**"
            if not met and not sizes.quick:
                problems.append(
                    f"{section.title}: {figure.name} = {figure.show(figure.judged)}, "
                    f"target {target}"
                )
        if len(figure.values) < sizes.repeats and not sizes.quick:
            problems.append(f"{section.title}: {figure.name} measured only {len(figure.values)}x")
        spread = f"{figure.show(low)} - {figure.show(high)}"
        cells = [figure.name, figure.show(figure.median), spread, str(len(figure.values))]
        lines.append(_row([*cells, target, verdict]))
    if section.notes:
        lines += ["", *section.notes]
    if section.failures:
        lines += ["", "Failed checks: " + "; ".join(section.failures)]
    return [*lines, ""], problems


def run(sizes: Sizes, only: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Run the benchmarks (all, or those named in `only`): report lines and failures."""
    body: list[str] = []
    problems: list[str] = []
    durations: list[str] = []
    for entry in BENCHMARKS:
        if only and entry.name not in only:
            continue
        if sizes.quick and not entry.in_quick and not only:
            body += [f"## {entry.name}", "", "Not part of the quick run (see bench/run.py).", ""]
            continue
        started = time.perf_counter()
        print(f"bench: {entry.name} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"bench-{entry.name}-") as folder:
            try:
                section = entry.run(Path(folder), sizes)
            except BaseException as error:  # a crash must fail the run, whatever it was
                if isinstance(error, KeyboardInterrupt):
                    raise
                traceback.print_exc()
                body += [f"## {entry.name}", "", f"**Crashed**: {error!r}", ""]
                problems.append(f"{entry.name}: crashed ({error!r})")
                continue
        lines, failed = render_section(section, sizes)
        body += lines
        problems += failed
        durations.append(f"{entry.name} {time.perf_counter() - started:.0f} s")
    body.append(f"Time per benchmark: {', '.join(durations)}.")
    return body, problems


def _header(
    sizes: Sizes, started: datetime, load_before: str, cpu_before: float, problems: list[str]
) -> list[str]:
    """The report's opening lines: what was measured, where, how loaded; taken after the run."""
    load_after, cpu_after = _load(), cpu_reference_ms()
    kind = "quick smoke run (figures not judged)" if sizes.quick else "full run"
    return [
        "# Benchmarks",
        "",
        f"- Commit: {commit()}",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC ({kind})",
        f"- Machine: {_machine()}",
        f"- Load average at start: {load_before}; at end: {load_after}",
        f"- Machine speed: summing a million integers in pure Python took {cpu_before:.1f} ms at "
        f"the start and {cpu_after:.1f} ms at the end (best of five; lower is faster)",
        f"- Each figure measured {sizes.repeats} time(s); the median is judged against the "
        "target, the spread is the lowest and highest of the repetitions",
        "- Result: "
        + ("every target met, every check passed" if not problems else "; ".join(problems)),
        "",
        "Reproduce with `make bench` on an idle machine (`make bench-quick` for a smoke run at "
        "small sizes). Each benchmark builds its own data with a seeded random generator in a "
        "temporary directory; none contacts Telegram.",
        "",
    ]


def main() -> None:
    """Run, print, write the report (full runs only) and exit non-zero on any failure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--report", action="store_true", help="print the whole report (quick)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the senders' retry notices would drown the table
    sizes = Sizes(quick=args.quick, repeats=1 if args.quick else FULL_REPEATS)
    # Printed by a full run and by --report; inside `make test` (quick, no --report) a page of
    # unjudged figures would bury the test summary, so its header is not even measured.
    shown = not sizes.quick or args.report
    load_before, cpu_before = (_load(), cpu_reference_ms()) if shown else ("", 0.0)
    started = datetime.now(UTC)
    body, problems = run(sizes, set(args.only) if args.only else None)
    if shown:
        header = _header(sizes, started, load_before, cpu_before, problems)
        notes = Path(__file__).with_name("NOTES.md").read_text(encoding="utf-8")
        report = "\n".join(header + body) + "\n\n" + notes
        print(report)
        if not args.no_write and not sizes.quick and not args.only:
            REPORT.write_text(report, encoding="utf-8")
    else:
        ran = len(args.only) if args.only else sum(entry.in_quick for entry in BENCHMARKS)
        print(f"bench-quick: {ran} benchmarks ran at small sizes ({body[-1]})")
    if problems:
        print("\n".join(["", "bench FAILED:", *problems]), file=sys.stderr)
        raise SystemExit(1)
    if sizes.quick:
        print("bench-quick: no benchmark crashed, every correctness check held")


if __name__ == "__main__":
    main()
