"""Which Ukrainian word normaliser serves /search: pymorphy3 lemmas or a Snowball stemmer.

Run `.venv/bin/python -m bench.ukrainian_words` (needs `pip install snowballstemmer`, which
Backchannel itself does not depend on). Word forms come from the seed keywords and a Ukrainian
rendering of the source article's terms. A method "finds" a document word for a query word when
their normalised forms meet (prefix: when the document word starts with the query word, which is
what FTS5's `"word"*` did before). Recall counts same-word pairs found; false merges count
pairs of different words found.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

GROUPS = [
    "обмін обміну обміном обміни обмінів обмінами",
    "полонені полонених полоненими полонений полоненим полоненого",
    "допомога допомоги допомогу допомогою",
    "гуманітарна гуманітарної гуманітарну гуманітарний гуманітарні гуманітарних",
    "коридор коридори коридору коридорів коридорами коридорах",
    "евакуація евакуації евакуацію евакуацією",
    "відбудова відбудови відбудову відбудовою",
    "економіка економіки економіку",
    "торгівля торгівлі торгівлею",
    "енергетика енергетики енергетику",
    "санкції санкцій санкціями",
    "перемир'я перемир'ям",
    "пауза паузи паузу паузами",
    "тиша тиші тишу",
    "саміт саміту самітом",
    "зустріч зустрічі зустріччю",
    "лідер лідери лідерів лідерами",
    "президент президента президентів президентами",
    "переговори переговорів переговорах",
    "угода угоди угоду угодою",
    "домовленість домовленості домовленостей",
    "регіон регіони регіонах регіонів",
    "протокол протоколи протоколів протоколами",
    "проєкт проєкти проєктів",
    "мережа мережі мереж мережами",
    "транспорт транспорту транспортом",
    "моніторинг моніторингу моніторингом",
    "звільнення звільненню",
    "бій бої боїв боях",
    "цивільні цивільних цивільним",
    "ліки ліків ліками",
    "мир миру миром",
    "війна війни війну",
]
# Different words that share a beginning: a good normaliser keeps them apart.
NEIGHBOURS = "обмеження тиск паук лід самі торф угорщина корида мирний військо ліс регіт"


def _words() -> tuple[list[set[str]], list[str]]:
    groups = [set(line.split()) for line in GROUPS]
    return groups, [w for g in groups for w in sorted(g)] + NEIGHBOURS.split()


def _pymorphy() -> Callable[[str], set[str]]:
    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer(lang="uk")
    return lambda word: {parse.normal_form for parse in analyzer.parse(word)}


def _pymorphy_first() -> Callable[[str], set[str]]:
    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer(lang="uk")
    return lambda word: {analyzer.parse(word)[0].normal_form}


def _snowball_russian() -> Callable[[str], set[str]]:
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("russian")
    return lambda word: {stemmer.stemWord(word)}


def _measure(name: str, matches: Callable[[str, str], bool], words: list[str]) -> None:
    groups, _ = _words()
    group_of = {w: i for i, g in enumerate(groups) for w in g}
    found = total = merged = cross = 0
    confusions = []
    for query, doc in itertools.permutations(words, 2):
        same = query in group_of and group_of.get(doc) == group_of[query]
        hit = matches(query, doc)
        if same:
            total += 1
            found += hit
        else:
            cross += 1
            merged += hit
            if hit and len(confusions) < 6:
                confusions.append(f"{query}→{doc}")
    print(f"{name:22} recall {found / total:6.1%}  false merges {merged:3d} of {cross}", confusions)


def main() -> None:
    """Print recall, false merges and speed of each method."""
    _, words = _words()
    _measure('prefix (FTS5 "w"*)', lambda q, d: d.startswith(q), words)
    for name, make in [
        ("pymorphy3 all lemmas", _pymorphy),
        ("pymorphy3 first lemma", _pymorphy_first),
        ("snowball russian", _snowball_russian),
    ]:
        started = time.perf_counter()
        normalise = make()
        loaded = time.perf_counter() - started
        keys = {w: normalise(w) for w in words}
        _measure(name, lambda q, d, k=keys: bool(k[q] & k[d]), words)
        started = time.perf_counter()
        for _ in range(20):
            for word in words:
                normalise(word + "")
        per_word = (time.perf_counter() - started) / (20 * len(words))
        print(f"{'':22} load {loaded * 1000:.0f} ms, {per_word * 1e6:.1f} µs a word")


if __name__ == "__main__":
    main()
