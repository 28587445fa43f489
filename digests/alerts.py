"""Instant alerts: a short message as soon as a channel's phase changes, for chats that opted in.

Only status rows whose phase differs from the previous status count (not notes, not a
status that keeps the phase, not rows undone before the alert went out: the same
`changes_between` query as digests skips them). Delivery is the digests' own: the shared
rate-limited DigestSender, and a watermark that moves only after Telegram accepted the alert,
so a crash loses nothing and repeats at most the alert in flight. One recurring JobQueue job
looks for chats that are behind every ALERT_TICK_SECONDS; there is never a job per chat.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import storage
from digests.builder import change_line
from digests.sender import DigestSender, Outcome
from language.i18n import ENGLISH, Texts, texts
from render.formatting import bold, channel_title, italic
from render.splitting import TELEGRAM_LIMIT, telegram_length
from storage.timestamps import utc_now

log = logging.getLogger(__name__)

ALERT_TICK_SECONDS = 15
BATCH_SIZE = 500
# A chat whose alert Telegram kept refusing is left alone this long (its watermark stays, so
# nothing is lost), instead of being retried on every tick.
RETRY_SECONDS = 300.0
BELL = "🔔"
MORE_CHANNELS = 6  # channels named in an alert's "…and N more" line


def is_phase_change(change: storage.DigestChange) -> bool:
    """A status that moved the channel to another phase: the one thing worth an alert."""
    entry = change.entry
    return (
        entry.kind == "status"
        and change.previous_phase is not None
        and change.previous_phase != entry.phase
    )


def alert_text(
    changes: Sequence[storage.DigestChange],
    channels: dict[int, storage.Channel],
    ladder: storage.PhaseLadder,
    zone: str,
    _: Texts,
) -> tuple[str, list[str]]:
    """The alert: one message, one block per change titled by its channel; and the blocks
    that fit (the first ones, kept to correct them later).

    An alert is always a single message. When more changed than fits (an import of hundreds
    of statuses), it shows the first changes and says how many more there are and where to
    read them (/history), instead of flooding every alert chat with dozens of messages.
    """
    tz = ZoneInfo(zone)
    blocks = [alert_block(change, channels, ladder, tz, _) for change in changes]
    alert = bold(_("Backchannel alert"))
    header = _("{bell} {alert}: the phase changed", bell=BELL, alert=alert)
    footer = _("/alerts off stops these; the daily digest still lists them.")
    if telegram_length("\n\n".join([header, *blocks, footer])) <= TELEGRAM_LIMIT:
        return "\n\n".join([header, *blocks, footer]), blocks
    slugs = list(dict.fromkeys(channels[c.entry.channel_id].slug for c in changes))
    # The longest "more" line any cut could need: the most changes left, every channel named.
    budget = TELEGRAM_LIMIT - telegram_length(
        "\n\n".join([header, _more(len(changes), slugs, _), footer])
    )
    shown: list[str] = []
    for block in blocks:
        budget -= telegram_length(block) + 2
        if budget < 0:
            break
        shown.append(block)
    rest = changes[len(shown) :]
    slugs = list(dict.fromkeys(channels[c.entry.channel_id].slug for c in rest))
    return "\n\n".join([header, *shown, _more(len(rest), slugs, _), footer]), shown


def alert_block(
    change: storage.DigestChange,
    channels: dict[int, storage.Channel],
    ladder: storage.PhaseLadder,
    tz: ZoneInfo,
    _: Texts,
) -> str:
    """One change's block of an alert, titled by its channel (kept to correct it later)."""
    channel = channels[change.entry.channel_id]
    return (
        f"{bold(channel_title(channel, _))} · /{channel.slug}\n{change_line(change, ladder, tz, _)}"
    )


def _more(count: int, slugs: list[str], _: Texts) -> str:
    named = ", ".join(f"/history {slug}" for slug in slugs[:MORE_CHANNELS])
    extra = len(slugs) - MORE_CHANNELS
    others = (
        " " + _.plural("and {count} more channel", "and {count} more channels", extra)
        if extra > 0
        else ""
    )
    changes = _.plural(
        "…and {count} more phase change that does not fit in one alert:",
        "…and {count} more phase changes that do not fit in one alert:",
        count,
    )
    return f"{italic(changes)} {named}{others}"


@dataclass
class AlertReport:
    """What an alert run did."""

    sent: int = 0
    nothing: int = 0
    deactivated: int = 0
    failed: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the log."""
        return (
            f"{self.sent} alerts sent, {self.nothing} chats with nothing to alert, "
            f"{self.deactivated} deactivated, {len(self.failed)} to retry"
        )


class _Changes:
    """Phase changes with ids in (lowest, upto], read once per run and widened when needed."""

    def __init__(self, db: Database, upto: int) -> None:
        self.db, self.upto, self.lowest = db, upto, upto
        self.items: list[storage.DigestChange] = []
        self.ids: list[int] = []

    def after(self, start: int) -> list[storage.DigestChange]:
        if start < self.lowest:
            older = storage.changes_between(self.db, start, self.lowest)
            self.items = [c for c in older if is_phase_change(c)] + self.items
            self.ids = [c.entry.id for c in self.items]
            self.lowest = start
        return self.items[bisect_right(self.ids, start) :]


@dataclass(frozen=True)
class _Alert:
    """An alert as rendered once for every chat that gets the same: its text and blocks."""

    html: str
    blocks: tuple[tuple[int, str], ...]  # (entry id, its block), the changes the text shows
    language: str


class _Run:
    """One alert run: what it knows (changes, channels, rendered texts) and what it did."""

    def __init__(self, db: Database, sender: DigestSender, default_language: str) -> None:
        self.db, self.sender, self.upto = db, sender, storage.latest_change_id(db)
        self.default_language = default_language
        self.languages: dict[int, str] = {}
        self.changes, self.report = _Changes(db, self.upto), AlertReport()
        self.channels = {c.id: c for c in storage.list_channels(db)}
        self.ladder = storage.phase_ladder(db)
        self.rendered: dict[tuple[tuple[int, ...], str, str], _Alert] = {}

    async def alert(self, setting: storage.AlertSetting) -> None:
        """Send this chat what it has not been alerted to yet, or just move it along."""
        mine = [
            c
            for c in self.changes.after(setting.start)
            if setting.follows(c.entry.channel_id) and c.entry.channel_id in self.channels
        ]
        if not mine:
            storage.record_alert(self.db, setting.chat_id, watermark=self.upto)
            self.report.nothing += 1
            return
        _ = texts(self.languages.get(setting.chat_id, self.default_language))
        key = (tuple(c.entry.id for c in mine), setting.timezone, _.language)
        if key not in self.rendered:
            html, shown = alert_text(mine, self.channels, self.ladder, setting.timezone, _)
            blocks = tuple(zip((c.entry.id for c in mine), shown, strict=False))
            self.rendered[key] = _Alert(html, blocks, _.language)
        await _deliver(self, setting, self.rendered[key])


async def send_alerts(
    db: Database,
    sender: DigestSender,
    *,
    batch_size: int = BATCH_SIZE,
    skip: Callable[[int], bool] = lambda chat_id: False,
    should_stop: Callable[[], bool] = lambda: False,
    default_language: str = ENGLISH,
) -> AlertReport:
    """Alert every opted-in chat that is behind; chats for which `skip` is true wait.

    Each chat reads its alert in its own language (`default_language` when none is known).
    `should_stop` is checked between chats (shutdown); the rest are alerted after a restart.
    """
    run = _Run(db, sender, default_language)
    after: tuple[int, int] | None = None
    while not should_stop() and (batch := storage.alert_batch(db, run.upto, batch_size, after)):
        after = (batch[-1].watermark, batch[-1].chat_id)
        run.languages = storage.languages_of(db, [setting.chat_id for setting in batch])
        for setting in batch:
            if should_stop():
                break
            if skip(setting.chat_id):
                continue
            try:
                await run.alert(setting)
            except Exception:
                # One broken chat must not hold up everyone else's alerts.
                log.exception("alert for chat %s failed", setting.chat_id)
                run.report.failed.append(setting.chat_id)
    if run.report.sent or run.report.deactivated or run.report.failed:
        log.info("alert run: %s", run.report.summary())
    if run.report.sent:
        storage.forget_old_alerts(db, utc_now() - storage.ALERT_EDITABLE)
    return run.report


async def _deliver(run: _Run, setting: storage.AlertSetting, alert: _Alert) -> None:
    db, report, upto = run.db, run.report, run.upto
    outcome, message_id = await run.sender.post(setting.chat_id, alert.html)
    if outcome is Outcome.DELIVERED:
        # Only what the alert showed is marked "alerted" in the digest; the rest it names.
        # Its message id goes in the same transaction, so an undo can correct it later.
        ids = [entry_id for entry_id, _block in alert.blocks]
        sent = None
        if message_id is not None:
            sent = storage.SentAlert(message_id, alert.language, alert.html, alert.blocks)
        storage.record_alert(
            db, setting.chat_id, watermark=upto, entry_ids=ids, sent_at=utc_now(), message=sent
        )
        report.sent += 1
    elif outcome is Outcome.GONE:
        storage.deactivate(db, setting.chat_id, "unreachable")
        report.deactivated += 1
    else:
        report.failed.append(setting.chat_id)


class RetryLater:
    """Chats whose alert failed, held back for RETRY_SECONDS (in memory: a restart retries)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock, self.until = clock, dict[int, float]()

    def hold(self, chat_ids: Sequence[int]) -> None:
        """Leave these chats alone for a while."""
        for chat_id in chat_ids:
            self.until[chat_id] = self.clock() + RETRY_SECONDS

    def held(self, chat_id: int) -> bool:
        """Whether the chat is still being left alone."""
        until = self.until.get(chat_id)
        if until is not None and until <= self.clock():
            del self.until[chat_id]
            return False
        return until is not None
