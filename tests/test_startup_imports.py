"""Start-up cost of every `backchannel` process: matplotlib is loaded only by what draws.

Importing matplotlib costs about a second of CPU; the bot, the console and operator commands
start often (systemd restarts, cron jobs, the tests' own processes) and most never draw a chart.
"""

import subprocess
import sys

import pytest


@pytest.mark.subprocess
def test_the_cli_and_the_bot_start_without_matplotlib() -> None:
    probe = (
        "import sys, bot.cli.main, bot.app, web.site, bot.charts.cache\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'matplotlib'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
