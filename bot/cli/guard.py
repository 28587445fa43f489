"""The CLI's last line of defence: known failures as one line, the rest redacted, never a secret.

Python's own traceback of PTB's `InvalidToken` ends with "The token `<token>` was rejected by
the server", and under systemd with Restart=on-failure that line would reach the journal every
few seconds. Every command therefore runs inside `run_guarded`: start-up failures an operator
can fix become one line saying what to fix, anything else a redacted traceback, with a non-zero
exit either way, while stdout, stderr and the exception hooks redact secrets throughout.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.runtime.redaction import Redactor, secrets_redacted

FAILED = 1
INTERRUPTED = 130  # what shells report for a command stopped by Ctrl-C
_REASON_CHARS = 200


def run_guarded(settings: Settings, command: Callable[[], int]) -> int:
    """Run `command` with secrets redacted everywhere; turn any exception into an exit code."""
    secrets = [settings.bot_token, settings.webhook_secret]
    with secrets_redacted(s.get_secret_value() for s in secrets if s is not None) as redactor:
        try:
            return command()
        except KeyboardInterrupt:
            print("Interrupted.", file=sys.stderr)
            return INTERRUPTED
        except Exception as error:  # the top level: nothing may escape
            line = startup_failure(error, settings.api_root, redactor)
            sys.stderr.write(line + "\n" if line else redactor.format_exception(error))
            return FAILED


def startup_failure(error: BaseException, api_root: str, redactor: Redactor) -> str | None:
    """One line for a failure to talk to the Bot API at all, or None for anything else."""
    if isinstance(error, InvalidToken):
        cause = str(error.__cause__ or error)
        if "Not Found" in cause or "404" in cause:
            return (
                f"Telegram rejected BOT_TOKEN (404 Not Found from {api_root}): check the token "
                "from @BotFather, and BOT_API_BASE_URL if you use a proxy or your own server"
            )
        return "Telegram rejected BOT_TOKEN (401): check the token from @BotFather"
    if isinstance(error, NetworkError):  # includes TimedOut; 5xx answers arrive as these too
        reason = redactor.scrub(str(error))[:_REASON_CHARS] or type(error).__name__
        return f"cannot reach the Bot API at {api_root}: {reason}"
    return None
