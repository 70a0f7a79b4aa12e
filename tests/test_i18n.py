"""Languages: ?lang=, then the user's choice, then Accept-Language, then English; complete
catalogs (every string a template or module marks for translation has its Polish text)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login
from tracker.database import writing
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _lang(html: str) -> str:
    start = html.index("<html lang=") + len('<html lang="')
    return html[start : html.index('"', start)]


@pytest.mark.parametrize(
    ("query", "accept", "chosen", "expected"),
    [
        ("", "", None, "en"),
        ("", "pl-PL,pl;q=0.9,en;q=0.5", None, "pl"),
        ("?lang=en", "pl", None, "en"),
        ("?lang=pl", "en", None, "pl"),
        ("", "en", "pl", "pl"),
        ("?lang=en", "pl", "pl", "en"),
        ("?lang=xx", "pl", None, "pl"),
    ],
)
def test_the_language_of_a_page(app, client, factory, query, accept, chosen, expected):
    org = factory.org()
    user = factory.user("candidate", org)
    if chosen:

        def choose() -> None:
            from tracker.accounts.models import User

            db.session.get(User, user.id).language = chosen

        with app.app_context(), writing():
            choose()
            db.session.commit()
    login(client, user.email)
    page = client.get("/" + query, headers={"Accept-Language": accept} if accept else {})
    assert _lang(page.get_data(as_text=True)) == expected


def test_the_polish_catalog_is_complete_and_compiled(tmp_path):
    """A string marked for translation with no Polish text fails here (run `make
    translations`, then translate what it added to messages.po)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "_l", "-k", "N_", "-o", str(pot), str(ROOT / "tracker")],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip

    def key(value):
        """Plural messages: (singular, plural) ids and one string per plural form."""
        return tuple(value) if isinstance(value, list | tuple) else value

    def done(string):
        return all(string) if isinstance(string, list | tuple) else bool(string)

    with pot.open("rb") as fh:
        wanted = {key(m.id) for m in read_po(fh) if m.id}
    po_path = ROOT / "tracker" / "translations" / "pl" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    translated = {key(m.id) for m in catalog if m.id and done(m.string) and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"{len(missing)} strings have no Polish translation: {missing[:20]}"
    from babel.messages.mofile import read_mo

    with po_path.with_suffix(".mo").open("rb") as fh:
        compiled = {key(m.id): key(m.string) for m in read_mo(fh) if m.id}
    assert compiled == {
        key(m.id): key(m.string) for m in catalog if m.id and done(m.string) and not m.fuzzy
    }, "messages.mo does not match messages.po: run `make translations`"


def test_every_code_the_schema_fixes_has_a_word_in_both_languages(app):
    """Degree levels and registration kinds are declared by the record schemas; each has
    its word in records/words.py (a code added to a schema without one fails here)."""
    from typing import get_args

    from flask_babel import force_locale

    from tracker.records import schemas, words

    fixed = {
        "degree_levels": set(schemas.DEGREE_LEVELS),
        "registration_kinds": set(get_args(schemas.REGISTRATION_CODES)),
    }
    with app.test_request_context():
        for vocabulary, codes in fixed.items():
            assert set(words.VOCABULARIES[vocabulary]) == codes, vocabulary
            for code in codes:
                english = words.word(code, vocabulary)
                with force_locale("pl"):
                    polish = words.word(code, vocabulary)
                assert polish != english, (vocabulary, code)
