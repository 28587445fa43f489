"""`make bench`: run every benchmark, print a table, rewrite BENCHMARKS.md.

Each figure is compared with a baseline measured in the same run on the same machine, so the
ratios mean something even on a noisy 2-core box. Exits non-zero when a benchmark's own
correctness checks fail (lost or duplicated digests, wrong replies).
"""

import argparse
import asyncio
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import latency, storage_bench

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


async def _main(quick: bool) -> list[str]:
    scale = 10 if quick else 1
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        started = time.perf_counter()
        results = await latency.run(workdir, 1_000_000 // scale, 2_500 // scale)
        lines += [
            "## 1. Command latency",
            "",
            f"{1_000_000 // scale:,} history rows; {2_500 // scale:,} updates per command "
            "through `Application.process_update`, Bot API faked in-process. "
            "Target: p50 ratio at most 1.5.",
            "",
            "| command | p50 ms | p99 ms | p50 ratio to floor | target |",
            "|---|---|---|---|---|",
        ]
        for r in results:
            target = "" if r.ratio == 1.0 else _verdict(r.ratio <= 1.5)
            lines.append(
                f"| `{r.command}` | {r.p50_ms:.3f} | {r.p99_ms:.3f} | {r.ratio:.2f} | {target} |"
            )
        figures = await storage_bench.run(workdir, 1_000_000 // scale, 2_000 // scale, 2_000)
        lines += [
            "",
            "## 5. Storage",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| status writes (history + pointer + audit, one transaction each) | "
            f"{figures.writes_per_second:,.0f} /s | |",
            f"| `/history` p50 at 10^4 rows | {figures.history_small_ms:.3f} ms | |",
            f"| `/history` p50 at {1_000_000 // scale:,} rows | "
            f"{figures.history_large_ms:.3f} ms | |",
            f"| ratio large / small | {figures.history_ratio:.2f} | "
            f"{_verdict(figures.history_ratio <= 1.5)} (at most 1.5) |",
        ]
        lines += ["", f"Total benchmark time: {time.perf_counter() - started:.0f} s."]
    return lines


def main() -> None:
    """Run, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    body = asyncio.run(_main(args.quick))
    header = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        "Reproduce with `make bench` (about a few minutes; `--quick` for a smoke run).",
        "",
    ]
    report = "\n".join(header + body) + "\n"
    print(report)
    if not args.no_write and not args.quick:
        REPORT.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
