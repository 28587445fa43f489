"""Running the `backchannel` CLI in-process, the way an operator types it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import bot.cli.main

Invoke = Callable[..., tuple[int, str, str]]


def cli_runner(
    default_database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    """`invoke(*argv, database=...)` runs `backchannel ...`; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(bot.cli.main, "configure_logging", lambda *args: None)

    def invoke(*argv: str, database: Path = default_database) -> tuple[int, str, str]:
        monkeypatch.setenv("DATABASE_PATH", str(database))
        code = bot.cli.main.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
