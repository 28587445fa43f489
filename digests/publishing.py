"""Posting phase changes to the linked Telegram channel, and correcting what was sent.

Runs like instant alerts: one recurring job, the shared paced sender, and a watermark that
moves (with the record of the post) only after Telegram accepted the post. Each change is its
own post, so each can be corrected alone. Corrections cover every message the bot sent about
an entry that has since been undone (channel posts and instant alerts): the message is edited
through the same sender, then marked corrected; one that can no longer be edited is marked
too, so it is not retried forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import storage
from digests.alerts import is_phase_change
from digests.sender import DigestSender, Outcome
from language.i18n import texts
from render.corrections import corrected_alert
from render.publishing import channel_post, corrected_post

log = logging.getLogger(__name__)

BATCH = 50  # posts or corrections per tick; the rest follow on the next tick
CORRECTION_ROUNDS = 20  # batches of corrections one run goes through at most


@dataclass
class PublishReport:
    """What one publishing run did."""

    posted: int = 0
    corrected: int = 0
    failed: int = 0


async def publish(
    db: Database, sender: DigestSender, zone: str, *, batch: int = BATCH
) -> PublishReport:
    """Post new phase changes to the linked channel, then edit in pending corrections."""
    report = PublishReport()
    target = storage.publish_target(db)
    if target is not None:
        await _post_changes(db, sender, target, ZoneInfo(zone), batch, report)
    # An undone change may have been alerted to thousands of chats: keep correcting while whole
    # batches go through, up to a bound, instead of one batch per tick.
    for _round in range(CORRECTION_ROUNDS):
        before = report.corrected
        if await _correct(db, sender, ZoneInfo(zone), batch, report) < batch:
            break
        if report.corrected == before:
            break  # only retries left: the next tick tries them again
    if report.posted or report.corrected or report.failed:
        log.info("publishing: %d posted, %d corrected, %d to retry",
                 report.posted, report.corrected, report.failed)  # fmt: skip
    return report


async def _post_changes(
    db: Database,
    sender: DigestSender,
    target: storage.PublishTarget,
    zone: ZoneInfo,
    batch: int,
    report: PublishReport,
) -> None:
    upto = storage.latest_change_id(db)
    if upto <= target.watermark:
        return
    channels = {channel.id: channel for channel in storage.list_channels(db)}
    ladder, _ = storage.phase_ladder(db), texts(target.language)
    for change in storage.changes_between(db, target.watermark, upto)[:batch]:
        entry = change.entry
        channel = channels.get(entry.channel_id)
        if channel is None or not is_phase_change(change):
            storage.move_publish_watermark(db, target.chat_id, entry.id)
            continue
        html = channel_post(change, channel, ladder, zone, _)
        outcome, message_id = await sender.post(target.chat_id, html)
        if outcome is not Outcome.DELIVERED or message_id is None:
            report.failed += 1
            return  # keep the order: later changes wait for this one
        storage.record_sent(
            db, chat_id=target.chat_id, entry_id=entry.id, message_id=message_id,
            kind=storage.CHANNEL_POST, language=target.language, html=html, watermark=entry.id,
        )  # fmt: skip
        report.posted += 1


async def _correct(
    db: Database, sender: DigestSender, zone: ZoneInfo, batch: int, report: PublishReport
) -> int:
    """Edit in up to `batch` pending corrections; returns how many were pending."""
    pending = storage.uncorrected_messages(db, batch)
    if not pending:
        return 0
    channels = {channel.id: channel for channel in storage.list_channels(db)}
    edited: set[tuple[int, int]] = set()  # alert messages already edited in this run
    for correction in pending:
        message = correction.message
        if message.kind == storage.ALERT:
            if (message.chat_id, message.message_id) not in edited:
                edited.add((message.chat_id, message.message_id))
                await _correct_alert(db, sender, message, zone, report)
            continue
        channel = channels.get(correction.entry.channel_id)
        now_status = storage.channel_status(db, channel) if channel is not None else None
        html = corrected_post(
            message.html, correction.reverted_at, now_status, zone, texts(message.language)
        )
        outcome = await sender.edit(message.chat_id, message.message_id, html)
        if outcome is Outcome.RETRY_LATER:
            report.failed += 1
            continue
        # Delivered, or the message is gone or refused (deleted, too old): nothing more to do.
        storage.mark_corrected(db, message)
        report.corrected += 1
    return len(pending)


async def _correct_alert(
    db: Database,
    sender: DigestSender,
    message: storage.SentMessage,
    zone: ZoneInfo,
    report: PublishReport,
) -> None:
    """Edit one alert so every undone change in it is struck through, the rest kept.

    The edit is computed from the alert as sent and every undone change in it, so it is the
    same whichever correction triggers it; a crash before the changes are marked repeats
    this one edit (which Telegram then finds unchanged).
    """
    alert = storage.alert_message(db, message.chat_id, message.message_id)
    undone = [] if alert is None else [b.entry_id for b in alert.blocks if b.reverted_at]
    if alert is None or not undone:  # forgotten (too old to edit): nothing to do
        storage.mark_alert_corrected(db, message.chat_id, [message.entry_id])
        return
    tz = ZoneInfo(alert.timezone) if alert.timezone else zone
    html = corrected_alert(
        alert.html, [(b.html, b.reverted_at) for b in alert.blocks], tz, texts(alert.language)
    )
    outcome = await sender.edit(alert.chat_id, alert.message_id, html)
    if outcome is Outcome.RETRY_LATER:
        report.failed += 1
        return
    storage.mark_alert_corrected(db, alert.chat_id, undone)
    report.corrected += 1
