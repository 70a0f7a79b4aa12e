"""Downloaded file names are transliterated ASCII (issue: nowak-kiewska was nowak-zolkiewska)."""

from __future__ import annotations

import pytest

from tracker.filenames import ascii_slug
from tracker.statements.pdf import filename_for


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zofia Nowak-Żółkiewska", "zofia-nowak-zolkiewska"),
        ("Łukasz Ćwikła", "lukasz-cwikla"),
        ("José Müller-Lüdenscheidt", "jose-muller-ludenscheidt"),
        ("Ægir Þórsson", "aegir-thorsson"),
        ("  --  ", "fallback"),
        ("李小龙", "fallback"),
    ],
)
def test_names_are_transliterated_not_mangled(name, slug):
    assert ascii_slug(name, "fallback") == slug


def test_a_statement_file_is_named_after_the_candidate_in_ascii():
    document = {"content": {"candidate": {"name": "Zofia Nowak-Żółkiewska"},
                            "credential": {"id": "cfp"}, "as_of": "2026-12-01"}}  # fmt: skip
    assert filename_for(document) == "statement-zofia-nowak-zolkiewska-cfp-2026-12-01.pdf"
