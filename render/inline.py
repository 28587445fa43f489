"""Status cards for inline mode: what a reader shares into another chat with @Bot <channel>.

A card stands alone in a chat where nobody knows the bot, so it names the briefing, says how
fresh the status is with a date (not "3 days ago", which goes wrong as the message ages), and
keeps to what fits Telegram's inline result (4096 characters, a one-line description).
"""

from __future__ import annotations

from datetime import tzinfo

from language.i18n import Texts
from render.formatting import (
    bold,
    channel_title,
    day,
    phase_badge,
    phase_label,
    source_html,
    summary_html,
    text,
)
from storage import ChannelStatus

DESCRIPTION_LIMIT = 120  # what Telegram shows under an inline result's title, roughly


def inline_card(status: ChannelStatus, zone: tzinfo, _: Texts) -> str:
    """The shared message: channel, phase, summary, source and the date of the status."""
    current = status.current
    return "\n".join(
        [
            bold(channel_title(status.channel, _)),
            phase_badge(status.phase, _),
            summary_html(current, _),
            "",
            _("Source: {source}", source=source_html(current, _)),
            _(
                "Status of {date} · via Backchannel",
                date=text(day(current.changed_at, zone, _)),
            ),
        ]
    )


def inline_description(status: ChannelStatus, _: Texts) -> str:
    """The line under the result's title in the picker: phase and the start of the summary."""
    label = phase_label(status.phase, _)
    line = f"{status.phase.emoji} {label} · {status.current.summary_in(_.language)[0]}"
    return line if len(line) <= DESCRIPTION_LIMIT else line[: DESCRIPTION_LIMIT - 1] + "…"
