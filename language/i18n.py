"""Every word a reader sees, in their language: gettext catalogs managed with Babel.

English is written in the code and is the catalog's key; Ukrainian lives in
`language/locales/uk/LC_MESSAGES/messages.po`, kept current with `make messages`
(`pybabel extract` + `update`). The `.po` file is compiled in memory on first use, so there is
no generated `.mo` file to forget. Dates, month names and plurals come from Babel's CLDR data,
so "1 січня 2025" and "3 зміни" are right without hand-written tables.

A handler asks once which language the reader uses (`bot.chats.language_of`) and passes the
`Texts` down; nothing reads the language from a global.
"""

from __future__ import annotations

import gettext
import io
import re
from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ENGLISH: Final = "en"
UKRAINIAN: Final = "uk"
LANGUAGES: Final = (ENGLISH, UKRAINIAN)
LANGUAGE_NAMES: Final = {ENGLISH: "English", UKRAINIAN: "Українська"}
LOCALES_DIR: Final = Path(__file__).resolve().parent / "locales"
DOMAIN: Final = "messages"

# Letters only Ukrainian (not Russian or Belarusian) uses, and Cyrillic in general.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def N_(message: str) -> str:
    """Mark a module-level constant for the catalog; it is translated where it is shown."""
    return message


class Texts:
    """One language's catalog: `_("text {x}", x=...)`, `_.plural(...)`, `_.date(...)`.

    Values are put in with `str.format` after translation, so translators may move them.
    Callers pass values already escaped for HTML; catalog strings may contain HTML tags.
    """

    def __init__(self, language: str, catalog: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._catalog = catalog

    def __call__(self, message: str, /, **values: object) -> str:
        """The message in this language, with `values` filled in."""
        translated = self._catalog.gettext(message)
        return translated.format(**values) if values else translated

    def plural(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The form of the message for `count` ("1 change", "3 зміни", "5 змін")."""
        translated = self._catalog.ngettext(singular, plural, count)
        return translated.format(count=count, **values)

    def date(self, moment: date | datetime, zone: tzinfo | None = None) -> str:
        """A calendar date readers of this language expect ("1 Jan 2025", "1 січня 2025")."""
        if isinstance(moment, datetime) and zone is not None:
            moment = moment.astimezone(zone)
        day = moment.date() if isinstance(moment, datetime) else moment
        pattern = "d MMM y" if self.language == ENGLISH else "d MMMM y"
        return format_date(day, pattern, locale=self.locale)

    def weekday(self, moment: datetime, zone: tzinfo | None = None) -> str:
        """A day with its weekday, for what is coming soon ("Wed 25 Nov" in English)."""
        if zone is not None:
            moment = moment.astimezone(zone)
        pattern = "EEE d MMM" if self.language == ENGLISH else "EEE, d MMMM"
        return format_date(moment.date(), pattern, locale=self.locale)

    def month(self, number: int) -> str:
        """A month's name as it stands alone ("November", "листопад")."""
        return self.locale.months["stand-alone"]["wide"][number]


@cache
def texts(language: str) -> Texts:
    """The catalog for a language code; anything unknown falls back to English."""
    language = language if language in LANGUAGES else ENGLISH
    if language == ENGLISH:
        return Texts(ENGLISH, gettext.NullTranslations())
    return Texts(language, _compiled(language))


def _compiled(language: str) -> gettext.GNUTranslations:
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """Which language to answer in: the chat's own choice, else the person's Telegram app
    language (`uk-UA` is Ukrainian, `en-GB` English), else the configured default."""
    if chosen in LANGUAGES:
        return chosen
    code = (telegram_code or "").lower()
    for language in LANGUAGES:
        if code.startswith(language):
            return language
    return default if default in LANGUAGES else ENGLISH


@lru_cache(maxsize=1024)
def language_of_text(value: str) -> str | None:
    """The language a question is written in, by its letters; None when it cannot tell.

    Cyrillic is taken as Ukrainian: the bot's readers who write Cyrillic read Ukrainian.
    Remembered by text (readers ask the same few questions; two scans per question were a
    few percent of a cached answer).
    """
    cyrillic = len(_CYRILLIC.findall(value))
    latin = len(_LATIN.findall(value))
    if cyrillic == latin == 0:
        return None
    return UKRAINIAN if cyrillic > latin else ENGLISH
