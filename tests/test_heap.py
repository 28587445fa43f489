"""The bot's collector settings: the start-up heap out of sight, young collections spaced out.

Both are performance settings (bench/NOTES.md); what is checked here is that the bot's start
(`freeze_startup_heap`, called by `backchannel run` once everything is built) leaves the
collector that way and that cyclic garbage is still collected. Checked in a process of its
own, so the test process's collector is left as it is.
"""

import subprocess
import sys

import pytest

PROBE = """
import gc
from bot.runtime.heap import YOUNG_THRESHOLD, freeze_startup_heap

class Node:
    def __init__(self): self.other = self

def young_collections(allocations):
    before = gc.get_stats()[0]["collections"]
    kept = [[] for _ in range(allocations)]
    return gc.get_stats()[0]["collections"] - before

print(young_collections(5_000) > 0)  # CPython's default: a young collection every 700
frozen = freeze_startup_heap()
print(frozen > 1_000, young_collections(YOUNG_THRESHOLD // 2))
cycles = [Node() for _ in range(3)]
del cycles
gc.collect(0)
print(sum(isinstance(o, Node) for o in gc.get_objects()))
"""


@pytest.mark.subprocess
def test_the_start_freezes_its_heap_and_spaces_young_collections_out() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["True", "True", "0", "0"], result.stdout
