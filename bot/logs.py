"""Logging set-up: one line per event, and the bot token scrubbed from everything logged."""

import logging

from pydantic import SecretStr

REDACTED = "<BOT_TOKEN>"


class RedactToken(logging.Filter):
    """Replace the token wherever it appears: URLs logged by HTTP libraries contain it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, REDACTED)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.token in text:
                record.exc_text = text.replace(self.token, REDACTED)
        return True


def configure_logging(level: str, token: SecretStr | None) -> None:
    """Log to stderr with timestamps; quiet httpx, whose INFO lines are one per request."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if token is not None:
        handler.addFilter(RedactToken(token.get_secret_value()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
