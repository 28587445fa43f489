"""The question words routing understands, in English and Ukrainian.

Channel words are not here: they come from the database (seed.yaml keywords for the seeded
channels). These are the words that say *what* is asked: a time window, "latest", "changes".
Ukrainian words are listed in the case forms people actually type.
"""
# ruff: noqa: RUF001 (Cyrillic letters that look like Latin ones are intended here)


def _words(text: str) -> set[str]:
    return set(text.split())


# Length of a unit in days.
UNITS: dict[str, int] = {
    **dict.fromkeys(_words("day days доба добу доби діб день дні днів дня"), 1),
    **dict.fromkeys(_words("week weeks тиждень тижні тижня тижнів"), 7),
    "fortnight": 14,
    **dict.fromkeys(_words("month months місяць місяці місяця місяців"), 30),
    **dict.fromkeys(_words("year years рік року роки років"), 365),
}

NUMBERS: dict[str, int] = {
    **{str(n): n for n in range(1, 366)},
    **dict.fromkeys(_words("a one один одна одну"), 1),
    **dict.fromkeys(_words("two couple два дві"), 2),
    **dict.fromkeys(_words("three три"), 3),
    **dict.fromkeys(_words("four чотири"), 4),
    **dict.fromkeys(_words("five п'ять"), 5),
    **dict.fromkeys(_words("six шість"), 6),
    **dict.fromkeys(_words("seven сім"), 7),
    **dict.fromkeys(_words("ten десять"), 10),
}

# Words before a unit that make it a time window: "this week", "за тиждень", "останні 3 дні".
MODIFIERS = _words(
    """this last past previous recent за протягом цього цей цієї ця останній останні
    останнього останню останнім минулий минулого минулі минулу попередній"""
)

TODAY = _words("today tonight сьогодні")
YESTERDAY = _words("yesterday вчора учора")

LATEST_CUES = _words(
    """last latest recent recently when newest
    коли останній остання останнє останнього востаннє найновіше"""
)

CHANGE_CUES = _words(
    """changed changes change new news updates updated happened happening moved developments
    змінилося змінилось змінилися зміни змін нового нове новини новин сталося сталось
    оновлення"""
)

# Never channel words: question words, time words and filler, so "what changed" cannot match
# "exchanges" and "this week" cannot match a channel.
STOPWORDS = (
    _words(
        """a an the is are was were be been has have had do does did on in of for to about
        any anything there what what's whats how hows how's which who with and or me tell
        show give status update info it its it's at there's theres going now so far where
        we our you please hi hello hey thanks since ago much many yet still up talks level
        що як чи є з із зі про на в у до по і й та а був була було були буде які який яка
        яке там це мені скажи покажи статус стан справи ситуація щодо привіт дякую
        відбувся відбулася відбулось відбувалося ще вже зараз переговори переговорів
        новенького"""
    )
    | LATEST_CUES
    | CHANGE_CUES
    | MODIFIERS
    | TODAY
    | YESTERDAY
    | set(UNITS)
    | set(NUMBERS)
)
