"""The status site: every channel's phase, summary, source and freshness, and its history.

`pages()` turns one snapshot of the database into every file of the site (HTML, charts and
Atom feeds in English at the root and in Ukrainian under `uk/`); `backchannel site build DIR` writes
them, and the live server (`WEB_PORT`) answers from the same function, so the two never differ.
The site is static and dependency-free: no script, one inline stylesheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlite_utils import Database

import storage
from language.i18n import LANGUAGES, Texts, texts
from render.charts import OVERVIEW_HEADING, Series, Window, render_channel, render_overview
from render.formatting import channel_title, days_between, grade_name, is_stale, phase_label
from web.feeds import atom_feed

HISTORY_SHOWN = 50
CHART_DAYS = 365
SAFE_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class Snapshot:
    """What the site shows, read from the database in one go."""

    statuses: list[storage.ChannelStatus]
    histories: dict[int, list[storage.StatusEntry]]
    recent: list[storage.StatusEntry]
    ladder: storage.PhaseLadder
    series: dict[int, Series]
    window: Window


def snapshot(db: Database, now: datetime, zone: tzinfo) -> Snapshot:
    """Read everything the pages need (current statuses, histories, chart data)."""
    statuses = storage.current_statuses(db)
    histories = {s.channel.id: storage.history(db, s.channel.id, HISTORY_SHOWN) for s in statuses}
    recent = sorted(
        (entry for entries in histories.values() for entry in entries),
        key=lambda entry: (entry.recorded_at, entry.id),
        reverse=True,
    )
    window = Window(now - timedelta(days=CHART_DAYS), now, zone)
    series = {
        s.channel.id: Series(
            title=s.channel.title,
            start_status=storage.status_at(db, s.channel.id, window.since),
            entries=tuple(storage.history_since(db, s.channel.id, window.since)),
        )
        for s in statuses
    }
    return Snapshot(statuses, histories, recent, storage.phase_ladder(db), series, window)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def safe_url(url: str | None) -> str | None:
    """A link only for http(s) addresses; anything else (javascript:, data:) is shown as text."""
    return url if url and url.lower().startswith(SAFE_SCHEMES) else None


def _helpers(snap: Snapshot, _: Texts, prefix: str) -> dict[str, object]:
    def ago(moment: datetime) -> str:
        days = days_between(moment, snap.window.now.astimezone(snap.window.zone))
        if days == 0:
            return _("today")
        if days == 1:
            return _("yesterday")
        return _.plural("{count} day ago", "{count} days ago", days)

    def phase(slug: str) -> str:
        found = snap.ladder.get(slug)
        return f"{found.emoji} {phase_label(found, _)}" if found else slug

    return {
        "_": _,
        "lang": _.language,
        "prefix": prefix,
        "ago": ago,
        "date": lambda moment: _.date(moment, snap.window.zone),
        "stale": lambda moment: is_stale(moment, snap.window.now.astimezone(snap.window.zone)),
        "phase": phase,
        "grade": lambda value: grade_name(value, _),
        "title": lambda channel: channel_title(channel, _),
        "summary": lambda entry: entry.summary_in(_.language)[0],
        "safe_url": safe_url,
        "now": snap.window.now,
        "other": {"en": "uk/", "uk": "../"}[_.language],
        "other_name": {"en": "Українська", "uk": "English"}[_.language],
    }


def pages(snap: Snapshot, base_url: str = "", *, with_charts: bool = True) -> dict[str, bytes]:
    """Every file of the site by its path: HTML in both languages, feeds, charts.

    Charts are most of the work (about a second of drawing per language); `with_charts=False`
    leaves them out for checks that only read the pages.
    """
    env = _environment()
    files: dict[str, bytes] = {}
    channels = {status.channel.id: status.channel for status in snap.statuses}
    for language in LANGUAGES:
        _ = texts(language)
        root = "" if language == "en" else f"{language}/"
        up = "" if language == "en" else "../"
        values = _helpers(snap, _, up)
        files[f"{root}index.html"] = _html(env, "index.html", values, statuses=snap.statuses)
        files[f"{root}atom.xml"] = atom_feed(
            title=_("Backchannel: every change"), feed_path=f"{root}atom.xml", base_url=base_url,
            entries=snap.recent, channels=channels, ladder=snap.ladder,
            updated=snap.window.now, _=_,
        )  # fmt: skip
        for status in snap.statuses:
            slug = status.channel.slug
            entries = snap.histories[status.channel.id]
            files[f"{root}channels/{slug}.html"] = _html(
                env, "channel.html", {**values, "prefix": up + "../"}, status=status,
                entries=entries,
            )  # fmt: skip
            files[f"{root}channels/{slug}.xml"] = atom_feed(
                title=_("Backchannel: {channel}", channel=channel_title(status.channel, _)),
                feed_path=f"{root}channels/{slug}.xml", base_url=base_url, entries=entries,
                channels=channels, ladder=snap.ladder, updated=snap.window.now, _=_,
            )  # fmt: skip
        if with_charts:
            files.update({root + path: png for path, png in charts(snap, _).items()})
    return files


def _html(env: Environment, template: str, values: dict[str, object], **data: object) -> bytes:
    return env.get_template(template).render(**values, **data, Markup=Markup).encode("utf-8")


def charts(snap: Snapshot, _: Texts) -> dict[str, bytes]:
    """The overview chart and one chart per channel, as PNG files, in `_`'s language: the
    same pictures (and drawing code) as the bot's /timeline."""
    series = {
        status.channel.id: replace(
            snap.series[status.channel.id], title=channel_title(status.channel, _)
        )
        for status in snap.statuses
    }
    files = {
        f"charts/{status.channel.slug}.png": render_channel(
            series[status.channel.id], snap.ladder, snap.window, _
        )
        for status in snap.statuses
    }
    files["charts/overview.png"] = render_overview(
        list(series.values()), snap.ladder, snap.window, _(OVERVIEW_HEADING), _
    )
    return files


def write_site(files: dict[str, bytes], out: Path, report: Callable[[str], None]) -> int:
    """Write the files under `out`, each replaced whole (a reader never sees half a page)."""
    for relative, content in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(content)
        partial.replace(target)
    report(f"wrote {len(files)} files to {out}")
    return len(files)
