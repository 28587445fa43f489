"""The public status page and Atom feeds: valid, escaped, in both languages, read-only."""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import html5lib
import pytest
import time_machine
from matplotlib.figure import Figure

import bot.cli.main
import render.charts
import storage
from storage.models import Actor
from tests.chart_support import png_size, shown_texts
from tests.conftest import ENV_VARS
from web.site import pages, snapshot

EDITOR = Actor(id=900, name="Editor")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _record_hostile_entry(db):
    channel = storage.find_channel(db, "aid")
    return storage.record_status(
        db, channel_id=channel.id, kind="status", phase="stalled",
        summary='Convoy <script>alert("x")</script> & "quotes"', actor=EDITOR,
        source_label="</a><b>label", source_url="javascript:alert(1)", source_grade="media",
    )  # fmt: skip


@pytest.fixture
def hostile_entry(db):
    return _record_hostile_entry(db)


@dataclass(frozen=True)
class BuiltSite:
    """What one `backchannel site build` wrote, drew and printed."""

    folder: Path
    files: dict[str, bytes]  # by path relative to `folder`
    figures: list[Figure]  # every chart, as drawn before saving (tests/chart_support.figures)
    printed: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path) -> BuiltSite:
    """`backchannel site build` of the seeded database plus the hostile entry, at NOW, once
    for the tests that only read what it wrote: drawing its 14 charts took seconds a test.

    Module-scoped, so it sets up for itself what the per-test fixtures give the others: a copy
    of the seeded template, the clock at NOW, no developer environment, its own folder.
    """
    root = tmp_path_factory.mktemp("built-site")
    database, out = root / "backchannel.db", root / "public" / "site"
    shutil.copyfile(seeded_template, database)
    drawn: list[Figure] = []
    save = render.charts._png

    def keeping(figure: Figure) -> bytes:
        drawn.append(figure)
        return save(figure)

    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, time_machine.travel(NOW, tick=False):
        for name in ENV_VARS:
            patch.delenv(name, raising=False)
        patch.chdir(root)
        patch.setenv("DATABASE_PATH", str(database))
        patch.setattr(bot.cli.main, "configure_logging", lambda *args: None)
        patch.setattr(render.charts, "_png", keeping)
        db = storage.open_database(database)
        _record_hostile_entry(db)
        db.close()
        with contextlib.redirect_stdout(printed):
            assert bot.cli.main.main(["site", "build", str(out)]) == 0
    files = {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in out.rglob("*")
        if path.is_file()
    }
    return BuiltSite(out, files, drawn, printed.getvalue())


@pytest.fixture
def site(db, settings, hostile_entry) -> dict[str, bytes]:
    return pages(snapshot(db, NOW, settings.zone), with_charts=False)


def _html_errors(content: bytes) -> list:
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(content)
    return parser.errors


def test_every_page_is_valid_html_in_both_languages(site, db) -> None:
    slugs = [channel.slug for channel in storage.list_channels(db)]
    expected = {"index.html", "uk/index.html"}
    expected |= {f"{root}channels/{slug}.html" for root in ("", "uk/") for slug in slugs}
    assert expected <= set(site)
    for path in expected:
        assert _html_errors(site[path]) == [], path
        assert site[path].startswith(b"<!DOCTYPE html>")
    assert "Де стоять переговори".encode() in site["uk/index.html"]
    assert b'<html lang="uk">' in site["uk/index.html"]
    assert b"Where the talks stand" in site["index.html"]


def test_feeds_parse_back_as_valid_atom(site, db, hostile_entry) -> None:
    for path in ["atom.xml", "uk/atom.xml", "channels/aid.xml", "uk/channels/aid.xml"]:
        feed = feedparser.parse(site[path])
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert feed.entries, path
        for entry in feed.entries:
            assert entry.id.startswith("tag:") and entry.title and entry.updated and entry.link
    newest = feedparser.parse(site["channels/aid.xml"]).entries[0]
    assert newest.id.endswith(f"entry:{hostile_entry.id}")
    assert newest.link.endswith(f"aid.html#entry-{hostile_entry.id}")
    assert '<script>alert("x")</script>' in newest.summary  # text, escaped in the XML


def test_untrusted_text_is_escaped_and_unsafe_links_are_not_links(site) -> None:
    page = site["channels/aid.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "javascript:" not in page
    assert "&lt;/a&gt;&lt;b&gt;label" in page


def test_charts_are_the_bots_pictures_in_each_language(built, db) -> None:
    site, figures = built.files, built.figures
    for channel in storage.list_channels(db):
        for root in ("", "uk/"):
            assert png_size(site[f"{root}charts/{channel.slug}.png"])[0] == 1080
            page = site[f"{root}channels/{channel.slug}.html"]
            assert f'src="../charts/{channel.slug}.png"'.encode() in page
        assert site[f"charts/{channel.slug}.png"] != site[f"uk/charts/{channel.slug}.png"]
    assert b'src="charts/overview.png"' in site["uk/index.html"]
    # The overview is one panel, and every chart carries the credit line in its language.
    english, ukrainian = figures[: len(figures) // 2], figures[len(figures) // 2 :]
    assert len(english[-1].axes) == len(ukrainian[-1].axes) == 1
    as_of = {"en": "Backchannel · as of 24 Nov 2026", "uk": "Backchannel · станом на 24 листопада"}
    for language, drawn in [("en", english), ("uk", ukrainian)]:
        for figure in (drawn[0], drawn[-1]):  # a channel's and the overview
            shown = " ".join(text.get_text() for text in shown_texts(figure))
            assert as_of[language] in shown
    assert "Застопорено" in shown and "Stalled" not in shown


def test_ukrainian_pages_name_phases_grades_and_channels_in_ukrainian(site) -> None:
    page = site["uk/channels/aid.html"].decode()
    assert "🧊 Застопорено" in page and "Stalled" not in page
    assert "(ЗМІ)" in page  # noqa: RUF001 and "(media)" not in page
    assert "Доступ цивільних до гуманітарної допомоги" in page
    assert "Civilian humanitarian aid access" not in page
    index = site["uk/index.html"].decode()
    assert "Negotiating" not in index and "Stalled" not in index
    assert "🧊 Stalled" in site["channels/aid.html"].decode()


def test_site_build_writes_the_files(built, settings, db, monkeypatch, capsys) -> None:
    out = built.folder
    assert (out / "index.html").exists() and (out / "uk" / "atom.xml").exists()
    assert not list(out.rglob(".*.partial"))
    assert "wrote" in built.printed
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    monkeypatch.setattr(bot.cli.main, "configure_logging", lambda *args: None)
    assert bot.cli.main.main(["site", "build", str(out), "--base-url", "ftp://x"]) == 2
    assert "--base-url must start with http" in capsys.readouterr().err


def test_absolute_feed_links_with_a_base_url(db, settings) -> None:
    files = pages(snapshot(db, NOW, settings.zone), "https://news.example/bc/", with_charts=False)
    feed = feedparser.parse(files["uk/atom.xml"])
    assert feed.feed.links[0].href == "https://news.example/bc/uk/atom.xml"
    assert feed.entries[0].link.startswith("https://news.example/bc/uk/channels/")


CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.subprocess
@pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver packages (apt-get install chromium "
    "chromium-driver); .ci/run installs them",
)
def test_the_page_renders_in_a_real_browser_on_a_phone(built) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=390,844"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        for page in ["index.html", "uk/channels/aid.html"]:
            driver.get((built.folder / page).as_uri())
            width = driver.execute_script("return window.innerWidth")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= width
            assert driver.execute_script(
                "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"
            )
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == [], errors
        artefacts = Path(__file__).resolve().parent.parent / "test-artefacts"
        artefacts.mkdir(exist_ok=True)
        driver.get((built.folder / "index.html").as_uri())
        assert driver.save_screenshot(str(artefacts / "status-page-phone.png"))
    finally:
        driver.quit()
