"""Admin replies about a summary's text in the other language (/translate, the guided /set)."""

from language.i18n import UKRAINIAN, Texts
from render.formatting import bold, quoted, text
from storage import Channel, StatusEntry


def _in_language(_: Texts, language: str) -> str:
    return _("in Ukrainian") if language == UKRAINIAN else _("in English")


def translation_prompt(_: Texts, entry: StatusEntry) -> str:
    """The guided /set's last step: ask for the summary in the other language."""
    if entry.summary_language == UKRAINIAN:
        return _(
            "🌐 Send the same text in English too, so English readers see it in theirs, or /skip."
        )
    return _(
        "🌐 Send the same text in Ukrainian too, so Ukrainian readers see it in theirs, or /skip."
    )


def translation_echo(_: Texts, channel: Channel, entry: StatusEntry, previous: str | None) -> str:
    """The reply to a saved translation: what was added (and what it replaced)."""
    language = entry.translation_language or UKRAINIAN
    kind = _("note") if entry.kind == "note" else _("status")
    lines = [
        _(
            "🌐 Saved the {kind} of {title} {language}:",
            kind=kind,
            title=bold(channel.title),
            language=_in_language(_, language),
        ),
        text(entry.translation or ""),
    ]
    if previous:
        lines.append(_("(It replaces {old}.)", old=quoted(previous)))
    return "\n".join(lines)


def same_translation(_: Texts) -> str:
    """The text given is the entry's translation already: saving it would change nothing."""
    return _("That translation is already saved.")


def wrong_language(_: Texts, entry: StatusEntry) -> str:
    """The text given as a translation is in the entry's own language."""
    if entry.summary_language == UKRAINIAN:
        return _("That text looks Ukrainian, like the entry itself. Send the English text.")
    return _("That text looks English, like the entry itself. Send the Ukrainian text.")
