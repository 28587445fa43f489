"""The rate-limiting fake Bot API (tests/bot_api_emulator.py) in a process of its own.

Telegram's own work must not count as the sender's: in the sender's process the server's
thread competes for the one interpreter lock, and on a slow machine the fake, not the bot,
set the pace. In its own process it runs on the other core, as Telegram runs elsewhere.

Run as `python -m bench.telegram_process LIMIT`: prints the server's URL, serves until a line
arrives on stdin, then prints every accepted (chat id, text) and the number of 429 answers
as one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.bot_api_emulator import BotApiEmulator, Faults


class TelegramProcess:
    """Context manager around the child process; `url` once entered."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._child: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> TelegramProcess:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "bench.telegram_process", str(self._limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdout is not None
        self.url = self._child.stdout.readline().strip()
        if not self.url:
            raise SystemExit("delivery benchmark: the fake Bot API process did not start")
        return self

    def results(self) -> tuple[list[tuple[int, str]], int]:
        """Every accepted (chat id, text), in order, and the number of 429 answers."""
        assert self._child is not None and self._child.stdin and self._child.stdout
        self._child.stdin.write("done\n")
        self._child.stdin.flush()
        found = json.loads(self._child.stdout.readline())
        return [(chat, text) for chat, text in found["delivered"]], found["rejected_429"]

    def __exit__(self, *exc: object) -> None:
        if self._child is None:
            return
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


def main() -> None:
    """Serve until told to stop, then report (see the module docstring)."""
    with BotApiEmulator(Faults(rate_limit=int(sys.argv[1]))) as server:
        print(server.url, flush=True)
        sys.stdin.readline()
        report = {"delivered": server.delivered, "rejected_429": server.rejected_429}
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
