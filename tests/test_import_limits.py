"""Import files cannot make the parsers eat the machine, and bad files get one short line.

Each file here used to take the CLI down: a 415-byte YAML "billion laughs" took 23 s and
3.6 GB and printed a 722 MB error; deep JSON, a huge CSV field and a non-UTF-8 CSV ended in
tracebacks. Bounded time is shown by the refusal itself: the file is refused before the
expensive part can start, with one line naming the problem, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import storage
from bot.editing.import_files import MAX_FILE_BYTES
from tests.admin_support import rows
from tests.cli_support import cli_runner

HEADER = "channel,kind,phase,summary,source_url,source_grade,changed_at,actor\n"
MODES = [(), ("--into-empty",)]


@pytest.fixture
def cli(settings, monkeypatch, capsys):
    return cli_runner(settings.database_path, monkeypatch, capsys)


def billion_laughs(levels: int) -> str:
    """Each level holds nine aliases of the one before: 9**levels strings from a few lines."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{','.join([f'*a{level - 1}'] * 9)}]")
    lines.append(f"updates: [{{channel: aid, kind: note, summary: x, changed_at: *a{levels - 1}}}]")
    return "\n".join(lines) + "\n"


def _refused(cli, db, tmp_path, file: Path, mode: tuple[str, ...]) -> str:
    """Import `file`; assert a one-line refusal and an untouched database; return the line."""
    before = rows(db, "status_history"), rows(db, "audit_log")
    restored = tmp_path / "restored.db"
    database = {"database": restored} if mode else {}
    code, out, err = cli("import", str(file), *mode, **database)
    assert code == 1 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err[:500]
    assert len(err) < 300, err[:500]
    assert "Traceback" not in err
    assert (rows(db, "status_history"), rows(db, "audit_log")) == before
    if mode and restored.exists():
        copy = storage.open_database(restored)
        assert storage.history_count(copy) == 0 and copy["channels"].count == 0
        copy.close()
    return err


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("levels", [5, 9])
def test_yaml_aliases_are_refused(cli, db, tmp_path, mode, levels: int) -> None:
    file = tmp_path / "laughs.yaml"
    file.write_text(billion_laughs(levels), encoding="utf-8")
    if levels == 9:
        assert file.stat().st_size < 600  # the whole attack fits in a few hundred bytes
    err = _refused(cli, db, tmp_path, file, mode)
    assert err.startswith(
        "laughs.yaml: line 1: YAML anchors and aliases (&name, *name) are not supported"
    )


def test_yaml_anchor_alone_is_refused(cli, db, tmp_path) -> None:
    file = tmp_path / "anchor.yaml"
    file.write_text("- &row {channel: aid, kind: note, summary: x}\n", encoding="utf-8")
    err = _refused(cli, db, tmp_path, file, ())
    assert err.startswith("anchor.yaml: line 1: YAML anchors and aliases (&name, *name)")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "content"), [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep.json", '[{"summary":\n' + "[" * 50 + "]" * 50 + "}]"),
    ("deep.yaml", "[" * 100_000 + "]" * 100_000),
    ("deep.yaml", "- summary:\n" + "".join("  " * n + "  - \n" for n in range(2, 60))),
])  # fmt: skip
def test_deep_nesting_is_refused(cli, db, tmp_path, mode, name: str, content: str) -> None:
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    err = _refused(cli, db, tmp_path, file, mode)
    assert f"{name}: line " in err and "nested more than 4 levels deep" in err


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_csv_field_is_refused(cli, db, tmp_path, mode) -> None:
    file = tmp_path / "big.csv"
    file.write_text(HEADER + "aid,note,,x,,,,\n" + f"aid,note,,{'y' * 200_000},,,,\n")
    err = _refused(cli, db, tmp_path, file, mode)
    assert err.startswith("big.csv: line 3: a field is longer than 131,072 characters")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["latin1.csv", "latin1.json", "latin1.yaml"])
def test_non_utf8_is_refused_with_its_line(cli, db, tmp_path, mode, name: str) -> None:
    file = tmp_path / name
    text = {
        "csv": HEADER + "aid,note,,Convoy,,,,\naid,note,,Café,,,,\n",
        "json": '[\n{"channel": "aid", "kind": "note",\n "summary": "Café"}]',
        "yaml": "- channel: aid\n  kind: note\n  summary: Café\n",
    }[name.split(".")[1]]
    file.write_bytes(text.encode("latin-1"))
    err = _refused(cli, db, tmp_path, file, mode)
    line = {"csv": 3, "json": 3, "yaml": 3}[name.split(".")[1]]
    assert err.startswith(f"{name}: line {line} is not UTF-8 text; save the file as UTF-8")


@pytest.mark.parametrize("mode", MODES)
def test_a_file_too_big_is_refused_before_reading(cli, db, tmp_path, mode) -> None:
    file = tmp_path / "huge.csv"
    with file.open("wb") as sparse:  # no data written: the size alone must refuse it
        sparse.truncate(MAX_FILE_BYTES + 1)
    err = _refused(cli, db, tmp_path, file, mode)
    assert err.startswith("huge.csv is larger than 64 MB")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", '[{"channel": "aid",\n "summary": ' + "x" * 5000, "bad.json: line 2"),
        ("bad.yaml", "- channel: aid\n  summary: [" + "x" * 5000, "bad.yaml: line 2"),
        ("bad.csv", "channel,summary\n" + '"' + "x" * 5000 + '"z' + "\n", None),
    ],
)
def test_syntax_errors_quote_no_more_than_a_short_excerpt(
    cli, db, tmp_path, name: str, content: str, expected: str | None
) -> None:
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    code, _, err = cli("import", str(file))
    assert code == 1 and "Traceback" not in err
    assert "x" * 61 not in err
    if expected:
        assert err.startswith(expected) and err.count("\n") == 1
