"""The translation catalog is complete and current: CI fails on a missing or stale entry."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from language.i18n import LOCALES_DIR, texts

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "plural": (1, 2)}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
# The tags Telegram HTML knows; "<user id>" in a usage line is text, not a tag.
_TAG = re.compile(r"</?(b|i|u|s|code|pre|a|blockquote|tg-spoiler)\b")


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog():
    with (LOCALES_DIR / "uk" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="uk")


def test_catalog_matches_the_code_exactly() -> None:
    in_code = _extracted()
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing, stale = sorted(in_code - in_catalog), sorted(in_catalog - in_code)
    assert not missing, f"not in the catalog; run `make messages` and translate: {missing[:10]}"
    assert not stale, f"no longer in the code; run `make messages`: {stale[:10]}"


def test_every_entry_is_translated_with_the_same_placeholders_and_tags() -> None:
    problems = []
    for message in _catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if "fuzzy" in message.flags or not all(strings):
            problems.append(("untranslated", ids[0]))
            continue
        for string in strings:
            if set(_PLACEHOLDER.findall(string)) - set(_PLACEHOLDER.findall(ids[-1])):
                problems.append(("unknown placeholder", ids[0]))
            if sorted(_TAG.findall(string)) != sorted(_TAG.findall(ids[0])):
                problems.append(("different HTML tags", ids[0]))
    assert problems == []


def test_dates_come_from_babel_locale_data() -> None:
    assert texts("uk").date(date(2025, 1, 1)) == "1 січня 2025"
    assert texts("en").date(date(2025, 1, 1)) == "1 Jan 2025"
    assert texts("uk").month(11) == "листопад"
