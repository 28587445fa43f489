"""The token and webhook secret never appear in logs, errors or replies."""

import io
import logging
import os
import socket
import sys

import pytest
from pydantic import SecretStr

from bot.runtime.logs import REDACTED, RedactSecrets, configure_logging
from tests import forked_cli

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
    # A process of its own, forked with the bot already imported (tests/forked_cli.py).
    result = forked_cli.run_cli(["run"], cwd=tmp_path, env=env, timeout=120)
    assert result.returncode != 0
    assert "127.0.0.1" in result.stderr  # it did log the failure
    assert TOKEN not in result.stderr + result.stdout
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout


def test_any_other_crash_is_a_redacted_traceback(monkeypatch, tmp_path, capsys) -> None:
    from urllib.parse import quote

    import bot.cli.main
    from bot.cli import report_commands

    def crash(*_: object) -> int:
        raise RuntimeError(f"boom {TOKEN} {quote(TOKEN)} {TOKEN.split(':')[1]} hook-secret-42")

    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", "hook-secret-42")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    monkeypatch.setattr(report_commands, "run", crash)
    assert bot.cli.main.main(["export"]) == 1
    logging.getLogger().handlers.clear()
    captured = capsys.readouterr()
    assert "Traceback (most recent call last)" in captured.err
    assert "RuntimeError: boom <secret> <secret> <secret> <secret>" in captured.err
    assert "very-secret-token" not in captured.err + captured.out
    assert "hook-secret-42" not in captured.err + captured.out


def test_exception_hooks_and_asyncio_handler_redact(capsys) -> None:
    import asyncio
    import threading

    from bot.runtime.redaction import secrets_redacted

    error = RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/getMe")
    with secrets_redacted([TOKEN]):
        configure_logging("INFO", [SecretStr(TOKEN)])
        sys.excepthook(RuntimeError, error, None)
        thread = threading.Thread(target=lambda: (_ for _ in ()).throw(error), name="worker")
        thread.start()
        thread.join()
        loop = asyncio.new_event_loop()
        loop.call_exception_handler({"message": f"task {TOKEN} died", "exception": error})
        loop.close()
        print(f"printed {TOKEN}")
    logging.getLogger().handlers.clear()
    captured = capsys.readouterr()
    assert captured.err.count("RuntimeError: failed https://api.telegram.org/bot<secret>/") == 3
    assert "Exception in worker" in captured.err and "task <secret> died" in captured.err
    assert captured.out == "printed <secret>\n"
    assert "very-secret-token" not in captured.err + captured.out
