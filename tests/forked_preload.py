"""What the fork server of tests/forked_cli.py does once, so that no forked process does it.

Imports: the bot, then what a serving bot imports lazily on its way to its first request:
the HTTP stack when PTB builds its client (httpcore, h11, anyio, certifi; httpcore also imports
trio whenever it is installed, and selenium, a dev tool, brings it) and the scheduler's
triggers. Left to each forked `backchannel run`, they were 0.3 s of CPU before its first
request, more than the rest of its start-up (the crash test starts eleven bots a run). A test
process has one fork server, and the bot's chart pools (bot/charts/drawing.py) fork their
workers from it too when it is already running, as it is after the first forked CLI: so it
loads what a chart worker needs as well (matplotlib, ~1 s of CPU once per test process instead
of once per pool a test starts).

Caches every process fills the same way on first use: the message catalogs (compiled from
the .po files, ~50 ms) and Babel's locale data, for every language.

A process imports and fills these anyway, so doing it earlier changes nothing it does.
Last, the heap is frozen (see `_become_cli` in tests/forked_cli.py).
"""

import _strptime  # noqa: F401  (a process's first strptime)
import gc
import multiprocessing.synchronize  # noqa: F401
from datetime import date

import anyio._backends._asyncio  # noqa: F401  (the first connection)
import apscheduler.triggers.cron
import apscheduler.triggers.interval  # noqa: F401
import babel.numbers  # noqa: F401
import certifi  # noqa: F401
import httpcore  # noqa: F401

import bot.charts.drawing
import bot.cli.main  # noqa: F401
from language.i18n import LANGUAGES, texts
from render.charts import MATPLOTLIB_MODULES

for name in MATPLOTLIB_MODULES:
    __import__(name)
for language in LANGUAGES:
    texts(language).date(date(2026, 1, 1))
gc.collect()
