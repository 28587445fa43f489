"""The console: stdin in, the real handlers' replies out, readable in a terminal."""

import io
import os
import subprocess
import sys

import pytest

from bot.cli.console import render_html, run_console
from tests import forked_cli


async def test_console_answers_piped_commands(settings, db) -> None:
    stdin = io.StringIO("/status\n\n/ceasefire\n/history prisoners 1\n/nonsense\n")
    stdout = io.StringIO()
    await run_console(settings, db, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert "you> /status" in out
    assert "Leader-level summit" in out and "Economic contacts and joint reconstruction" in out
    assert "bot> Tactical ceasefire proposals" in out
    assert "History: Detainee swaps and prisoner releases" in out
    assert "Did you mean" not in out.split("you> /nonsense")[0]
    assert "I don't know the command /nonsense" in out
    assert "<b>" not in out  # HTML is rendered, not shown


def test_render_html_shows_what_a_reader_sees() -> None:
    html = '<b>Title</b> &amp; <a href="https://x.org/a?b=1&amp;c=2">report</a> &lt;tag&gt;'
    assert render_html(html) == "Title & report <https://x.org/a?b=1&c=2> <tag>"
    assert render_html("<b>x</b>", color=True) == "\033[1mx\033[0m"


@pytest.mark.subprocess
def test_make_run_without_token_opens_console_and_seeds(tmp_path) -> None:
    """The real entry point, fed through stdin as `printf ... | backchannel run` would be."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        input="/status\n/exchanges\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "BOT_TOKEN is not set" in result.stderr
    for title in ["Leader-level summit", "Safe humanitarian corridors"]:
        assert title in result.stdout
    assert "Sporadic exchanges conducted under agreed protocols" in result.stdout
    assert (tmp_path / "data" / "backchannel.db").exists()


async def test_a_piped_script_is_not_flood_controlled(settings, db) -> None:
    stdin = io.StringIO("/status\n" * 40 + "/ceasefire\n")
    stdout = io.StringIO()
    await run_console(settings.model_copy(update={"flood_burst": 8}), db, stdin, stdout)
    out = stdout.getvalue()
    assert "faster than I can answer" not in out
    assert out.count("bot> Backchannel: where the talks stand") == 40
    assert "bot> Tactical ceasefire proposals" in out


def test_bare_links_show_their_address_once() -> None:
    html = '<a href="https://x.org/r">https://x.org/r</a>'
    assert render_html(html) == "https://x.org/r"


def _console_transcript(tmp_path, *options: str) -> str:
    """The console as its own process (forked with the bot already imported: forked_cli)."""
    result = forked_cli.run_cli(
        ["console", *options],
        cwd=tmp_path,
        env=dict(os.environ),
        input="/help\n/ceasefire\n/set aid stalled Convoys halted\n/status\n",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.subprocess
def test_console_as_reader_sees_what_readers_see(tmp_path) -> None:
    admin = _console_transcript(tmp_path)
    assert "Admin commands" in admin and "✏️ Update" in admin
    assert "Convoys halted" in admin.split("you> /status")[1]

    (tmp_path / "reader").mkdir()
    reader = _console_transcript(tmp_path / "reader", "--as-reader")
    assert "as a reader" in reader.split("you> ")[0]
    help_reply, card, refusal, status = reader.split("you> ")[1:]
    assert "/status" in help_reply and "Admin commands" not in help_reply
    assert "Tactical ceasefire proposals" in card and "Update" not in card
    assert "Sorry, only Backchannel admins can use that command" in refusal
    assert "Convoys halted" not in status
