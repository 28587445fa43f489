"""`backchannel set`, `note` and `import`: same validation and storage as Telegram."""

from pathlib import Path

import pytest

import storage
from bot.cli import main as cli
from tests.admin_support import rows

HEADER = "channel,kind,phase,summary,source_url,source_grade,changed_at,actor\n"


@pytest.fixture
def run(db, settings, monkeypatch, capsys):
    """Run the CLI against the test database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def latest(db, slug: str) -> storage.StatusEntry:
    return storage.history(db, storage.find_channel(db, slug).id, 1)[0]


async def test_cli_set_and_note(db, run) -> None:
    code, out, _ = run(
        "set", "ceasefire", "negotiating", "Easter", "pause", "--source", "https://e.org/a"
    )
    assert (code, out) == (0, "ceasefire: exploratory -> negotiating (improved).\n")
    entry = latest(db, "ceasefire")
    assert (entry.summary, entry.source_grade, entry.actor_id) == ("Easter pause", "media", None)
    assert entry.actor_name.startswith("cli:")
    assert rows(db, "audit_log")[-1]["actor_name"] == entry.actor_name
    code, out, _ = run("note", "prisoners", "Lists", "exchanged", "--grade", "official")
    assert out == "Note added to exchanges (phase stays implementing).\n"
    note = latest(db, "exchanges")
    assert (note.kind, note.phase, note.source_grade) == ("note", "implementing", "official")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["set", "zzz", "stalled", "x"], "There is no channel called “zzz”"),
        (["set", "aid", "paused", "x"], "“paused” is not a phase"),
        (["set", "aid", "stalled", "x", "--source", "example.org"], "must start with http"),
        (["note", "aid", "y" * 501], "is 501 characters long"),
        (["set", "aid", "stalled", "x", "--at", "yesterday"], "is not a date or time"),
    ],
)
async def test_cli_refuses_bad_input(db, run, argv, expected) -> None:
    before = rows(db, "status_history")
    code, out, err = run(*argv)
    assert code == 1 and out == "" and expected in err and "Nothing was changed" in err
    assert rows(db, "status_history") == before


async def test_import_csv_round_trip_columns(db, run, tmp_path: Path) -> None:
    file = tmp_path / "updates.csv"
    file.write_text(
        HEADER
        + "aid,status,negotiating,Talks resumed,,,2026-11-20,Olena\n"
        + 'summit,note,,"Still, nothing",https://e.org/n,,,\n'
        + "ceasefire,status,stalled,Broke off,https://e.org/c,official,2026-11-21T09:30:00Z,\n",
        encoding="utf-8",
    )
    code, out, _ = run("import", str(file))
    assert (code, out) == (0, "Imported 3 updates from updates.csv.\n")
    aid = latest(db, "aid")
    assert (aid.phase, aid.actor_name, aid.source_grade) == ("negotiating", "Olena", "unconfirmed")
    assert aid.changed_at.isoformat() == "2026-11-20T00:00:00+00:00"
    summit = latest(db, "summit")
    assert (summit.kind, summit.phase, summit.summary) == ("note", "stalled", "Still, nothing")
    assert summit.source_grade == "media"
    assert latest(db, "ceasefire").source_grade == "official"


async def test_import_yaml(db, run, tmp_path: Path) -> None:
    file = tmp_path / "updates.yaml"
    file.write_text(
        "updates:\n"
        "  - {channel: corridors, phase: negotiating, summary: ICRC, changed_at: 2026-11-02}\n"
        "  - {channel: corridors, kind: note, summary: 'Route <b>agreed</b> & mapped'}\n",
        encoding="utf-8",
    )
    assert run("import", str(file))[0] == 0
    entries = storage.history(db, storage.find_channel(db, "corridors").id, 2)
    assert [e.summary for e in entries] == ["Route <b>agreed</b> & mapped", "ICRC"]
    assert entries[1].changed_at.isoformat() == "2026-11-02T00:00:00+00:00"


async def test_import_with_one_bad_row_writes_nothing(db, run, tmp_path: Path) -> None:
    file = tmp_path / "updates.csv"
    file.write_text(
        HEADER
        + "aid,status,negotiating,Fine row,,,,\n"
        + "summit,status,stalled,Also fine,,,,\n"
        + "ceasefire,status,bogus,Bad phase,ftp://x,,,\n"
        + "corridors,note,,Fine note,,,,\n",
        encoding="utf-8",
    )
    before = rows(db, "status_history"), rows(db, "audit_log")
    code, out, err = run("import", str(file))
    assert code == 1 and out == ""
    assert "updates.csv: nothing was imported." in err
    assert "row 3: “bogus” is not a phase" in err and "row 3: “ftp://x” is not a web address" in err
    assert "row 1" not in err and "row 4" not in err
    assert (rows(db, "status_history"), rows(db, "audit_log")) == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("u.txt", "x", "use a .csv, .json, .yaml or .yml file"),
        ("u.json", "[unclosed", "is not valid JSON"),
        ("u.json", '{"channel": "aid"}', "expected a list of updates"),
        ("u.yaml", "channel: aid", "expected a list of updates"),
        ("u.yaml", "[unclosed", "is not valid YAML"),
        ("u.csv", HEADER, "contains no updates"),
        ("u.csv", "channel,sumary\naid,x\n", "row 1: Unknown column “sumary”"),
        ("u.csv", HEADER + "aid,rumour,,x,,,,\n", "row 1: “rumour” is not a kind"),
        ("u.csv", HEADER + "aid,status,,x,,,,\n", "row 1: A status needs a phase"),
        ("u.csv", HEADER + "aid,note,,x,,secret,,\n", "row 1: “secret” is not a source grade"),
    ],
)
async def test_import_file_problems(db, run, tmp_path: Path, name, content, expected) -> None:
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    code, _, err = run("import", str(file))
    assert code == 1 and expected in err
    assert len(rows(db, "status_history")) == 6


async def test_import_missing_file_and_dry_run(db, run, tmp_path: Path) -> None:
    assert "no such file" in run("import", str(tmp_path / "nope.csv"))[2]
    file = tmp_path / "u.csv"
    file.write_text(HEADER + "aid,status,stalled,x,,,,\n", encoding="utf-8")
    code, out, _ = run("import", str(file), "--dry-run")
    assert code == 0 and "1 update is valid; nothing was written" in out
    assert len(rows(db, "status_history")) == 6
