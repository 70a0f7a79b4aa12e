"""Every sentence and label the engine writes, in each language it writes them.

One table, keyed by message id, with a text per language. A message names its values in
braces; numbers are written the language's way (English 6,000.5, Polish 6000,5 and
12 000), and `{value:noun}` writes the number with the noun in the right form (Polish:
1 godzina, 2 godziny, 5 godzin, 1,5 godziny; `{value:noun.gen}` for the genitive after
"z" or "limit": 1 godziny, 5 godzin). Dates stay ISO `YYYY-MM-DD` in every language.
A language the table lacks falls back to English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

LANGUAGES: tuple[str, ...] = ("en", "pl")
DEFAULT_LANGUAGE = "en"
TAG_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")

MESSAGES: dict[str, dict[str, str]] = {
    # --- groups and pathways ------------------------------------------------------------
    "all": {"en": "{met} of {total} met", "pl": "Spełnione: {met} z {total}"},
    "any": {
        "en": "{met} of {total} met; one is enough",
        "pl": "Spełnione: {met} z {total}; wystarczy jedno",
    },
    "any.one": {"en": "{met} of 1 met", "pl": "Spełnione: {met} z 1"},
    "at_least": {
        "en": "{met} of {total} met; {need} needed",
        "pl": "Spełnione: {met} z {total}; wymagane: {need}",
    },
    "group.not_applicable": {
        "en": "No part of it applies on this pathway",
        "pl": "Żadna część nie dotyczy tej ścieżki",
    },
    "not_applicable": {"en": "Does not apply on this pathway", "pl": "Nie dotyczy tej ścieżki"},
    "not_applicable.pathway": {
        "en": "Not required on {current}: applies only to {pathway}",
        "pl": "Nie dotyczy ścieżki „{current}”; wymagane tylko na ścieżce „{pathway}”",
    },
    # --- waivers and due dates ----------------------------------------------------------
    "waived": {"en": "Waived: {reason}", "pl": "Zwolniono z wymogu: {reason}"},
    "waived.no_reason": {"en": "Waived", "pl": "Zwolniono z wymogu"},
    "due.late": {
        "en": "; met on {met_on}, after the due date {due}",
        "pl": "; spełnione {met_on}, po terminie {due}",
    },
    "due.passed": {"en": "; the due date {due} has passed", "pl": "; termin {due} minął"},
    # --- degrees ------------------------------------------------------------------------
    "level.associate": {"en": "Associate", "pl": "Dyplom associate"},
    "level.bachelor": {"en": "Bachelor", "pl": "Licencjat"},
    "level.master": {"en": "Master", "pl": "Magister"},
    "level.doctorate": {"en": "Doctorate", "pl": "Doktorat"},
    "degree.not_conferred": {
        "en": "{degree} (not yet conferred)",
        "pl": "{degree} (stopień jeszcze nienadany)",
    },
    "degree.not_verified": {
        "en": "{degree} (not yet verified)",
        "pl": "{degree} (jeszcze niezweryfikowany)",
    },
    "degree.none": {
        "en": "No degree on record that qualifies: needs {wanted}",
        "pl": "Brak dyplomu spełniającego wymóg: potrzebny {wanted}",
    },
    "wanted.associate": {"en": "an associate degree", "pl": "dyplom associate"},
    "wanted.bachelor": {"en": "a bachelor's degree", "pl": "licencjat"},
    "wanted.master": {"en": "a master's degree", "pl": "tytuł magistra"},
    "wanted.doctorate": {"en": "a doctorate", "pl": "doktorat"},
    "wanted.or_higher": {"en": "{level} or higher", "pl": "{level} lub wyższy stopień"},
    "wanted.accredited": {
        "en": "{wanted} from an accredited institution",
        "pl": "{wanted} z akredytowanej uczelni",
    },
    "wanted.fields": {"en": "{wanted} in {fields}", "pl": "{wanted}, kierunek: {fields}"},
    # --- courses ------------------------------------------------------------------------
    "courses.missing": {"en": "Topics missing: {topics}", "pl": "Brakujące tematy: {topics}"},
    "courses.all_topics": {
        "en": "All {count} topics covered",
        "pl": "Wszystkie tematy zaliczone ({count})",
    },
    "courses.topic": {"en": "Topic covered", "pl": "Temat zaliczony"},
    "courses.credits": {
        "en": "{credits} of {minimum} credits",
        "pl": "{credits:credit} z wymaganych {minimum}",
    },
    "courses.count": {
        "en": "{count} of {minimum} courses",
        "pl": "{count:course} z wymaganych {minimum}",
    },
    "courses.count.one": {
        "en": "{count} of {minimum} course",
        "pl": "{count:course} z wymaganych {minimum}",
    },
    "courses.unverified": {
        "en": "{count:course} not yet verified",
        "pl": "niezweryfikowane: {count:course}",
    },
    # --- exams and attestations ---------------------------------------------------------
    "exam.done": {"en": "Passed {code} on {date}", "pl": "Egzamin {code} zdany {date}"},
    "exam.lapses": {"en": "; lapses {date}", "pl": "; traci ważność {date}"},
    "exam.lapsed": {"en": "; lapsed {date}", "pl": "; stracił ważność {date}"},
    "exam.not_verified": {"en": "; not yet verified", "pl": "; jeszcze niezweryfikowany"},
    "exam.registered": {
        "en": "; valid while registered ({kind})",
        "pl": "; ważny w okresie rejestracji ({kind})",
    },
    "exam.none": {"en": "No pass of {code} on record", "pl": "Brak zdanego egzaminu {code}"},
    "exam.failed": {
        "en": "{code} not passed yet (last attempt {date})",
        "pl": "Egzamin {code} jeszcze niezdany (ostatnie podejście {date})",
    },
    "attestation.done": {
        "en": "Signed {code} on {date}",
        "pl": "Oświadczenie {code} podpisane {date}",
    },
    "attestation.lapses": {"en": "; lapses {date}", "pl": "; traci ważność {date}"},
    "attestation.lapsed": {"en": "; lapsed {date}", "pl": "; straciło ważność {date}"},
    "attestation.not_verified": {
        "en": "; not yet verified",
        "pl": "; jeszcze niezweryfikowane",
    },
    "attestation.none": {
        "en": "No signed {code} attestation",
        "pl": "Brak podpisanego oświadczenia {code}",
    },
    # --- held credentials ---------------------------------------------------------------
    "credential.holds": {"en": "Holds {name} since {date}", "pl": "Posiada: {name}, od {date}"},
    "credential.current_at": {
        "en": "; current on {date}",
        "pl": "; ważność sprawdzona na dzień {date}",
    },
    "credential.met": {
        "en": "Requirements of {name} met on {date}",
        "pl": "Wymagania „{name}” spełnione {date}",
    },
    "credential.expired": {
        "en": "{name} is no longer held (expired)",
        "pl": "„{name}”: uprawnienie wygasło",
    },
    "credential.progress": {
        "en": "Requirements of {name}: {detail} ({percent}%)",
        "pl": "Wymagania „{name}”: {detail} ({percent}%)",
    },
    "credential.none": {"en": "No {name} on record", "pl": "Brak: {name}"},
    "credential.not_verified": {
        "en": "Holds {name} since {date}; not yet verified",
        "pl": "Posiada: {name}, od {date}; jeszcze niezweryfikowane",
    },
    # --- hours --------------------------------------------------------------------------
    "hours.counted": {
        "en": "{counted} of {minimum} hours",
        "pl": "{counted:hour} z wymaganych {minimum}",
    },
    "hours.capped.weekly": {
        "en": "{capped} hours above the {weekly}-hour weekly limit were not counted",
        "pl": "nie wliczono: {capped:hour} ponad tygodniowy limit {weekly:hour.gen}",
    },
    "hours.capped.yearly": {
        "en": "{capped} hours above the {yearly}-hour yearly limit were not counted",
        "pl": "nie wliczono: {capped:hour} ponad roczny limit {yearly:hour.gen}",
    },
    "hours.capped.both": {
        "en": (
            "{capped} hours above the {weekly}-hour weekly and {yearly}-hour yearly limits "
            "were not counted"
        ),
        "pl": (
            "nie wliczono: {capped:hour} ponad tygodniowy limit {weekly:hour.gen} "
            "i roczny limit {yearly:hour.gen}"
        ),
    },
    "hours.pending": {
        "en": "{pending} hours pending approval",
        "pl": "oczekujące na zatwierdzenie: {pending:hour}",
    },
    "hours.min_months": {
        "en": "{months} months must pass from the first counted day: met on {date}",
        "pl": "wymagany okres od pierwszego zaliczonego dnia: {months:month}; spełnione {date}",
    },
    # --- renewal cycles -----------------------------------------------------------------
    "cycle.current": {
        "en": "current cycle {start} to {end}",
        "pl": "bieżący okres rozliczeniowy {start} – {end}",
    },
    "cycle.waiting": {
        "en": "the first cycle starts once {node} is met",
        "pl": "pierwszy okres rozliczeniowy zacznie się po spełnieniu wymogu „{node}”",
    },
    # --- default titles -----------------------------------------------------------------
    "title.all": {"en": "All of the following", "pl": "Wszystkie poniższe"},
    "title.any": {"en": "One of the following", "pl": "Jedno z poniższych"},
    "title.at_least": {
        "en": "At least {count} of the following",
        "pl": "Co najmniej {count} z poniższych",
    },
    "title.level.associate": {"en": "Associate degree", "pl": "Dyplom associate"},
    "title.level.bachelor": {"en": "Bachelor's degree", "pl": "Licencjat"},
    "title.level.master": {"en": "Master's degree", "pl": "Tytuł magistra"},
    "title.level.doctorate": {"en": "Doctorate", "pl": "Doktorat"},
    "title.or_higher": {"en": "{title} or higher", "pl": "{title} lub wyższy stopień"},
    "title.accredited": {"en": "{title}, accredited", "pl": "{title}, z akredytowanej uczelni"},
    "title.fields": {"en": "{title}, in {fields}", "pl": "{title}, kierunek: {fields}"},
    "title.courses": {"en": "Courses", "pl": "Kursy"},
    "title.courses.parts": {"en": "Courses: {parts}", "pl": "Kursy: {parts}"},
    "title.courses.count": {"en": "{count:course}", "pl": "{count:course}"},
    "title.courses.credits": {"en": "{credits:2} credits", "pl": "{credits:credit}"},
    "title.courses.topics": {"en": "covering {topics}", "pl": "tematy: {topics}"},
    "title.courses.providers": {"en": "{title} ({providers})", "pl": "{title} ({providers})"},
    "title.exam": {"en": "{code} exam passed", "pl": "Egzamin {code} zdany"},
    "title.hours": {
        "en": "{minimum:2} hours of experience",
        "pl": "{minimum:hour} doświadczenia zawodowego",
    },
    "title.attestation": {"en": "{kind} attestation signed", "pl": "Oświadczenie {kind} podpisane"},
    "title.credential": {"en": "Holds {id}", "pl": "Posiada: {id}"},
    # --- the text tree (render_text) ----------------------------------------------------
    "status.met": {"en": "met", "pl": "spełnione"},
    "status.in_progress": {"en": "in progress", "pl": "w toku"},
    "status.not_started": {"en": "not started", "pl": "nierozpoczęte"},
    "status.expired": {"en": "expired", "pl": "wygasłe"},
    "status.not_applicable": {"en": "not applicable", "pl": "nie dotyczy"},
    "render.head": {
        "en": "{name} ({credential}, version {version})",
        "pl": "{name} ({credential}, wersja {version})",
    },
    "render.pathway": {"en": ", pathway {pathway}", "pl": ", ścieżka: {pathway}"},
    "render.as_of": {"en": ", as of {as_of}", "pl": ", stan na {as_of}"},
    "render.waived": {"en": " (waived)", "pl": " (zwolnione)"},
    "render.planned": {"en": " (planned)", "pl": " (planowane)"},
    "render.met_on": {"en": "met {date}", "pl": "od {date}"},
    "render.due": {"en": "due {date}", "pl": "termin {date}"},
    "render.projected": {"en": "projected {date}", "pl": "prognoza {date}"},
    "render.not_counted": {"en": "not counted: {items}", "pl": "nie zaliczono: {items}"},
    "reason.pending": {"en": "pending", "pl": "oczekujące"},
    "reason.rejected": {"en": "rejected", "pl": "odrzucone"},
    "reason.outside_window": {"en": "outside window", "pl": "poza okresem"},
    "reason.after_cutoff": {"en": "after cutoff", "pl": "po terminie granicznym"},
    "reason.not_matching": {"en": "not matching", "pl": "niepasujące"},
    "reason.future": {"en": "future", "pl": "z przyszłą datą"},
    "reason.not_passed": {"en": "not passed", "pl": "niezdane"},
    "reason.lapsed": {"en": "lapsed", "pl": "wygasłe"},
    "reason.not_waivable": {"en": "not waivable", "pl": "bez możliwości zwolnienia"},
    "reason.unverified": {"en": "unverified", "pl": "niezweryfikowane"},
    # --- lists --------------------------------------------------------------------------
    "or": {"en": " or ", "pl": " lub "},
    "and": {"en": " and ", "pl": " i "},
}

# Noun forms. English: singular, plural. Polish: nominative singular (1), "few" (2-4, 22-24,
# ...), "many" (0, 5-21, 25-31, ...), genitive singular (fractions, and "z 1"), genitive plural.
NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "hour": {
        "en": ("hour", "hours"),
        "pl": ("godzina", "godziny", "godzin", "godziny", "godzin"),
    },
    "course": {"en": ("course", "courses"), "pl": ("kurs", "kursy", "kursów", "kursu", "kursów")},
    "credit": {
        "en": ("credit", "credits"),
        "pl": ("punkt", "punkty", "punktów", "punktu", "punktów"),
    },
    "month": {
        "en": ("month", "months"),
        "pl": ("miesiąc", "miesiące", "miesięcy", "miesiąca", "miesięcy"),
    },
    "year": {"en": ("year", "years"), "pl": ("rok", "lata", "lat", "roku", "lat")},
}

NO_BREAK_SPACE = "\u00a0"


def language_tag(value: object) -> str | None:
    """A lower-case language tag (`pl`, `en-gb`; `_` read as `-`), or None if `value` is not one."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if TAG_RE.fullmatch(tag) else None


def best_match(wanted: str, available: Iterable[str]) -> str | None:
    """The available tag for `wanted`: the same tag, else one with the same primary language."""
    tags = list(available)
    if wanted in tags:
        return wanted
    primary = wanted.split("-")[0]
    if primary in tags:
        return primary
    return next((tag for tag in tags if tag.split("-")[0] == primary), None)


def _language(lang: str) -> str:
    return best_match(lang, LANGUAGES) or DEFAULT_LANGUAGE


def number(value: float, lang: str, *, fixed: bool = False) -> str:
    """A number written the language's way, rounded to 2 places (`fixed`: always 2 decimals
    when not whole, as titles write them)."""
    rounded = round(float(value), 2)
    if rounded.is_integer():
        text = f"{rounded:,.0f}"
    else:
        text = f"{rounded:,.2f}" if fixed else f"{rounded:,.2f}".rstrip("0")
    if _language(lang) != "pl":
        return text
    whole, _, decimals = text.partition(".")
    digits = whole.replace(",", "")
    if len(digits.lstrip("-")) >= 5:  # Polish groups thousands only from 10 000 on
        whole = whole.replace(",", NO_BREAK_SPACE)
    else:
        whole = digits
    return f"{whole},{decimals}" if decimals else whole


def quantity(value: float, noun: str, lang: str, *, genitive: bool = False) -> str:
    """`value` with `noun` in the form the number needs (`2 godziny`, `5 godzin`, `1 hour`)."""
    language = _language(lang)
    forms = NOUNS[noun].get(language, NOUNS[noun][DEFAULT_LANGUAGE])
    rounded = round(float(value), 2)
    written = number(rounded, language)
    if language != "pl":
        return f"{written} {forms[0] if rounded == 1 else forms[1]}"
    one, few, many, genitive_one, genitive_many = forms
    if not rounded.is_integer():
        return f"{written} {genitive_one}"
    n = abs(int(rounded))
    if genitive:
        return f"{written} {genitive_one if n == 1 else genitive_many}"
    if n == 1:
        return f"{written} {one}"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{written} {few}"
    return f"{written} {many}"


class _Number:
    """A number in a message: `format` writes it in the language, with a noun if asked."""

    __slots__ = ("lang", "value")

    def __init__(self, value: float, lang: str) -> None:
        self.value = value
        self.lang = lang

    def __format__(self, spec: str) -> str:
        if not spec:
            return number(self.value, self.lang)
        if spec == "2":
            return number(self.value, self.lang, fixed=True)
        noun, _, case = spec.partition(".")
        return quantity(self.value, noun, self.lang, genitive=case == "gen")


def say(lang: str, key: str, **values: object) -> str:
    """Message `key` in `lang` (English when the table has no text in that language)."""
    texts = MESSAGES[key]
    template = texts.get(lang)
    if template is None:
        lang = _language(lang)
        template = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    if not values:
        return template
    for name, value in values.items():
        if type(value) is int or type(value) is float:
            values[name] = _Number(value, lang)
    return template.format_map(values)


def one_of(items: Sequence[str], lang: str) -> str:
    """`a or b or c` in the language."""
    return say(lang, "or").join(items)
