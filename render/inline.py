"""Status cards for inline mode: what a reader shares into another chat with @Bot <channel>.

A card stands alone in a chat where nobody knows the bot, so it names the briefing, says how
fresh the status is with a date (not "3 days ago", which goes wrong as the message ages), and
keeps to what fits Telegram's inline result (4096 characters, a one-line description).
"""

from __future__ import annotations

from datetime import tzinfo

from language.i18n import Texts
from render.formatting import bold, phase_badge, source_html, text
from storage import ChannelStatus

DESCRIPTION_LIMIT = 120  # what Telegram shows under an inline result's title, roughly


def inline_card(status: ChannelStatus, zone: tzinfo, _: Texts) -> str:
    """The shared message: channel, phase, summary, source and the date of the status."""
    current = status.current
    return "\n".join(
        [
            bold(status.channel.title),
            phase_badge(status.phase),
            text(current.summary),
            "",
            _("Source: {source}", source=source_html(current)),
            _(
                "Status of {date} · via Backchannel",
                date=text(_.date(current.changed_at, zone)),
            ),
        ]
    )


def inline_description(status: ChannelStatus) -> str:
    """The line under the result's title in the picker: phase and the start of the summary."""
    line = f"{status.phase.emoji} {status.phase.label} · {status.current.summary}"
    return line if len(line) <= DESCRIPTION_LIMIT else line[: DESCRIPTION_LIMIT - 1] + "…"
