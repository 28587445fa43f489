"""bench/run.py judges a run: what fails `make bench`, and what fails only `bench-quick`."""

from pathlib import Path

import pytest

from bench import run
from bench.figures import NONE_ALLOWED, Benchmark, Section, Sizes, at_least, at_most

FULL, QUICK = Sizes(quick=False, repeats=3), Sizes(quick=True, repeats=1)


def section(*values_by_figure: tuple[str, list[float], object]) -> Section:
    found = Section("Delivery")
    for name, values, target in values_by_figure:
        found.figure(name, target=target).values.extend(values)
    return found


def test_a_missed_target_fails_a_full_run_but_not_a_quick_one() -> None:
    missed = section(("rate / limit", [0.95, 0.85, 0.88], at_least(0.9)))
    lines, problems = run.render_section(missed, FULL)
    assert problems == ["Delivery: rate / limit = 0.88, target ≥ 0.90"]
    assert any("0.88 | 0.85 - 0.95 | 3 | ≥ 0.90 | **missed**" in line for line in lines)
    assert run.render_section(missed, QUICK)[1] == []


def test_any_429_in_any_run_fails_a_full_run() -> None:
    assert run.render_section(section(("429 answers", [0, 0, 0], NONE_ALLOWED)), FULL)[1] == []
    assert run.render_section(section(("429 answers", [0, 2, 0], NONE_ALLOWED)), FULL)[1] == [
        "Delivery: 429 answers = 2.00, target = 0.00"
    ]


def test_a_figure_not_measured_fails_any_run_and_too_few_runs_fail_a_full_one() -> None:
    assert run.render_section(section(("growth", [], at_most(20))), QUICK)[1]
    assert run.render_section(section(("growth", [3.0, 4.0], at_most(20))), FULL)[1] == [
        "Delivery: growth measured only 2x"
    ]


def test_a_failed_check_fails_any_run() -> None:
    checked = section(("rate / limit", [0.95], at_least(0.9)))
    checked.check(False, "3 digests lost")
    assert run.render_section(checked, QUICK)[1] == ["Delivery: 3 digests lost"]


def test_a_crashing_benchmark_fails_the_run_and_the_others_still_run(monkeypatch) -> None:
    def crash(workdir: Path, sizes: Sizes) -> Section:
        raise RuntimeError("boom")

    def fine(workdir: Path, sizes: Sizes) -> Section:
        return section(("rate / limit", [0.95], at_least(0.9)))

    entries = [Benchmark("crashing", crash), Benchmark("fine", fine)]
    monkeypatch.setattr(run, "BENCHMARKS", entries)
    body, problems = run.run(QUICK)
    assert problems == ["crashing: crashed (RuntimeError('boom'))"]
    assert "## Delivery" in body


@pytest.mark.parametrize("dirty", [False, True])
def test_the_report_names_the_commit_and_whether_the_tree_differed(monkeypatch, dirty) -> None:
    answers = {"rev-parse": "abc123", "status": " M bench/run.py" if dirty else ""}

    class Done:
        def __init__(self, out: str) -> None:
            self.stdout, self.returncode = out, 0

    monkeypatch.setattr(run.subprocess, "run", lambda args, **_: Done(answers[args[1]]))
    assert run.commit() == "abc123" + (" + uncommitted changes" if dirty else "")


def test_an_entry_left_out_of_the_quick_run_is_said_so_and_not_run(monkeypatch) -> None:
    ran: list[str] = []

    def slow(workdir: Path, sizes: Sizes) -> Section:
        ran.append("slow")
        return section(("p99 loaded / idle", [1.2], at_most(2)))

    monkeypatch.setattr(run, "BENCHMARKS", [Benchmark("slow", slow, in_quick=False)])
    body, problems = run.run(QUICK)
    assert ran == [] and problems == []
    assert "Not part of the quick run (see bench/run.py)." in body
    run.run(FULL)
    assert ran == ["slow"]
