"""The console presses inline buttons: typed labels or numbers become real CallbackQuery updates."""

import io

from bot.cli.console import run_console


async def converse(settings, db, lines: list[str]) -> str:
    out = io.StringIO()
    await run_console(settings, db, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    return out.getvalue()


async def test_buttons_are_pressed_by_label_or_number(settings, db) -> None:
    transcript = await converse(
        settings,
        db,
        [
            "/status",
            "3",
            "[History]",
            "[back]",
            "[📋 All channels]",
            "when was the last swap",
            "[status]",
        ],
    )
    turns = transcript.split("you> ")[1:]
    assert turns[1].startswith("3\nbot (edited)> Tactical ceasefire proposals")
    assert turns[2].startswith("[History]\nbot (edited)> History: Tactical ceasefire proposals")
    assert "[⬅️ Back] [📋 All channels]" in turns[2]
    assert turns[3].startswith("[back]\nbot (edited)> Tactical ceasefire proposals")
    assert turns[4].startswith(
        "[📋 All channels]\nbot (edited)> Backchannel: where the talks stand"
    )
    assert turns[6].startswith("[status]\nbot (edited)> Detainee swaps and prisoner releases")


async def test_unknown_labels_and_numbers_say_there_is_no_such_button(settings, db) -> None:
    lines = ["[Subscribe]", "/status", "42", "0", "tell me a joke", "²"]
    transcript = await converse(settings, db, lines)
    turns = transcript.split("you> ")[1:]
    assert turns[0] == "[Subscribe]\nconsole> No button [Subscribe] under the last message.\n\n"
    assert turns[2] == "42\nconsole> No button 42 under the last message.\n\n"
    assert turns[3] == "0\nconsole> No button 0 under the last message.\n\n"
    assert "(edited)" not in transcript
    assert "couldn't tell which channel" in turns[4]
    assert turns[5].startswith("²\nbot> ")  # a digit-like sign is text, not a crash


class ScriptedStdin(io.StringIO):
    """Lines to type, with actions (callables) run between them, like an admin elsewhere."""

    def __init__(self, script: list) -> None:
        super().__init__()
        self.script = list(script)

    def readline(self, size: int = -1) -> str:
        while self.script and callable(self.script[0]):
            self.script.pop(0)()
        return self.script.pop(0) + "\n" if self.script else ""


async def test_stale_button_shows_the_notice_and_the_overview(settings, db) -> None:
    def archive_summit() -> None:
        db["channels"].update(1, {"archived": 1})

    out = io.StringIO()
    stdin = ScriptedStdin(["/summit", archive_summit, "[History]"])
    await run_console(settings, db, stdin=stdin, stdout=out)
    pressed = out.getvalue().split("you> ")[2]
    assert "bot (notice)> That channel is no longer tracked" in pressed
    assert "bot (edited)> Backchannel: where the talks stand" in pressed
    assert "Leader-level summit" not in pressed
