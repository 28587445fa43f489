"""The public status page and Atom feeds: valid, escaped, in both languages, read-only."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import html5lib
import pytest

import bot.cli.main
import storage
from storage.models import Actor
from tests.chart_support import figures, png_size, shown_texts
from web.site import pages, snapshot

EDITOR = Actor(id=900, name="Editor")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
__all__ = ["figures"]  # a fixture


@pytest.fixture
def hostile_entry(db):
    channel = storage.find_channel(db, "aid")
    return storage.record_status(
        db, channel_id=channel.id, kind="status", phase="stalled",
        summary='Convoy <script>alert("x")</script> & "quotes"', actor=EDITOR,
        source_label="</a><b>label", source_url="javascript:alert(1)", source_grade="media",
    )  # fmt: skip


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


@pytest.fixture
def site_with_charts(db, settings, hostile_entry, figures) -> dict[str, bytes]:
    return pages(snapshot(db, NOW, settings.zone))


def test_charts_are_the_bots_pictures_in_each_language(site_with_charts, db, figures) -> None:
    site = site_with_charts
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


def test_site_build_writes_the_files(tmp_path, settings, db, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    monkeypatch.setattr(bot.cli.main, "configure_logging", lambda *args: None)
    out = tmp_path / "public" / "site"
    assert bot.cli.main.main(["site", "build", str(out)]) == 0
    assert (out / "index.html").exists() and (out / "uk" / "atom.xml").exists()
    assert not list(out.rglob(".*.partial"))
    assert "wrote" in capsys.readouterr().out
    assert bot.cli.main.main(["site", "build", str(out), "--base-url", "ftp://x"]) == 2
    assert "--base-url must start with http" in capsys.readouterr().err


def test_absolute_feed_links_with_a_base_url(db, settings) -> None:
    files = pages(snapshot(db, NOW, settings.zone), "https://news.example/bc/", with_charts=False)
    feed = feedparser.parse(files["uk/atom.xml"])
    assert feed.feed.links[0].href == "https://news.example/bc/uk/atom.xml"
    assert feed.entries[0].link.startswith("https://news.example/bc/uk/channels/")


CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver packages (apt-get install chromium "
    "chromium-driver); .ci/run installs them",
)
def test_the_page_renders_in_a_real_browser_on_a_phone(site_with_charts, tmp_path: Path) -> None:
    site = site_with_charts
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for relative, content in site.items():
        target = tmp_path / "site" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=390,844"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        for page in ["index.html", "uk/channels/aid.html"]:
            driver.get((tmp_path / "site" / page).as_uri())
            width = driver.execute_script("return window.innerWidth")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= width
            assert driver.execute_script(
                "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"
            )
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == [], errors
        artefacts = Path(__file__).resolve().parent.parent / "test-artefacts"
        artefacts.mkdir(exist_ok=True)
        driver.get((tmp_path / "site" / "index.html").as_uri())
        assert driver.save_screenshot(str(artefacts / "status-page-phone.png"))
    finally:
        driver.quit()
