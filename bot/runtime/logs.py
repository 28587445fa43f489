"""Logging set-up: one line per event, and the bot token scrubbed from everything logged."""

import logging

from pydantic import SecretStr

from bot.runtime.redaction import REDACTED, Redactor

__all__ = ["REDACTED", "RedactSecrets", "configure_logging"]


class RedactSecrets(logging.Filter):
    """Replace secrets wherever they appear: URLs and debug dumps of API calls contain them."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._scrub = Redactor(secrets).scrub

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._scrub(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True


class OneLineStartupFailures(logging.Filter):
    """Drop the traceback PTB logs when start-up (`getMe`) fails for good.

    The exception reaches the CLI, which says in one line what to fix; PTB's traceback before
    it would only bury that line (and, under systemd restarts, fill the journal).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, without its traceback if it is PTB's start-up abort."""
        message = str(record.msg)
        if message.startswith("%s ") and "Aborting" in message and record.args:
            prefix = record.args[0] if isinstance(record.args, tuple) else ""
            if isinstance(prefix, str) and prefix.startswith("Network Retry Loop (Bootstrap"):
                record.exc_info, record.exc_text = None, None
        return True


def configure_logging(level: str, secrets: list[SecretStr | None]) -> None:
    """Log to stderr with timestamps; quiet httpx, whose INFO lines are one per request."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(OneLineStartupFailures())
    handler.addFilter(RedactSecrets([s.get_secret_value() for s in secrets if s is not None]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
