"""Start-up cost of every `backchannel` process: matplotlib is loaded only by what draws.

Importing matplotlib costs about a second of CPU; the bot, the console and operator commands
start often (systemd restarts, cron jobs, the tests' own processes) and most never draw a chart.
Drawing still works: render/charts.py imports matplotlib on the first chart.
"""

import subprocess
import sys

import pytest

PROBE = (
    "import sys, bot.cli.main, bot.app, web.site, bot.charts.cache, bot.charts.drawing\n"
    "print(sorted(name for name in sys.modules if name.split('.')[0] == 'matplotlib'))\n"
)


@pytest.mark.subprocess
def test_the_cli_and_the_bot_start_without_matplotlib() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


@pytest.mark.subprocess
def test_the_chart_pool_preloads_what_drawing_imports() -> None:
    """The fork server loads these once, so no chart worker pays for the import itself."""
    probe = (
        "import sys\n"
        "from render.charts import MATPLOTLIB_MODULES\n"
        "for name in MATPLOTLIB_MODULES: __import__(name)\n"
        "before = set(sys.modules)\n"
        "import storage\n"
        "from language.i18n import texts\n"
        "from render.charts import Series, render_channel, Window\n"
        "from datetime import datetime, UTC\n"
        "now = datetime(2026, 11, 24, tzinfo=UTC)\n"
        "ladder = storage.PhaseLadder(phases=())\n"
        "render_channel(Series('x', None, ()), ladder, Window(now, now, UTC), texts('en'))\n"
        "print(sorted(n for n in set(sys.modules) - before if n.startswith('matplotlib')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
