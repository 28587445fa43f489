"""Calendar words routing reads, in English and Ukrainian: months, weekdays, hours, cues.

Ukrainian words are listed in the case forms dates use: "листопад" (nominative), "1 листопада"
(genitive), "у листопаді" (locative); "з понеділка", "у понеділок".
"""
# ruff: noqa: RUF001, RUF002, RUF003 (Cyrillic letters that look like Latin ones are intended)

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


_ENGLISH_MONTHS = _words(
    "january february march april may june july august september october november december"
)
_UKRAINIAN_MONTHS = [
    "січень січня січні",
    "лютий лютого лютому",
    "березень березня березні",
    "квітень квітня квітні",
    "травень травня травні",
    "червень червня червні",
    "липень липня липні",
    "серпень серпня серпні",
    "вересень вересня вересні",
    "жовтень жовтня жовтні",
    "листопад листопада листопаді",
    "грудень грудня грудні",
]

# Month number of every form; short English names count only beside a day number ("3 Mar").
MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(_ENGLISH_MONTHS, start=1)},
    **{
        form: number
        for number, forms in enumerate(_UKRAINIAN_MONTHS, start=1)
        for form in forms.split()
    },
}
SHORT_MONTHS: dict[str, int] = {
    name[:3]: number for number, name in enumerate(_ENGLISH_MONTHS, start=1)
} | {"sept": 9}
# Words that are months only in context ("may I ask"): after "in"/"since" or beside a number.
AMBIGUOUS_MONTHS = {"may", "лютий"}

# Monday is 0, as datetime.weekday() counts.
WEEKDAYS: dict[str, int] = {
    form: number
    for number, forms in enumerate(
        [
            "monday понеділок понеділка понеділку",
            "tuesday вівторок вівторка вівторку",
            "wednesday середа середи середу",
            "thursday четвер четверга четверг",
            "friday п'ятниця п'ятниці п'ятницю пятниця пятниці пятницю",
            "saturday субота суботи суботу",
            "sunday неділя неділі неділю",
        ]
    )
    for form in forms.split()
}

HOURS = set(_words("hour hours hr hrs година години годину годин год"))
# Units finer or coarser than what a briefing counts: said so instead of guessed.
UNREADABLE_UNITS = set(
    _words(
        """minute minutes min mins second seconds decade decades century centuries
        хвилина хвилини хвилину хвилин секунда секунди секунд десятиліття століття"""
    )
)
YEAR_WORDS = set(_words("році рік року р"))

# Words before a date that make it the start of a window: "since 3 March", "з 3 березня".
SINCE = set(_words("since from з із зі від починаючи"))
# Words before a month or year that make it a window: "in November", "у листопаді".
IN = set(_words("in during throughout for у в за протягом"))
# Words asking for the state of things, not for changes: "what was the status on 1 March".
STATE = set(_words("status state situation стан статус ситуація становище"))

GREETINGS = set(
    _words(
        """hello hi hey hiya howdy greetings morning afternoon evening good start
        привіт привітик вітаю вітання добрий доброго добридень день ранку ранок вечір вечора
        здрастуйте здоровенькі були"""
    )
)
HELP = set(
    _words(
        """help commands command допомога допоможи допоможіть довідка команди команда
        can do вмієш можеш вмієте можете"""
    )
)
# Help words that need no other word to ask for help ("help", "допомога").
HELP_ALONE = set(_words("help commands допомога допоможи допоможіть довідка команди"))
OVERVIEW = set(
    _words(
        """status statuses overview summary everything all channels state situation
        статус статуси огляд стан ситуація все всі канали загальний загальна"""
    )
)
OVERVIEW_ALONE = set(_words("status statuses overview статус статуси огляд стан ситуація"))
