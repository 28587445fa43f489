"""Keep the bot token and webhook secret out of every byte the process prints.

Logging has its own filter, but not everything goes through logging: Python prints uncaught
exceptions itself (sys.excepthook, threading.excepthook, "Exception ignored in ..."), PTB puts
the token into the message of `InvalidToken`, and a proxy's error page can echo the request path
(`/bot<token>/getMe`). So while the CLI runs, stdout and stderr themselves are wrapped and the
exception hooks redact: a secret cannot reach the terminal or the journal by any of those paths.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TextIO
from urllib.parse import quote

REDACTED = "<secret>"
# Parts of a secret shorter than this are not redacted on their own: it would garble output.
_MIN_PART = 8


class Redactor:
    """Replaces each secret, its URL-encoded form and a token's secret part (after the colon)."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            forms.update({secret, quote(secret, safe="")})
            _, colon, part = secret.partition(":")
            if colon and len(part) >= _MIN_PART:
                forms.update({part, quote(part, safe="")})
        # Longest first, so "123:abc" becomes "<secret>", not "123:<secret>".
        self.forms = sorted(forms, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """`text` with every form of every secret replaced by <secret>."""
        for form in self.forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def format_exception(self, error: BaseException) -> str:
        """The traceback Python would print for `error`, redacted."""
        return self.scrub("".join(traceback.format_exception(error)))


class RedactingStream:
    """A text stream that redacts what is written and passes everything else through."""

    def __init__(self, stream: TextIO, redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor

    def write(self, text: str) -> int:
        """Write `text` redacted; reports the length given, as callers expect."""
        self._stream.write(self._redactor.scrub(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each line redacted."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def secrets_redacted(secrets: Iterable[str | None]) -> Iterator[Redactor]:
    """While inside: stdout, stderr and the exception hooks redact; restored afterwards."""
    redactor = Redactor(secrets)
    saved = (sys.stdout, sys.stderr, sys.excepthook, threading.excepthook, sys.unraisablehook)

    def excepthook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        sys.stderr.write(redactor.format_exception(error.with_traceback(trace)))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        sys.stderr.write(f"Exception in {name}:\n{redactor.format_exception(args.exc_value)}")

    def unraisablehook(args: Any) -> None:
        where = f"{args.err_msg or 'Exception ignored in'}: {args.object!r}"
        trace = redactor.format_exception(args.exc_value) if args.exc_value else ""
        sys.stderr.write(redactor.scrub(where) + "\n" + trace)

    sys.stdout = RedactingStream(sys.stdout, redactor)  # type: ignore[assignment]
    sys.stderr = RedactingStream(sys.stderr, redactor)  # type: ignore[assignment]
    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    sys.unraisablehook = unraisablehook
    try:
        yield redactor
    finally:
        sys.stdout, sys.stderr, sys.excepthook, threading.excepthook, sys.unraisablehook = saved
