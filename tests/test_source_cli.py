"""`backchannel sources ...`: add, list, poll once, remove, OPML in and out."""

from __future__ import annotations

import pytest

import storage
from bot.cli import main as cli
from tests.admin_support import rows
from tests.feed_server import serving

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
  <outline text="Humanitarian">
    <outline type="rss" text="ICRC" xmlUrl="{icrc}"/>
    <outline type="rss" text="OCHA" xmlUrl="{ocha}" backchannelGrade="official"
             backchannelChannels="ceasefire,corridors"/>
  </outline>
  <outline type="rss" text="Bad" xmlUrl="ftp://example.org/feed"/>
</body></opml>
"""


@pytest.fixture
def server():
    yield from serving("rss2.xml", "atom.xml")


@pytest.fixture
def run(db, settings, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    monkeypatch.setenv("SOURCES_ALLOW_PRIVATE", "true")

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_add_poll_list_remove(db, run, server) -> None:
    code, out, _ = run("sources", "add", server.url("/rss2.xml"), "--channels", "aid,exchanges")
    assert code == 0 and "#1" in out and "Civilian humanitarian aid access" in out
    assert rows(db, "audit_log")[-1]["action"] == "source_add"
    assert rows(db, "audit_log")[-1]["actor_name"].startswith("cli:")
    code, out, _ = run("sources", "poll", "--once")
    assert code == 0 and "#1 " in out and "3 new items" in out
    assert out.endswith("1 feeds polled, 3 new items, 0 failed.\n")
    code, out, _ = run("sources", "poll", "--once")  # nothing due any more
    assert out == "0 feeds polled, 0 new items, 0 failed.\n"
    code, out, _ = run("sources", "list")
    assert "ICRC news releases" in out and "3 items seen" in out
    code, out, _ = run("sources", "remove", "1")
    assert (code, out) == (0, "Removed #1 ICRC news releases.\n")
    assert rows(db, "sources") == [] and rows(db, "source_items") == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sources", "add", "ftp://example.org/x"], "only http:// and https://"),
        (["sources", "add", "https://example.org/x", "--channels", "nope"], "neither a channel"),
        (["sources", "remove", "42"], "No source '42'"),
        (["sources", "add", "https://example.org/x", "--every", "3m"], "every 5m to every 24h"),
    ],
)
def test_refusals(db, run, argv, expected) -> None:
    code, _, err = run(*argv)
    assert code == 1 and expected in err
    assert rows(db, "sources") == []


def test_opml_round_trip(db, run, server, tmp_path) -> None:
    file = tmp_path / "reader.opml"
    file.write_text(OPML.format(icrc=server.url("/rss2.xml"), ocha=server.url("/atom.xml")))
    code, out, err = run("sources", "import-opml", str(file))
    assert code == 1  # one feed refused, and said so
    assert "1 refused" in out and "2 sources added" in out and "ftp://example.org/feed" in err
    ocha = storage.source_by_url(db, server.url("/atom.xml"))
    assert ocha.grade == "official" and ocha.title == "OCHA"
    assert [storage.find_channel(db, s).id for s in ("ceasefire", "corridors")] == list(
        ocha.channel_ids
    )
    code, out, _ = run("sources", "import-opml", str(file))
    assert "0 sources added, 2 already followed" in out
    exported = tmp_path / "out.opml"
    assert run("sources", "export-opml", "--output", str(exported))[0] == 0
    text = exported.read_text()
    assert 'backchannelChannels="ceasefire,corridors"' in text and 'text="ICRC"' in text
    assert text.count("<outline") == 2  # the refused ftp feed was never followed


def test_hostile_opml_is_refused(db, run, tmp_path) -> None:
    file = tmp_path / "bomb.opml"
    file.write_text('<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "x">]><opml>&a;</opml>')
    code, _, err = run("sources", "import-opml", str(file))
    assert code == 1 and "declares XML entities" in err and "nothing was imported" in err
