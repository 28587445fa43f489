"""`make bench`: run every benchmark, print a table, rewrite BENCHMARKS.md.

Each figure is compared with a baseline measured in the same run on the same machine, so the
ratios mean something even on a noisy 2-core box. Exits non-zero when a benchmark's own
correctness checks fail (lost or duplicated digests, wrong replies).
"""

import argparse
import asyncio
import logging
import platform
import tempfile
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path

from bench import digest_bench, fairness, latency, storage_bench

# Two digests in flight at once; see bench/NOTES.md for 1, 2 and 4 side by side.
DELIVERY_WORKERS = 2
REPORT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


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
    cores = len(__import__("os").sched_getaffinity(0))
    return f"{cpu}, {cores} cores, Python {platform.python_version()}, {platform.system()}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


async def _latency(workdir: Path, scale: int) -> list[str]:
    rows, subscribers, per = 1_000_000 // scale, 100_000 // scale, 2_500 // scale
    results = await latency.run(workdir, rows, subscribers, per)
    lines = [
        "## 1. Command latency",
        "",
        f"{rows:,} history rows and {subscribers:,} subscribers; {per:,} updates per command "
        f"({per * len(latency.COMMANDS):,} in all) through `Application.process_update`, the "
        "Bot API faked in-process for both. Floor: a bare PTB application with one echo "
        "command. Second baseline: a bare PTB handler sending the very same reply (text and "
        "buttons) without computing anything. Target: p50 ratio to the echo floor at most 1.5.",
        "",
    ]
    table = []
    for r in results:
        target = "" if r.ratio == 1.0 else _verdict(r.ratio <= 1.5)
        same = "" if r.ratio == 1.0 else f"{r.payload_ratio:.2f}"
        table.append(
            [f"`{r.command}`", f"{r.p50_ms:.3f}", f"{r.p99_ms:.3f}", f"{r.ratio:.2f}", target, same]
        )
    header = ["command", "p50 ms", "p99 ms", "p50 / echo floor", "target", "p50 / same reply"]
    return lines + _table(header, table)


def _digests(workdir: Path, scale: int) -> tuple[list[str], bool]:
    built = digest_bench.build_all(workdir / "build.db", 100_000 // scale)
    delivery = digest_bench.run_delivery(workdir, 10_000 // scale, 300, workers=DELIVERY_WORKERS)
    small, large = digest_bench.memory_growth(workdir, 10_000 // scale, 100_000 // scale)
    correct = delivery.lost == 0 and delivery.duplicated == 0
    lines = ["", "## 2. Digest building", ""]
    lines += _table(
        ["measure", "value", "target"],
        [
            ["due digests built (not sent)", f"{built.subscribers:,}", ""],
            ["each covering up to", "1,000 changes", ""],
            ["total time", f"{built.seconds:.2f} s", _verdict(built.seconds < 2) + " (< 2 s)"],
            ["per digest", f"{built.seconds / built.subscribers * 1e6:.1f} µs", ""],
            ["distinct digests rendered (shared by the rest)", f"{built.distinct:,}", ""],
            ["peak traced Python memory while building", f"{built.peak_mib:.0f} MiB", ""],
        ],
    )
    lines += ["", "## 3. Delivery throughput", ""]
    lines += [
        f"A fake Bot API server on 127.0.0.1, in a process of its own, answering 429 above "
        f"{delivery.limit} messages a second; the sender configured to the same limit "
        f"(`DIGEST_RATE_LIMIT={delivery.limit}`) with `DIGEST_WORKERS={DELIVERY_WORKERS}`, so "
        "one request is prepared while the previous one is on the wire; every chat's messages "
        "compared with the digest built for it beforehand.",
        "",
    ]
    lines += _table(
        ["measure", "value", "target"],
        [
            ["messages delivered", f"{delivery.digests:,}", ""],
            [
                "achieved rate / limit",
                f"{delivery.rate_ratio:.2f}",
                _verdict(delivery.rate_ratio >= 0.9) + " (≥ 0.9)",
            ],
            ["429 answers", str(delivery.rejected_429), _verdict(delivery.rejected_429 == 0)],
            ["digests lost", str(delivery.lost), _verdict(delivery.lost == 0) + " (must be 0)"],
            [
                "digests duplicated",
                str(delivery.duplicated),
                _verdict(delivery.duplicated == 0) + " (must be 0)",
            ],
        ],
    )
    ratio = large / small
    lines += ["", "## 4. Memory growth", ""]
    lines += _table(
        ["subscribers", "peak RSS of a full due-digest run", "target"],
        [
            [f"{10_000 // scale:,}", f"{small:.0f} MiB", ""],
            [f"{100_000 // scale:,}", f"{large:.0f} MiB", ""],
            ["ratio", f"{ratio:.2f}", _verdict(ratio <= 1.2) + " (at most 1.2)"],
        ],
    )
    return lines, correct


async def _storage(workdir: Path, scale: int) -> list[str]:
    large = 1_000_000 // scale
    figures = await storage_bench.run(workdir, large, 2_000 // scale, 2_000)
    return [
        "",
        "## 5. Storage",
        "",
        *_table(
            ["measure", "value", "target"],
            [
                [
                    "`/set`-style writes (history + pointer + audit, one transaction each)",
                    f"{figures.writes_per_second:,.0f} /s",
                    "",
                ],
                ["`/history` query p50 at 10^4 rows", f"{figures.query_small_ms:.3f} ms", ""],
                [
                    f"`/history` query p50 at {large:,} rows",
                    f"{figures.query_large_ms:.3f} ms",
                    "",
                ],
                [
                    "query ratio large / small",
                    f"{figures.query_ratio:.2f}",
                    _verdict(figures.query_ratio <= 1.5) + " (at most 1.5)",
                ],
                [
                    "`/history exchanges 10` command p50, 10^4 / large",
                    f"{figures.command_small_ms:.3f} / {figures.command_large_ms:.3f} ms",
                    "",
                ],
                [
                    "command ratio large / small",
                    f"{figures.command_ratio:.2f}",
                    _verdict(figures.command_ratio <= 1.5) + " (at most 1.5)",
                ],
            ],
        ),
    ]


async def _fairness(workdir: Path, scale: int) -> tuple[list[str], bool]:
    rows = 200_000 // scale
    r = await fairness.run(workdir, rows)
    readers = len(fairness.TIMELINE_READERS)
    lines = [
        "",
        "## 6. Fairness",
        "",
        f"{rows:,} history rows; updates through the update queue and the real concurrent "
        "update processor, charts in the real worker pool, Telegram faked in-process. While "
        f"(a) {readers} readers each send {fairness.REQUESTS_EACH} `/timeline` requests with "
        f"different channels and day counts ({fairness.BURST} at once, then one a second: "
        "within the default flood limits) and (b) one reader sends "
        f"{fairness.SLOW_MESSAGES} messages whose every reply takes "
        f"{fairness.SLOW_REPLY_SECONDS:.0f} s to reach Telegram, unrelated readers send "
        f"`/status` every {fairness.PROBE_GAP * 1e3:.0f} ms. Target: their p99 at most twice "
        "the p99 of the same probes on the idle bot.",
        "",
    ]
    lines += _table(
        ["measure", "value", "target"],
        [
            ["`/status` p50 / p99, idle", f"{r.idle_p50_ms:.1f} / {r.idle_p99_ms:.1f} ms", ""],
            [
                f"`/status` p50 / p99 under load ({r.probes} probes)",
                f"{r.loaded_p50_ms:.1f} / {r.loaded_p99_ms:.1f} ms",
                "",
            ],
            ["p99 loaded / idle", f"{r.ratio:.2f}", _verdict(r.ratio <= 2.0) + " (at most 2.0)"],
            [
                "`/timeline` requests: charts sent / told to wait for the one being drawn",
                f"{r.photos_sent} / {r.still_drawing} of {r.charts_requested}",
                _verdict(r.correct) + " (every one answered)",
            ],
            ["distinct charts drawn", str(r.charts_drawn), ""],
            ["until every load update was answered", f"{r.load_seconds:.0f} s", ""],
        ],
    )
    return lines, r.correct


def cpu_reference_ms() -> float:
    """A fixed pure-Python workload, best of five, in milliseconds.

    The absolute targets (digests built in 2 s, 300 messages a second) depend on how fast the
    machine is at that moment; shared 2-core machines vary by a factor of two within an hour.
    Timing the same small workload at the start and the end of a run says which kind of hour
    the figures come from.
    """
    return min(timeit.repeat("sum(range(1_000_000))", number=1, repeat=5)) * 1e3


async def _main(quick: bool) -> tuple[list[str], bool]:
    scale = 10 if quick else 1
    started = time.perf_counter()
    cpu_before = cpu_reference_ms()
    durations: list[str] = []

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        durations.append(f"{name} {now - since:.0f} s")
        return now

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        mark = time.perf_counter()
        lines = await _latency(workdir, scale)
        mark = lap("latency", mark)
        digest_lines, correct = await asyncio.to_thread(_digests, workdir, scale)
        mark = lap("digests", mark)
        lines += digest_lines
        lines += await _storage(workdir, scale)
        mark = lap("storage", mark)
        fairness_lines, fair = await _fairness(workdir, scale)
        lines += fairness_lines
        lap("fairness", mark)
    cpu_after = cpu_reference_ms()
    lines += [
        "",
        f"Total benchmark time: {time.perf_counter() - started:.0f} s ({', '.join(durations)}).",
        "",
        f"Machine speed during the run: summing a million integers in pure Python took "
        f"{cpu_before:.1f} ms at the start and {cpu_after:.1f} ms at the end (best of five; "
        "lower is faster). Ratios compare figures measured side by side and hold whatever the "
        "speed; the absolute targets (build time, messages a second) move with it.",
    ]
    return lines, correct and fair


def main() -> None:
    """Run, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the senders' retry notices would drown the table
    body, correct = asyncio.run(_main(args.quick))
    header = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        "Reproduce with `make bench` (about 5 minutes on 2 cores; `python -m bench.run "
        "--quick` for a smoke run at a tenth of the sizes). Each benchmark builds its own data "
        "with a seeded random generator in a temporary directory; none contacts Telegram.",
        "",
    ]
    notes = (Path(__file__).with_name("NOTES.md")).read_text(encoding="utf-8")
    report = "\n".join(header + body) + "\n\n" + notes
    print(report)
    if not args.no_write and not args.quick:
        REPORT.write_text(report, encoding="utf-8")
    if not correct:
        raise SystemExit("a benchmark failed its own correctness checks (see the table)")


if __name__ == "__main__":
    main()
