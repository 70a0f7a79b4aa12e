"""Text in several languages (contract 6.6): definitions, results, details and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from engine_builders import course, define, degree, entry, exam, find, run, walk
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import DefinitionError, parse_definition, render_text
from tracker.requirements_engine.texts import LANGUAGES, MESSAGES, NOUNS, number, quantity

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"


def bilingual(**top: Any) -> Any:
    return define(
        {
            "id": "exam",
            "title": {"en": "Exam passed", "pl": "Zdany egzamin"},
            "description": {"en": "Pass the exam.", "pl": "Zdaj egzamin."},
            "exam": {"code": "X"},
        },
        {"id": "work", "pathway": "std", "hours": {"min": 6000}},
        {"id": "fast-work", "pathway": "fast", "title": "Plain title", "hours": {"min": 10}},
        name={"en": "Test credential", "pl": "Certyfikat testowy"},
        description={"en": "A test.", "pl": "Test."},
        pathways={"std": {"en": "Standard", "pl": "Standardowa"}, "fast": "Fast"},
        **top,
    )


# --- definitions -----------------------------------------------------------------------


def test_definition_keeps_every_language_and_english_for_the_plain_api() -> None:
    d = bilingual()
    assert (d.name, d.description, d.pathways) == (
        "Test credential",
        "A test.",
        {"std": "Standard", "fast": "Fast"},
    )
    assert d.name_in("pl") == "Certyfikat testowy"
    assert d.pathway_name("std", "pl") == "Standardowa"
    assert d.pathway_name("fast", "pl") == "Fast"
    assert d.node_titles() == {
        "exam": "Exam passed",
        "work": "6,000 hours of experience",
        "fast-work": "Plain title",
    }
    assert d.node_titles("pl") == {
        "exam": "Zdany egzamin",
        "work": "6000 godzin doświadczenia zawodowego",
        "fast-work": "Plain title",
    }
    assert d.node("exam") is not None and d.node("exam").description == "Pass the exam."


def base(*nodes: dict[str, Any], **top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "t", "name": "T", "version": "1"}
    data.update(top)
    data["requirements"] = list(nodes) or [{"id": "e", "exam": {"code": "X"}}]
    return data


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        (base(name={"english": "T"}), "name.english", "not a language tag"),
        (base(name={}), "name", "must be text or a mapping"),
        (base(name={"en": 5}), "name.en", "must be non-empty text"),
        (base(name={"en": "T", "EN": "U"}), "name.EN", "given twice"),
        (
            base({"id": "e", "title": {"pl": ""}, "exam": {"code": "X"}}),
            "requirements[0].title.pl",
            "non-empty",
        ),
        (
            base({"id": "e", "description": {"p l": "x"}, "exam": {"code": "X"}}),
            "requirements[0].description.p l",
            "language tag",
        ),
        (base(pathways={"a": {"en": None}}), "pathways.a.en", "is required"),
        (base(description=["x"]), "description", "must be non-empty text"),
    ],
)
def test_bad_texts_are_load_errors(data: dict, path: str, reason: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    assert any(p.path == path and reason in p.reason for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]


# --- results ---------------------------------------------------------------------------


def test_result_in_polish() -> None:
    result = run(bilingual(), {"exams": [exam("e1", "X", "2024-01-10")]}, lang="pl")
    assert (result["lang"], result["name"], result["pathway_name"]) == (
        "pl",
        "Certyfikat testowy",
        "Standardowa",
    )
    assert result["description"] == "Test."
    node = find(result, "exam")
    assert (node["title"], node["description"], node["detail"]) == (
        "Zdany egzamin",
        "Zdaj egzamin.",
        "Egzamin X zdany 2024-01-10",
    )
    work = find(result, "work")
    assert work["title"] == "6000 godzin doświadczenia zawodowego"
    assert work["detail"] == "0 godzin z wymaganych 6000"
    assert "description" not in work
    assert find(result, "fast-work")["detail"] == (
        "Nie dotyczy ścieżki „Standardowa”; wymagane tylko na ścieżce „Fast”"
    )


def test_without_a_language_the_result_is_in_english() -> None:
    result = run(bilingual(), {})
    assert (result["lang"], result["name"], result["pathway_name"]) == (
        "en",
        "Test credential",
        "Standard",
    )
    assert find(result, "exam")["title"] == "Exam passed"
    assert find(result, "exam")["description"] == "Pass the exam."
    assert find(result, "work")["detail"] == "0 of 6,000 hours"
    assert run(bilingual(), {}, lang="en") == result


@pytest.mark.parametrize(
    ("asked", "used", "title"),
    [
        ("pl", "pl", "Zdany egzamin"),
        ("PL", "pl", "Zdany egzamin"),
        ("pl-PL", "pl", "Zdany egzamin"),
        ("pl_PL", "pl", "Zdany egzamin"),
        ("en-GB", "en", "Exam passed"),
        ("de", "en", "Exam passed"),
    ],
)
def test_language_matching_and_fallback(asked: str, used: str, title: str) -> None:
    result = run(bilingual(), {}, lang=asked)
    assert result["lang"] == used
    assert find(result, "exam")["title"] == title


def test_a_language_only_the_definition_has_falls_back_to_english_sentences() -> None:
    d = define(
        {"id": "e", "title": {"pl": "Egzamin", "de": "Prüfung"}, "exam": {"code": "X"}},
        name={"de": "Zertifikat", "pl": "Certyfikat"},
    )
    german = run(d, {}, lang="de")
    assert (german["lang"], german["name"]) == ("de", "Zertifikat")
    assert find(german, "e")["title"] == "Prüfung"
    assert find(german, "e")["detail"] == "No pass of X on record"
    # Neither the language asked for nor English: the first text given.
    french = run(d, {}, lang="fr")
    assert (french["lang"], french["name"], find(french, "e")["title"]) == (
        "en",
        "Zertifikat",
        "Egzamin",
    )


@pytest.mark.parametrize("bad", ["", "polish language", "p", "12"])
def test_a_bad_language_tag_is_an_error(bad: str) -> None:
    with pytest.raises(ValueError, match="not a language tag"):
        run(bilingual(), {}, lang=bad)


# --- Polish numbers and plural forms ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "nominative", "genitive"),
    [
        (0, "0 godzin", "0 godzin"),
        (1, "1 godzina", "1 godziny"),
        (2, "2 godziny", "2 godzin"),
        (4, "4 godziny", "4 godzin"),
        (5, "5 godzin", "5 godzin"),
        (12, "12 godzin", "12 godzin"),
        (14, "14 godzin", "14 godzin"),
        (21, "21 godzin", "21 godzin"),
        (22, "22 godziny", "22 godzin"),
        (104, "104 godziny", "104 godzin"),
        (112, "112 godzin", "112 godzin"),
        (1.5, "1,5 godziny", "1,5 godziny"),
        (0.25, "0,25 godziny", "0,25 godziny"),
        (2000, "2000 godzin", "2000 godzin"),
        (12002, f"12{NBSP}002 godziny", f"12{NBSP}002 godzin"),
    ],
)
def test_polish_plural_forms(value: float, nominative: str, genitive: str) -> None:
    assert quantity(value, "hour", "pl") == nominative
    assert quantity(value, "hour", "pl", genitive=True) == genitive


@pytest.mark.parametrize(
    ("value", "english", "polish"),
    [
        (6000, "6,000", "6000"),
        (12000, "12,000", f"12{NBSP}000"),
        (1234567.5, "1,234,567.5", f"1{NBSP}234{NBSP}567,5"),
        (2.25, "2.25", "2,25"),
        (0.004, "0", "0"),
    ],
)
def test_numbers_in_each_language(value: float, english: str, polish: str) -> None:
    assert (number(value, "en"), number(value, "pl")) == (english, polish)


def test_every_message_and_noun_is_written_in_every_language() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
    for noun, forms in NOUNS.items():
        assert set(forms) == set(LANGUAGES), noun


# --- every detail sentence in Polish ---------------------------------------------------

EXAM = {"id": "exam", "exam": {"code": "X"}}

POLISH_DETAILS = [
    ("all", {"all": [EXAM, {"id": "b", "exam": {"code": "B"}}]}, {}, "Spełnione: 0 z 2"),
    (
        "any",
        {"any": [EXAM, {"id": "b", "exam": {"code": "B"}}]},
        {"exams": [exam("e", "X", "2020-01-01")]},
        "Spełnione: 1 z 2; wystarczy jedno",
    ),
    ("any-one", {"any": [EXAM]}, {}, "Spełnione: 0 z 1"),
    (
        "at-least",
        {"at_least": {"count": 2, "of": [EXAM, {"exam": {"code": "B"}}, {"exam": {"code": "C"}}]}},
        {},
        "Spełnione: 0 z 3; wymagane: 2",
    ),
    (
        "degree",
        {"degree": {"min_level": "master"}},
        {"degrees": [degree("d", "2015-01-01", "master")]},
        "Magister, Finance, Example University",
    ),
    (
        "degree-not-conferred",
        {"degree": {"min_level": "bachelor"}},
        {"degrees": [degree("d", None)]},
        "Licencjat, Finance, Example University (stopień jeszcze nienadany)",
    ),
    (
        "degree-none",
        {"degree": {"min_level": "bachelor", "accredited": True, "fields": ["Finance", "Law"]}},
        {},
        "Brak dyplomu spełniającego wymóg: potrzebny licencjat lub wyższy stopień z akredytowanej uczelni, kierunek: Finance lub Law",
    ),
    (
        "doctorate-none",
        {"degree": {"min_level": "doctorate"}},
        {},
        "Brak dyplomu spełniającego wymóg: potrzebny doktorat",
    ),
    (
        "courses",
        {"courses": {"topics": ["tax", "estate"], "min_credits": 6, "min_count": 3}},
        {"courses": [course("c1", "2024-01-01", topics=["tax"])]},
        "Brakujące tematy: estate; 3 punkty z wymaganych 6; 1 kurs z wymaganych 3",
    ),
    (
        "courses-all-topics",
        {"courses": {"topics": ["tax", "estate"], "min_count": 1}},
        {"courses": [course("c1", "2024-01-01", topics=["tax", "estate"], credits=2.5)]},
        "Wszystkie tematy zaliczone (2); 1 kurs z wymaganych 1",
    ),
    (
        "courses-topic-and-credits",
        {"courses": {"topics": ["tax"], "min_credits": 5}},
        {"courses": [course("c1", "2024-01-01", topics=["tax"], credits=2.5)]},
        "Temat zaliczony; 2,5 punktu z wymaganych 5",
    ),
    (
        "courses-unverified",
        {"courses": {"min_count": 2, "verified": True}},
        {"courses": [course("c1", "2024-01-01"), course("c2", "2024-01-02")]},
        "0 kursów z wymaganych 2; niezweryfikowane: 2 kursy",
    ),
    (
        "exam",
        {"exam": {"code": "X", "valid_years": 5}},
        {"exams": [exam("e", "X", "2024-01-01")]},
        "Egzamin X zdany 2024-01-01; traci ważność 2029-01-01",
    ),
    (
        "exam-lapsed",
        {"exam": {"code": "X", "valid_years": 1}},
        {"exams": [exam("e", "X", "2020-01-01")]},
        "Egzamin X zdany 2020-01-01; stracił ważność 2021-01-01",
    ),
    (
        "exam-failed",
        {"exam": {"code": "X"}},
        {"exams": [exam("e", "X", "2020-01-01", False)]},
        "Egzamin X jeszcze niezdany (ostatnie podejście 2020-01-01)",
    ),
    ("exam-none", {"exam": {"code": "X"}}, {}, "Brak zdanego egzaminu X"),
    (
        "exam-unverified",
        {"exam": {"code": "X", "verified": True}},
        {"exams": [exam("e", "X", "2020-01-01")]},
        "Egzamin X zdany 2020-01-01; jeszcze niezweryfikowany",
    ),
    (
        "attestation",
        {"attestation": {"kind": "ethics", "valid_years": 1}},
        {"attestations": [{"id": "a", "kind": "ethics", "signed_on": "2026-01-01"}]},
        "Oświadczenie ethics podpisane 2026-01-01; traci ważność 2027-01-01",
    ),
    (
        "attestation-lapsed",
        {"attestation": {"kind": "ethics", "valid_years": 1}},
        {"attestations": [{"id": "a", "kind": "ethics", "signed_on": "2020-01-01"}]},
        "Oświadczenie ethics podpisane 2020-01-01; straciło ważność 2021-01-01",
    ),
    (
        "attestation-none",
        {"attestation": {"kind": "ethics"}},
        {},
        "Brak podpisanego oświadczenia ethics",
    ),
    (
        "credential",
        {"title": "Licencja CPA", "credential": {"id": "cpa"}},
        {"credentials": [{"id": "cpa", "awarded_on": "2015-01-01"}]},
        "Posiada: Licencja CPA, od 2015-01-01",
    ),
    (
        "credential-expired",
        {"title": "Licencja CPA", "credential": {"id": "cpa"}},
        {"credentials": [{"id": "cpa", "awarded_on": "2015-01-01", "expires_on": "2020-01-01"}]},
        "„Licencja CPA”: uprawnienie wygasło",
    ),
    ("credential-none", {"credential": {"id": "cpa"}}, {}, "Brak: Posiada: cpa"),
    (
        "hours",
        {"hours": {"min": 1000, "max_per_week": 40}},
        {
            "experience": [
                entry("x", "2024-01-01", "2024-01-28", 220),
                entry("p", "2024-02-01", "2024-02-01", 1, status="pending"),
            ]
        },
        "160 godzin z wymaganych 1000; nie wliczono: 60 godzin ponad tygodniowy limit 40 godzin; oczekujące na zatwierdzenie: 1 godzina",
    ),
    (
        "hours-both-caps",
        {"hours": {"min": 5000, "max_per_week": 50, "max_per_year": 2000}},
        {"experience": [entry("x", "2024-01-01", "2024-12-29", 3640)]},
        "2000 godzin z wymaganych 5000; nie wliczono: 1640 godzin ponad tygodniowy limit 50 godzin i roczny limit 2000 godzin",
    ),
    (
        "hours-yearly-cap",
        {"hours": {"min": 5000, "max_per_year": 1}},
        {"experience": [entry("x", "2024-01-01", "2024-01-03", 3.5)]},
        "1 godzina z wymaganych 5000; nie wliczono: 2,5 godziny ponad roczny limit 1 godziny",
    ),
    (
        "hours-min-months",
        {"hours": {"min": 10, "min_months": 2}},
        {"experience": [entry("x", "2026-11-01", "2026-11-10", 12)]},
        "12 godzin z wymaganych 10; wymagany okres od pierwszego zaliczonego dnia: 2 miesiące; spełnione 2027-01-01",
    ),
]


@pytest.mark.parametrize(
    ("spec", "records", "detail"), [pytest.param(*c[1:], id=c[0]) for c in POLISH_DETAILS]
)
def test_polish_details(spec: dict, records: dict, detail: str) -> None:
    assert find(run(define({"id": "n", **spec}), records, lang="pl"), "n")["detail"] == detail


def test_polish_waiver_and_due_details() -> None:
    d = define(
        EXAM,
        {"id": "deg", "degree": {"min_level": "bachelor"}, "due": {"after": "exam", "years": 1}},
    )
    late = {"exams": [exam("e", "X", "2020-01-01")], "degrees": [degree("d", "2022-01-01")]}
    assert find(run(d, late, lang="pl"), "deg")["detail"] == (
        "Licencjat, Finance, Example University; spełnione 2022-01-01, po terminie 2021-01-01"
    )
    missed = {"exams": [exam("e", "X", "2020-01-01")]}
    assert find(run(d, missed, lang="pl"), "deg")["detail"].endswith("; termin 2021-01-01 minął")
    waived = {
        "waivers": [
            {
                "id": "w",
                "requirement": "deg",
                "reason": "Dyplom zagraniczny",
                "approved_on": "2024-01-01",
            }
        ]
    }
    assert (
        find(run(d, waived, lang="pl"), "deg")["detail"] == "Zwolniono z wymogu: Dyplom zagraniczny"
    )
    no_reason = {"waivers": [{"id": "w", "requirement": "deg", "approved_on": "2024-01-01"}]}
    assert find(run(d, no_reason, lang="pl"), "deg")["detail"] == "Zwolniono z wymogu"


def test_polish_credential_from_another_definition() -> None:
    other = parse_definition(
        {
            "id": "lvl",
            "name": {"en": "Level", "pl": "Poziom"},
            "version": "1",
            "requirements": [
                {"id": "a", "exam": {"code": "A"}},
                {"id": "b", "exam": {"code": "B"}},
            ],
        }
    )
    d = define({"id": "k", "credential": {"id": "lvl"}})
    partial = find(
        run(d, {"exams": [exam("e", "A", "2020-01-01")]}, catalog={"lvl": other}, lang="pl"), "k"
    )
    assert partial["detail"] == "Wymagania „Poziom”: Spełnione: 1 z 2 (50%)"
    both = {"exams": [exam("e", "A", "2020-01-01"), exam("f", "B", "2021-01-01")]}
    met = find(run(d, both, catalog={"lvl": other}, lang="pl"), "k")
    assert met["detail"] == "Wymagania „Poziom” spełnione 2021-01-01"


def test_polish_default_titles() -> None:
    d = define(
        {"id": "a", "all": [{"exam": {"code": "X"}}]},
        {"id": "b", "any": [{"exam": {"code": "X"}}]},
        {"id": "c", "at_least": {"count": 1, "of": [{"exam": {"code": "X"}}]}},
        {"id": "d", "degree": {"min_level": "master", "accredited": True, "fields": ["Finance"]}},
        {
            "id": "e",
            "courses": {
                "provider": ["p", "q"],
                "topics": ["tax"],
                "min_credits": 1.5,
                "min_count": 2,
            },
        },
        {"id": "f", "courses": {"topics": ["tax"]}},
        {"id": "g", "attestation": {"kind": "ethics"}},
        {"id": "h", "credential": {"id": "cpa"}},
        {"id": "i", "hours": {"min": 1}},
    )
    titles = d.node_titles("pl")
    assert titles["a"] == "Wszystkie poniższe"
    assert titles["b"] == "Jedno z poniższych"
    assert titles["c"] == "Co najmniej 1 z poniższych"
    assert (
        titles["d"]
        == "Tytuł magistra lub wyższy stopień, z akredytowanej uczelni, kierunek: Finance"
    )
    assert titles["e"] == "Kursy: 2 kursy, 1,5 punktu, tematy: tax (p lub q)"
    assert titles["f"] == "Kursy: tematy: tax"
    assert titles["g"] == "Oświadczenie ethics podpisane"
    assert titles["h"] == "Posiada: cpa"
    assert titles["i"] == "1 godzina doświadczenia zawodowego"
    assert d.node_titles()["e"] == "Courses: 2 courses, 1.50 credits, covering tax (p or q)"


DEFINITION = define(
    EXAM,
    {
        "id": "deg",
        "degree": {"min_level": "bachelor", "accredited": True},
        "due": {"after": "exam", "years": 2},
    },
    {
        "id": "study",
        "before": "exam",
        "at_least": {
            "count": 2,
            "of": [
                {"courses": {"topics": ["a", "b"], "min_credits": 3}},
                {"attestation": {"kind": "k", "valid_years": 2}},
                {"credential": {"id": "cpa"}},
            ],
        },
    },
    {"id": "work", "hours": {"min": 300, "max_per_week": 30, "max_per_year": 900, "min_months": 3}},
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 3000), min_size=0, max_size=4),
    st.integers(0, 3000),
    st.booleans(),
)
def test_every_english_detail_has_a_polish_sentence(
    offsets: list[int], as_of: int, waive: bool
) -> None:
    from datetime import date, timedelta

    start = date(2018, 1, 1)

    def day(n: int) -> str:
        return (start + timedelta(days=n)).isoformat()

    records: dict[str, Any] = {
        "exams": [exam(f"e{i}", "X", day(n), passed=n % 3 != 0) for i, n in enumerate(offsets)],
        "degrees": [
            degree(f"d{i}", day(n) if n % 2 else None, accredited=n % 5 != 0)
            for i, n in enumerate(offsets)
        ],
        "courses": [
            course(f"c{i}", day(n), topics=["a"] if n % 2 else ["b", "z"])
            for i, n in enumerate(offsets)
        ],
        "attestations": [
            {"id": f"a{i}", "kind": "k", "signed_on": day(n)} for i, n in enumerate(offsets)
        ],
        "credentials": [
            {"id": "cpa", "awarded_on": day(n), "expires_on": day(n + 400)} for n in offsets[:1]
        ],
        "experience": [
            entry(
                f"x{i}",
                day(n),
                day(n + 60),
                4 * 61 * (i + 1),
                status="approved" if n % 4 else "pending",
            )
            for i, n in enumerate(offsets)
        ],
        "waivers": [{"id": "w", "requirement": "deg", "reason": "R", "approved_on": day(as_of)}]
        if waive
        else [],
    }
    when = start + timedelta(days=as_of)
    english = {node["id"]: node["detail"] for node in walk(run(DEFINITION, records, when))}
    polish = {
        node["id"]: node["detail"] for node in walk(run(DEFINITION, records, when, lang="pl"))
    }
    for node_id, sentence in english.items():
        if sentence:
            assert polish[node_id] != sentence, (node_id, sentence)
            assert " of " not in polish[node_id] and "hours" not in polish[node_id], polish[node_id]


def test_render_text_in_polish() -> None:
    result = run(bilingual(), {"exams": [exam("e1", "X", "2024-01-10")]}, lang="pl")
    text = render_text(result)
    assert text.startswith(
        "Certyfikat testowy (test, wersja 1), ścieżka: Standardowa, stan na 2026-11-26"
    )
    assert "Zdany egzamin [exam]: ✔ spełnione, 100%, od 2024-01-10" in text
    assert "○ nierozpoczęte" in text and "– nie dotyczy" in text


def test_cli_lang(tmp_path: Path) -> None:
    definition = tmp_path / "t.yaml"
    definition.write_text(
        "id: t\nname: {en: Test, pl: Test PL}\nversion: '1'\nrequirements:\n"
        "  - id: e\n    title: {en: Exam, pl: Egzamin}\n    exam: {code: X}\n",
        encoding="utf-8",
    )
    records = tmp_path / "r.json"
    records.write_text(json.dumps({"exams": [exam("e1", "X", "2024-01-10")]}), encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "tracker.requirements_engine",
                "check",
                str(definition),
                str(records),
                "--as-of",
                "2024-06-01",
                *args,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )

    polish = cli("--lang", "pl", "--json")
    assert polish.returncode == 0, polish.stderr
    result = json.loads(polish.stdout)
    assert (result["lang"], result["name"], result["requirements"][0]["title"]) == (
        "pl",
        "Test PL",
        "Egzamin",
    )
    assert result["requirements"][0]["detail"] == "Egzamin X zdany 2024-01-10"
    tree = cli("--lang", "pl")
    assert "Egzamin [e]: ✔ spełnione" in tree.stdout
    bad = cli("--lang", "no such language")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "--lang" in bad.stderr and "Traceback" not in bad.stderr
