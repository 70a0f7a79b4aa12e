"""Words for the codes of the shipped vocabularies that pages and statements show (other
codes read as words: "risk-management" → "Risk management"), in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DEGREE_LEVELS = {
    "associate": _l("Associate degree"),
    "bachelor": _l("Bachelor's degree"),
    "master": _l("Master's degree"),
    "doctorate": _l("Doctorate"),
}
PROVIDERS = {
    "cfp-registered": _l("CFP Board Registered Program"),
    "cfp-ce": _l("CFP Board CE sponsor"),
    "cfp-ethics-ce": _l("CFP Board-approved ethics CE"),
    "other": _l("Other provider"),
}


def humanize(code: str | None) -> str:
    """A code as words, first letter capital: "risk-management" → "Risk management"."""
    text = (code or "").replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def word_for(words: dict[str, str], code: str) -> str:
    """The word for a code in the page's language, else the code as words."""
    label = words.get(code)
    return str(label) if label is not None else humanize(code)
