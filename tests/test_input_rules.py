"""One rule per kind of value, whichever path writes it: commands, CLI, import and restore.

Each test is an attack that used to get through one of the paths: a restored channel called
/set or /help that hid the command, a `javascript:` link, a 200,000-character label that
turned every reply into a hundred messages, line breaks inside titles and labels.
"""

from __future__ import annotations

import html
import json
import unicodedata
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import render.formatting
import storage
from language.i18n import texts
from render.channels import channel_detail
from render.formatting import source_html
from storage.values import EXCERPT_CHARS, excerpt, is_web_url
from tests.admin_support import admin_in, rows
from tests.cli_support import cli_runner
from tests.conftest import Chat

HEADER = "channel,kind,phase,summary,source_url,source_grade,changed_at,actor,source_label\n"
HUGE = "L" * 200_000


@pytest.fixture
def cli(settings, monkeypatch, capsys):
    return cli_runner(settings.database_path, monkeypatch, capsys)


@pytest.fixture
def exported(cli, db) -> list[dict]:
    """The seeded history as `backchannel export --format json` writes it."""
    return json.loads(cli("export", "--format", "json")[1])


def _restore(cli, tmp_path: Path, data: list[dict]) -> tuple[int, str, str, Path]:
    file, restored = tmp_path / "edited.json", tmp_path / "restored.db"
    file.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = cli("import", str(file), "--into-empty", database=restored)
    return code, out, err, restored


def _nothing_restored(restored: Path) -> bool:
    copy = storage.open_database(restored)
    try:
        return storage.history_count(copy) == 0 and copy["channels"].count == 0
    finally:
        copy.close()


@pytest.mark.parametrize("name", ["set", "help", "grant", "start", "status", "cancel"])
def test_restore_refuses_a_channel_named_like_a_command(cli, exported, tmp_path, name: str) -> None:
    """A restored channel /set would be matched before the command and hide it for good."""
    for row in exported:
        if row["channel"] == "summit":
            row["channel"] = name
    code, out, err, restored = _restore(cli, tmp_path, exported)
    assert code == 1 and out == ""
    assert f"row 1: /{name} is already a command; rename the channel in the file." in err
    assert _nothing_restored(restored)


def test_restore_refuses_a_slug_that_is_another_channels_alias(cli, exported, tmp_path) -> None:
    """`prisoners` is the seeded alias of `exchanges`: two channels cannot share the command."""
    exported[0]["channel"] = "prisoners"
    code, _, err, restored = _restore(cli, tmp_path, exported)
    assert code == 1
    assert "row 1: /prisoners is already a command (an alias of “exchanges”)" in err
    assert "Traceback" not in err and _nothing_restored(restored)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("source_url", "javascript:alert(1)", "“javascript:alert(1)” is not a web address"),
        ("source_url", "data:text/html,<b>", "“data:text/html,<b>” is not a web address"),
        ("source_url", "https://example.org/a\nb", "“https://example.org/a↵b” is not a web"),
        ("source_label", HUGE, "The source label is 200000 characters long; the limit is 200."),
        ("source_label", "ICRC\nGeneva", "The source label must be one line"),
        ("actor_name", HUGE, "The actor name is 200000 characters long; the limit is 150."),
        ("actor_name", "Olena\u2028Admin", "The actor name must be one line"),
        ("reverted_by", "x" * 151, "The actor name is 151 characters long; the limit is 150."),
        ("summary", "y" * 501, "The summary is 501 characters long; the limit is 500."),
    ],
)
def test_restore_applies_the_value_rules(
    cli, exported, tmp_path, column: str, value: str, expected: str
) -> None:
    exported[2][column] = value
    if column == "reverted_by":
        exported[2]["reverted_at"] = exported[2]["recorded_at"]
        exported.append({**exported[2], "reverted_at": None, "reverted_by": None})
    code, out, err, restored = _restore(cli, tmp_path, exported)
    assert code == 1 and out == ""
    assert f"row 3: {expected}" in err
    # The error quotes at most a short excerpt of the bad value.
    assert len(err) < 1000
    assert _nothing_restored(restored)


def test_a_huge_label_cannot_be_imported_either(cli, db, tmp_path) -> None:
    file = tmp_path / "label.json"
    row = {"channel": "aid", "kind": "note", "summary": "Convoy", "source_label": HUGE}
    file.write_text(json.dumps([row]), encoding="utf-8")
    before = rows(db, "status_history")
    code, _, err = cli("import", str(file))
    assert code == 1
    assert "row 1: The source label is 200000 characters long; the limit is 200." in err
    assert len(err) < 1000 and rows(db, "status_history") == before


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ('https://e.org/a,,,,"ICRC\rGeneva"', "The source label must be one line"),
        ("https://e.org/a,,,Olena\tAdmin,", "The actor name must be one line"),
        (f"https://e.org/a,,,{'A' * 151},", "The actor name is 151 characters long"),
        ('"https://e.org/a\nb",,,,', "“https://e.org/a↵b” is not a web address"),
    ],
)
def test_import_applies_the_value_rules(cli, db, tmp_path, cells: str, expected: str) -> None:
    file = tmp_path / "rows.csv"
    file.write_text(HEADER + f"aid,note,,Convoy,{cells}\n", encoding="utf-8", newline="")
    before = rows(db, "status_history")
    code, _, err = cli("import", str(file))
    assert code == 1 and f"row 1: {expected}" in err
    assert rows(db, "status_history") == before


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/addchannel energy Energy\ntruce", "The title must be one line"),
        ("/renamechannel aid Aid\naccess", "The title must be one line"),
    ],
)
async def test_titles_are_one_line(db, app, api, command: str, expected: str) -> None:
    before = rows(db, "channels")
    reply = await admin_in(app, api).ask(command)
    assert expected in reply and "Nothing was changed" in reply
    assert rows(db, "channels") == before


@pytest.mark.parametrize(
    "command",
    [
        "/set ceasefire negotiating Talks\x1b[31m resumed",
        "/note exchanges Lists\x00 handed over",
        "/set aid stalled Convoys\u200b\x07 halted",
    ],
)
async def test_a_summary_refuses_control_codes(db, app, api, command: str) -> None:
    """Line breaks are welcome in a summary; invisible control codes (a pasted record
    separator, a NUL, a bell) are not: Telegram drops some and shows others as boxes."""
    before = storage.history_count(db)
    reply = await admin_in(app, api).ask(command)
    assert "control codes" in reply and "Nothing was changed" in reply
    assert storage.history_count(db) == before


async def test_a_summary_keeps_its_line_breaks(db, app, api) -> None:
    before = storage.history_count(db)
    reply = await admin_in(app, api).ask("/note exchanges Lists handed over\nNames follow")
    assert "control codes" not in reply
    assert storage.history_count(db) == before + 1


async def test_grant_name_follows_the_actor_name_rule(db, app, api) -> None:
    reply = await admin_in(app, api).ask("/grant 4242 " + "N" * 300)
    assert "The name is 300 characters long; the limit is 150." in reply
    assert rows(db, "admins") == []


async def test_a_stored_javascript_link_is_never_rendered_as_a_link(db, app, api) -> None:
    """Defence in depth: even a row written before the rules existed shows as plain text."""
    aid = storage.find_channel(db, "aid")
    storage.record_status(
        db, channel_id=aid.id, kind="status", phase="stalled", summary="Old row",
        actor=storage.Actor(id=None, name="legacy"), source_url="javascript:alert(1)",
    )  # fmt: skip
    reply = await Chat(app, api).ask("/aid")
    assert "<a " not in reply
    assert "javascript:alert(1)" in reply


def test_render_links_only_web_addresses(db) -> None:
    status = storage.channel_status(db, storage.find_channel(db, "aid"))
    for url, linked in [
        ("https://example.org/a", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/x", False),
    ]:
        entry = replace(status.current, source_url=url, source_label="Label")
        assert ("<a href=" in source_html(entry, texts("en"))) is linked, url
        shown = replace(status, current=entry)
        ladder = storage.phase_ladder(db)
        detail = channel_detail(
            shown, [], ladder, entry.changed_at, entry.changed_at.tzinfo, texts("en")
        )
        assert ("<a href=" in detail) is linked, url


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_printable_fast_paths_agree_with_the_character_by_character_rules(value) -> None:
    # `excerpt` and `is_web_url` skip their per-character look for printable strings.
    def is_break(char: str) -> bool:
        return unicodedata.category(char) in {"Cc", "Zl", "Zp"}

    cut = value[:EXCERPT_CHARS]
    more = "…" if len(value) > EXCERPT_CHARS else ""
    slow = "".join("↵" if is_break(c) else c for c in cut) + more
    assert excerpt(value) == slow
    url = f"https://example.org/{value}"
    spaced = any(is_break(c) or c.isspace() for c in url)
    assert is_web_url(url) == (not spaced and is_web_url_parts_ok(url))


def is_web_url_parts_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab &<>\"';#x"), max_size=40) | st.text(max_size=40))
def test_escaping_with_a_fast_path_for_plain_text_is_html_escape(value) -> None:
    # `text` skips `html.escape` when nothing needs escaping; every other string is escaped.
    assert render.formatting.text(value) == html.escape(value, quote=True)
