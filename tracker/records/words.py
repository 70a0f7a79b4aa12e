"""Words for the codes of the shipped vocabularies that pages and statements show (other
codes read as words: "risk-management" → "Risk management"), in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from tracker.i18n import lazy_gettext as _l

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
    "american-college-chfc": _l("The American College (ChFC® program)"),
    "iwi-registered-education": _l("IWI registered education provider"),
    "effp-training": _l("€FFP Polska accredited training"),
    "other": _l("Other provider"),
}
CATEGORIES = {
    "financial-planning": _l("Financial planning"),
    "investment-decision-making": _l("Investment decision-making"),
    "business-experience": _l("Business experience"),
}
TOPICS = {
    "general-principles": _l("General principles of financial planning"),
    "risk-management": _l("Risk management and insurance"),
    "investment": _l("Investment planning"),
    "tax": _l("Tax planning"),
    "retirement": _l("Retirement savings and income planning"),
    "estate": _l("Estate planning"),
    "psychology": _l("Psychology of financial planning"),
    "professional-conduct": _l("Professional conduct and regulation"),
    "ethics": _l("Ethics"),
    "capstone": _l("Capstone (financial plan development)"),
}
ATTESTATION_KINDS = {
    "ethics": _l("Ethics declaration (Code of Ethics and Standards)"),
    "background-check": _l("Background check"),
    "professional-conduct-statement": _l("Professional Conduct Statement"),
    "cfa-member-agreement": _l("CFA Institute member agreement"),
    "cfa-membership": _l("CFA Institute membership (dues paid)"),
    "cfa-references": _l("Professional references (CFA Institute)"),
    "american-college-code-of-ethics": _l("The American College Code of Ethics"),
    "cima-application": _l("CIMA® certification application"),
    "cima-background-check": _l("CIMA® background check"),
    "cima-experience": _l("CIMA® experience attestation"),
    "cima-license-agreement": _l("CIMA® licence agreement"),
}
EXAM_CODES = {
    "CFP": _l("CFP® exam"),
    "CFA-L1": _l("CFA® Level I"),
    "CFA-L2": _l("CFA® Level II"),
    "CFA-L3": _l("CFA® Level III"),
    "CIMA": _l("CIMA® certification exam"),
    "EFG": _l("EFG® exam (€FFP Polska)"),
    "SIE": _l("SIE (Securities Industry Essentials)"),
    "S7": _l("Series 7 (General Securities Representative)"),
    "S63": _l("Series 63 (Uniform Securities Agent State Law)"),
    "S65": _l("Series 65 (Uniform Investment Adviser Law)"),
    "S66": _l("Series 66 (Uniform Combined State Law)"),
}
HELD_CREDENTIALS = {
    "cpa": _l("CPA licence"),
    "cfa": _l("CFA® charter"),
    "chfc": "ChFC®",
    "clu": "CLU®",
    "attorney": _l("Attorney's licence"),
    "dba": _l("Doctor of Business Administration"),
    "phd-business": _l("PhD in business, finance or economics"),
    "effp-efg": _l("EFG® certificate (€FFP Polska)"),
}
REGISTRATION_KINDS = {
    "finra": _l("FINRA registration (Form U4 to Form U5)"),
}
VOCABULARIES = {
    "degree_levels": DEGREE_LEVELS,
    "providers": PROVIDERS,
    "categories": CATEGORIES,
    "topics": TOPICS,
    "attestation_kinds": ATTESTATION_KINDS,
    "exam_codes": EXAM_CODES,
    "credential_ids": HELD_CREDENTIALS,
    "registration_kinds": REGISTRATION_KINDS,
}


def humanize(code: str | None) -> str:
    """A code as words, first letter capital: "risk-management" → "Risk management"."""
    text = (code or "").replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def word_for(words: Mapping[str, Any], code: str) -> str:
    """The word for a code in the page's language, else the code as words."""
    label = words.get(code)
    return str(label) if label is not None else humanize(code)


def word(code: Any, vocabulary: str) -> str:
    """Template filter: {{ entry.category|word("categories") }}."""
    return word_for(VOCABULARIES[vocabulary], str(code or ""))


def init_app(app: Flask) -> None:
    app.add_template_filter(word, "word")
