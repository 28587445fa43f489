"""The token and webhook secret never appear in logs, errors or replies."""

import io
import logging
import os
import socket
import subprocess
import sys

import pytest
from pydantic import SecretStr

from bot.logs import REDACTED, RedactSecrets, configure_logging

TOKEN = "987654:AAH-very-secret-token"


def test_filter_scrubs_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN, "hook-secret"]))
    logger = logging.getLogger("test.secrets")
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/x hook-secret")
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output and "hook-secret" not in output
    assert f"bot{REDACTED}/getMe" in output and "bot<secret>/x <secret>" in output


def test_configure_logging_installs_the_filter(capsys) -> None:
    configure_logging("INFO", [SecretStr(TOKEN), None])
    logging.getLogger("test.secrets").info("token is %s", TOKEN)
    assert TOKEN not in capsys.readouterr().err
    logging.getLogger().handlers.clear()


@pytest.mark.subprocess
def test_unreachable_api_error_does_not_leak_the_token(tmp_path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "LOG_LEVEL": "DEBUG",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "127.0.0.1" in result.stderr  # it did log the failure
    assert TOKEN not in result.stderr + result.stdout
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout
