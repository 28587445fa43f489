"""`backchannel ...` as a process of its own, forked instead of started afresh.

Importing the bot costs about 1.5 s of CPU per process, and the tests start dozens of bot and
CLI processes: that import, not what the tests look at, was most of their time. A fork server
(multiprocessing's "forkserver": a clean process started once per test process, holding no
threads, database or event loop) imports the bot once and forks each process from there. The
child is a real process with its own pid, folder, environment, stdin/stdout/stderr and exit
code, and runs the same entry point as `python -m bot.cli` (`bot.cli.main.main`): a signal, a
crash or SIGKILL is as real as ever; only the interpreter's start-up is shared.

Tests of the start-up itself (the `python -m bot.cli` entry, `.env` files, dropped privileges)
keep starting `sys.executable` with subprocess.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from multiprocessing import resource_tracker
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path

# What the fork server loads once for every process it forks (see there). Python 3.11's fork
# server ignores the sys.path it is given: it finds `tests` through PYTHONPATH (`_fork_server`).
_PRELOAD = ["tests.forked_preload"]
_ROOT = Path(__file__).resolve().parent.parent


def _fork_server() -> BaseContext:
    """The fork server context, its server started with the repository on PYTHONPATH.

    Started by a chart pool of the bot first (tests drawing charts in-process), the server has
    the bot's own, smaller preload instead: processes forked from it then import the rest
    themselves, slower but the same.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), before]))
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    return context


class CliProcess:
    """A started `backchannel` process: kill, signal and wait on it like a `subprocess.Popen`."""

    def __init__(self, process: BaseProcess) -> None:
        self._process = process
        self.pid = process.pid

    @property
    def returncode(self) -> int | None:
        """The exit code, or minus the signal that ended it; None while it runs."""
        return self._process.exitcode

    def poll(self) -> int | None:
        """The exit code if the process ended, else None (it keeps running)."""
        return self._process.exitcode

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind in the process."""
        self._process.kill()

    def send_signal(self, signum: int) -> None:
        """Deliver `signum` to the process."""
        os.kill(self._process.pid, signum)

    def wait(self, timeout: float | None = None) -> int:
        """Block until the process ended; returns its exit code like `Popen.wait`."""
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired("backchannel", timeout or 0)
        return self._process.exitcode


# Linux capabilities that let root ignore file modes (linux/capability.h).
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def drop_file_rights() -> None:
    """Lose root's power to ignore file modes, as `setpriv --bounding-set=-dac_override,
    -dac_read_search` gives a command it starts: files then refuse root as any other user."""
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    mask = ~((1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH)) & 0xFFFFFFFF
    data[0].effective &= mask
    data[0].permitted &= mask
    data[0].inheritable &= mask
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _become_cli(
    argv: list[str],
    cwd: str,
    env: dict[str, str],
    stdin: str,
    stdout: str,
    stderr: str,
    as_user: bool = False,
) -> None:
    """In the forked child: take the folder, environment and files, then run the CLI."""
    # What the fork server imported stays alive for the process's life: out of the collector's
    # sight, the bot's own start-up collection (bot/runtime/heap.py) walks only what it built
    # itself instead of the ~120,000 inherited objects (0.1 s of CPU every fork).
    gc.freeze()
    if as_user and os.geteuid() == 0:
        drop_file_rights()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path, flags in [
        (0, stdin, os.O_RDONLY),
        (1, stdout, os.O_WRONLY | os.O_APPEND | os.O_CREAT),
        (2, stderr, os.O_WRONLY | os.O_APPEND | os.O_CREAT),
    ]:
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    # Python's own streams on those descriptors, as a fresh interpreter opens them
    # (multiprocessing closed the child's stdin, and the others belonged to the fork server).
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(  # noqa: SIM115
        2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False
    )
    # Its own resource tracker, as a process started afresh has: semaphores of its pools are
    # cleaned up after a SIGKILL, reported on its own stderr.
    resource_tracker._resource_tracker._fd = None
    resource_tracker._resource_tracker._pid = None
    from bot.cli.main import main

    sys.exit(main(argv))


def start_cli(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    stdin: Path | None = None,
    stdout: Path | None = None,
    stderr: Path | None = None,
    as_user: bool = False,
) -> CliProcess:
    """Start `backchannel *argv`; its stdio are files (default: nothing in, output dropped).

    `as_user`: when the tests run as root, without root's power over file modes, so that a
    read-only file or folder stops the process as it stops an ordinary user.
    """
    files = [str(path) if path else os.devnull for path in (stdin, stdout, stderr)]
    process = _fork_server().Process(
        target=_become_cli, args=(argv, str(cwd), env, *files, as_user), name="backchannel"
    )
    process.start()
    return CliProcess(process)


def run_cli(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    input: str = "",
    timeout: float = 60,
    as_user: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(..., input=input, capture_output=True, text=True)` for the CLI."""
    with tempfile.TemporaryDirectory(prefix="forked-cli-") as folder:
        stdin, stdout, stderr = (Path(folder) / name for name in ("in", "out", "err"))
        stdin.write_text(input)
        process = start_cli(
            argv, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr, as_user=as_user
        )
        try:
            code = process.wait(timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return subprocess.CompletedProcess(
            ["backchannel", *argv], code, stdout.read_text(), stderr.read_text()
        )


class PipedCliProcess(CliProcess):
    """A started `backchannel` whose stdout and stderr the test reads as it goes, like a
    `subprocess.Popen(..., stdout=PIPE, stderr=PIPE, text=True)`: they are named pipes."""

    def __init__(self, process: BaseProcess, stdout: Path, stderr: Path, folder: Path) -> None:
        super().__init__(process)
        # Opening a named pipe waits for the writer: the child opens stdout, then stderr.
        self.stdout = stdout.open(encoding="utf-8")
        self.stderr = stderr.open(encoding="utf-8")
        shutil.rmtree(folder)  # both ends are open: the pipes need their names no more

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Read both pipes to their end while the process runs on, then wait for it."""
        outputs: dict[str, str] = {}
        readers = [
            threading.Thread(target=lambda n=name, s=stream: outputs.__setitem__(n, s.read()))
            for name, stream in (("out", self.stdout), ("err", self.stderr))
        ]
        for reader in readers:
            reader.start()
        self.wait(timeout)
        for reader in readers:
            reader.join(timeout)
        self.stdout.close()
        self.stderr.close()
        return outputs.get("out", ""), outputs.get("err", "")


def popen_cli(argv: list[str], *, cwd: Path, env: dict[str, str]) -> PipedCliProcess:
    """Start `backchannel *argv` with nothing on stdin and stdout and stderr piped."""
    folder = Path(tempfile.mkdtemp(prefix="forked-cli-"))
    stdout, stderr = folder / "out", folder / "err"
    os.mkfifo(stdout)
    os.mkfifo(stderr)
    process = start_cli(argv, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
    return PipedCliProcess(process._process, stdout, stderr, folder)
