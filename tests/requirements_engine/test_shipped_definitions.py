"""The shipped credential definitions against the issuers' rules and the fact sheet's edge cases.

Each case names the fact-sheet edge case or rule it checks (e.g. "CFP-3", "XP7").
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tracker.requirements_engine import evaluate, load_directory

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS_DIR = ROOT / "seed" / "credentials"
DOCS = ROOT / "docs" / "credentials.md"
SHIPPED = {
    "cfp",
    "cfa",
    "finra-rep",
    "cfp-ce",
    "nasaa-iar",
    "chfc",
    "cima",
    "effp-efg",
    "effp-efg-recert",
}
CFP_DOMAINS = [
    "professional-conduct",
    "general-principles",
    "risk-management",
    "investment",
    "tax",
    "retirement",
    "estate",
    "psychology",
]


# --- record builders -------------------------------------------------------------------


def degree(id_: str, conferred_on: str | None, level: str = "bachelor") -> dict[str, Any]:
    return {
        "id": id_,
        "level": level,
        "field": "Finance",
        "institution": "Example University",
        "accredited": True,
        "conferred_on": conferred_on,
    }


def course(
    id_: str, provider: str, topics: list[str], completed_on: str, credits: float = 3
) -> dict[str, Any]:
    return {
        "id": id_,
        "title": id_,
        "provider": provider,
        "topics": topics,
        "credits": credits,
        "completed_on": completed_on,
        "passed": True,
    }


def exam(id_: str, code: str, taken_on: str, passed: bool = True) -> dict[str, Any]:
    return {"id": id_, "code": code, "taken_on": taken_on, "passed": passed}


def job(
    id_: str,
    start: str,
    end: str,
    hours: float,
    category: str = "financial-planning",
    source: str = "employment",
    supervised: bool = False,
    status: str = "approved",
) -> dict[str, Any]:
    return {
        "id": id_,
        "start": start,
        "end": end,
        "hours": hours,
        "category": category,
        "source": source,
        "supervised": supervised,
        "status": status,
    }


def attest(id_: str, kind: str, signed_on: str) -> dict[str, Any]:
    return {"id": id_, "kind": kind, "signed_on": signed_on}


def held(id_: str, awarded_on: str, expires_on: str | None = None) -> dict[str, Any]:
    return {"id": id_, "awarded_on": awarded_on, "expires_on": expires_on}


# --- realistic candidates --------------------------------------------------------------


def cfp_coursework(year: int = 2022) -> list[dict[str, Any]]:
    """Registered Program courses covering the 8 domains in `year`, then the Capstone in January."""
    return [
        course("c-found", "cfp-registered", CFP_DOMAINS[:2], f"{year}-02-01"),
        course("c-risk-inv", "cfp-registered", ["risk-management", "investment"], f"{year}-05-01"),
        course("c-tax-ret", "cfp-registered", ["tax", "retirement"], f"{year}-08-01"),
        course("c-est-psy", "cfp-registered", ["estate", "psychology"], f"{year}-11-01"),
        course("c-capstone", "cfp-registered", ["capstone"], f"{year + 1}-01-15"),
    ]


def cfp_candidate(**overrides: Any) -> dict[str, Any]:
    """A standard-pathway candidate who meets every CFP requirement by 2023-04-01."""
    records: dict[str, Any] = {
        "pathway": "standard",
        "degrees": [degree("d-ba", "2018-06-01")],
        "courses": cfp_coursework(),
        "exams": [exam("e-cfp", "CFP", "2023-03-15")],
        # 6,100 hours over 1,096 days: about 39 h/week, under the weekly cap.
        "experience": [job("x-planner", "2019-01-01", "2021-12-31", 6100)],
        "attestations": [
            attest("a-ethics", "ethics", "2023-04-01"),
            attest("a-bg", "background-check", "2023-03-25"),
        ],
    }
    records.update(overrides)
    return records


def apprentice_candidate() -> dict[str, Any]:
    return cfp_candidate(
        pathway="apprenticeship",
        experience=[job("x-apprentice", "2021-01-01", "2022-12-31", 4100, supervised=True)],
    )


def cfa_exams(l1: str = "2019-06-01", l2: str = "2020-08-01", l3: str = "2021-08-01") -> list:
    return [exam("e-l1", "CFA-L1", l1), exam("e-l2", "CFA-L2", l2), exam("e-l3", "CFA-L3", l3)]


def cfa_membership(signed_on: str = "2021-10-01") -> list[dict[str, Any]]:
    kinds = ["cfa-references", "cfa-member-agreement", "professional-conduct-statement"]
    return [attest(f"a-{kind}", kind, signed_on) for kind in [*kinds, "cfa-membership"]]


def cfa_candidate(**overrides: Any) -> dict[str, Any]:
    """A charterholder: 4,000 hours over 2015-2018 (before Level I), all levels, member."""
    records: dict[str, Any] = {
        "exams": cfa_exams(),
        "experience": [
            job("x-analyst", "2015-01-01", "2018-12-31", 4000, "investment-decision-making")
        ],
        "attestations": cfa_membership(),
    }
    records.update(overrides)
    return records


def ce(id_: str, completed_on: str, credits: float, ethics: bool = False) -> dict[str, Any]:
    if ethics:
        return course(id_, "cfp-ethics-ce", ["ethics"], completed_on, credits)
    return course(id_, "cfp-ce", ["general"], completed_on, credits)


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return load_directory(CREDENTIALS_DIR)


def find(result: dict[str, Any], node_id: str) -> dict[str, Any]:
    """The node with this id anywhere in the result tree."""
    stack = list(result["requirements"])
    while stack:
        node = stack.pop()
        if node["id"] == node_id:
            return node
        stack.extend(node.get("children", []))
    raise AssertionError(f"no node {node_id!r} in the result")


def check(
    catalog: dict[str, Any],
    credential: str,
    records: dict[str, Any],
    as_of: str,
    expected: dict[str | None, dict[str, Any]],
    pathway: str | None = None,
) -> None:
    result = evaluate(
        catalog[credential], records, date.fromisoformat(as_of), pathway=pathway, catalog=catalog
    )
    for node_id, keys in expected.items():
        node = result if node_id is None else find(result, node_id)
        for key, want in keys.items():
            if key == "excluded":
                got = {(item["id"], item["reason"]) for item in node["excluded"]}
                assert want <= got, f"{node_id}: excluded {got}, expected to include {want}"
            elif key == "status_not":
                assert node["status"] != want, f"{node_id}: status is {want}"
            elif key == "evidence":
                assert want <= set(node["evidence"]), f"{node_id}: evidence {node['evidence']}"
            elif isinstance(want, float):
                assert node[key] == pytest.approx(want, abs=0.01), f"{node_id}.{key}"
            else:
                assert node[key] == want, f"{node_id}.{key}: {node[key]!r} != {want!r}"


# --- the directory itself --------------------------------------------------------------


def test_directory_loads_every_shipped_credential(catalog: dict[str, Any]) -> None:
    assert set(catalog) >= SHIPPED


def test_validate_cli_accepts_the_directory() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tracker.requirements_engine", "validate", str(CREDENTIALS_DIR)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def raw(credential: str) -> dict[str, Any]:
    return yaml.safe_load((CREDENTIALS_DIR / f"{credential}.yaml").read_text(encoding="utf-8"))


def nodes(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for node in items:
        found.append(node)
        for kind in ("all", "any"):
            found.extend(nodes(node.get(kind, [])))
        if "at_least" in node:
            found.extend(nodes(node["at_least"]["of"]))
    return found


def test_cfp_top_level_ids_and_pathways() -> None:
    cfp = raw("cfp")
    assert [node["id"] for node in cfp["requirements"]] == [
        "degree",
        "coursework",
        "exam",
        "experience",
        "ethics",
    ]
    assert list(cfp["pathways"]) == ["standard", "apprenticeship"]


@pytest.mark.parametrize("credential", sorted(SHIPPED))
def test_every_node_explains_itself_and_is_documented(credential: str) -> None:
    definition = raw(credential)
    assert isinstance(definition["version"], str)
    docs = DOCS.read_text(encoding="utf-8")
    for node in nodes(definition["requirements"]):
        assert node.get("title") and node.get("description"), node.get("id")
        assert re.search(rf"`{re.escape(node['id'])}`", docs), f"{node['id']} not in docs"


# --- CFP -------------------------------------------------------------------------------

CFP_CASES = [
    pytest.param(
        cfp_candidate(),
        "2024-01-01",
        {
            None: {"status": "met", "met_on": "2023-04-01", "progress": 1.0},
            "degree": {"status": "met", "due": "2028-03-15"},
            "standard-hours": {"status": "met", "counted_hours": 6100.0, "capped_hours": 0.0},
            "apprenticeship-hours": {"status": "not_applicable"},
        },
        id="met-standard-pathway",
    ),
    pytest.param(
        apprentice_candidate(),
        "2024-01-01",
        {
            None: {"status": "met", "pathway": "apprenticeship"},
            "apprenticeship-hours": {"status": "met", "counted_hours": 4100.0},
            "standard-hours": {"status": "not_applicable"},
        },
        id="met-apprenticeship-pathway",
    ),
    pytest.param(
        # CFP-1: pass 2024-03-15, so the window opens 2014-03-15.
        cfp_candidate(
            exams=[exam("e-cfp", "CFP", "2024-03-15")],
            attestations=[],
            experience=[
                job("x-old", "2013-01-01", "2014-02-28", 2400),
                job("x-recent", "2020-01-01", "2023-12-31", 4000),
            ],
        ),
        "2024-06-01",
        {
            "standard-hours": {
                "status": "in_progress",
                "counted_hours": 4000.0,
                "required_hours": 6000.0,
                "excluded": {("x-old", "outside_window")},
            },
        },
        id="CFP-1-hours-over-10-years-before-the-pass",
    ),
    pytest.param(
        # CFP-2: pass 2020-07-15, so the window closes 2025-07-15.
        cfp_candidate(
            exams=[exam("e-cfp", "CFP", "2020-07-15")],
            courses=cfp_coursework(2018),
            experience=[
                job("x-early", "2018-01-01", "2019-12-31", 3000),
                job("x-late", "2025-08-01", "2026-07-31", 1900),
            ],
        ),
        "2026-11-01",
        {
            "standard-hours": {
                "status": "in_progress",
                "counted_hours": 3000.0,
                "excluded": {("x-late", "outside_window")},
            },
        },
        id="CFP-2-hours-over-5-years-after-the-pass",
    ),
    pytest.param(
        # CFP-3: 55 h/week for 104 calendar weeks (Monday 2021-01-04 to Sunday 2023-01-01).
        cfp_candidate(
            exams=[exam("e-cfp", "CFP", "2023-03-01")],
            experience=[job("x-long-weeks", "2021-01-04", "2023-01-01", 104 * 55)],
        ),
        "2023-06-01",
        {
            None: {"status_not": "met"},
            "standard-hours": {
                "status": "in_progress",
                "counted_hours": 104 * 40.0,
                "capped_hours": 104 * 15.0,
                "required_hours": 6000.0,
                "evidence": {"x-long-weeks"},
            },
        },
        id="CFP-3-weekly-cap-55-hours",
    ),
    pytest.param(
        # CFP-4: a full-time and a part-time job in the same 52 calendar weeks.
        cfp_candidate(
            exams=[exam("e-cfp", "CFP", "2023-03-01")],
            experience=[
                job("x-full-time", "2022-01-03", "2023-01-01", 52 * 40),
                job("x-part-time", "2022-01-03", "2023-01-01", 52 * 10),
            ],
        ),
        "2023-06-01",
        {
            "standard-hours": {
                "counted_hours": 52 * 40.0,
                "capped_hours": 52 * 10.0,
                "evidence": {"x-full-time", "x-part-time"},
            },
        },
        id="CFP-4-concurrent-jobs-share-the-cap",
    ),
    pytest.param(
        # CFP-6/7: unsupervised employment and a supervised internship.
        cfp_candidate(
            pathway="apprenticeship",
            experience=[
                job("x-unsupervised", "2019-01-01", "2020-12-31", 3800),
                job(
                    "x-intern",
                    "2021-01-04",
                    "2021-08-29",
                    1000,
                    "financial-planning",
                    "internship",
                    supervised=True,
                ),
            ],
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "experience": {"status_not": "met"},
            "apprenticeship-hours": {
                "counted_hours": 0.0,
                "excluded": {("x-unsupervised", "not_matching"), ("x-intern", "not_matching")},
            },
        },
        id="CFP-6-7-apprenticeship-rejects-unsupervised-and-internship-hours",
    ),
    pytest.param(
        cfp_candidate(
            experience=[
                job("x-unsupervised", "2019-01-01", "2020-12-31", 3800),
                job(
                    "x-intern",
                    "2021-01-04",
                    "2021-08-29",
                    1000,
                    "financial-planning",
                    "internship",
                    supervised=True,
                ),
                job("x-pending", "2022-01-03", "2022-12-25", 1500, status="pending"),
            ],
        ),
        "2024-01-01",
        {
            "standard-hours": {
                "status": "in_progress",
                "counted_hours": 4800.0,
                "pending_hours": 1500.0,
                "evidence": {"x-unsupervised", "x-intern"},
                "excluded": {("x-pending", "pending")},
            },
        },
        id="CFP-6-7-standard-counts-them-but-not-pending-hours",
    ),
    pytest.param(
        # CFP-8: pass 2021-03-10, degree conferred 2026-05-01: too late.
        cfp_candidate(
            exams=[exam("e-cfp", "CFP", "2021-03-10")],
            courses=cfp_coursework(2019),
            degrees=[degree("d-late", "2026-05-01")],
        ),
        "2026-06-01",
        {
            None: {"status_not": "met"},
            "degree": {"status": "expired", "due": "2026-03-10"},
        },
        id="CFP-8-degree-after-the-5-year-deadline",
    ),
    pytest.param(
        cfp_candidate(
            exams=[exam("e-cfp", "CFP", "2021-03-10")],
            courses=cfp_coursework(2019),
            degrees=[degree("d-ontime", "2025-12-15")],
            attestations=[
                attest("a-ethics", "ethics", "2021-04-01"),
                attest("a-bg", "background-check", "2021-04-20"),
            ],
        ),
        "2026-06-01",
        {
            None: {"status": "met", "met_on": "2025-12-15"},
            "degree": {"status": "met", "met_on": "2025-12-15", "due": "2026-03-10"},
        },
        id="E4-degree-within-5-years-after-the-pass",
    ),
    pytest.param(
        # CFP-10/11: the Accelerated Path waives the domains, never the Capstone.
        cfp_candidate(
            courses=[],
            credentials=[held("cpa", "2015-01-01")],
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "accelerated-path": {"status": "met"},
            "knowledge": {"status": "met"},
            "capstone": {"status": "not_started"},
            "coursework": {"status_not": "met"},
        },
        id="CFP-10-11-accelerated-path-still-needs-the-capstone",
    ),
    pytest.param(
        cfp_candidate(
            courses=[course("c-capstone", "cfp-registered", ["capstone"], "2023-01-15")],
            credentials=[held("cpa", "2015-01-01")],
        ),
        "2024-01-01",
        {
            None: {"status": "met"},
            "accelerated-cpa": {"status": "met"},
            "coursework": {"status": "met", "met_on": "2023-01-15"},
        },
        id="E8-accelerated-path-cpa-with-capstone",
    ),
    pytest.param(
        cfp_candidate(
            courses=[course("c-capstone", "cfp-registered", ["capstone"], "2023-01-15")],
            credentials=[held("cpa", "2015-01-01", expires_on="2023-01-01")],
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "accelerated-cpa": {"status": "expired", "excluded": {("cpa", "lapsed")}},
            "accelerated-path": {"status_not": "met"},
            "coursework": {"status_not": "met"},
        },
        id="CFP-10-expired-cpa-licence-not-accepted",
    ),
    pytest.param(
        # E8/E9: the Accelerated Path credential must be held when the exam is taken.
        cfp_candidate(
            courses=[course("c-capstone", "cfp-registered", ["capstone"], "2023-01-15")],
            credentials=[held("cpa", "2023-06-01")],
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "accelerated-cpa": {"status_not": "met", "excluded": {("cpa", "after_cutoff")}},
        },
        id="E8-accelerated-path-credential-awarded-after-the-exam",
    ),
    pytest.param(
        # A CFA charter proven by the candidate's own CFA records (cfa.yaml's evaluation).
        cfp_candidate(
            courses=[course("c-capstone", "cfp-registered", ["capstone"], "2023-01-15")],
            exams=[exam("e-cfp", "CFP", "2023-03-15"), *cfa_exams()],
            experience=[
                job("x-planner", "2019-01-01", "2021-12-31", 6100),
                job("x-analyst", "2015-01-01", "2018-12-31", 4000, "investment-decision-making"),
            ],
            attestations=[
                attest("a-ethics", "ethics", "2023-04-01"),
                attest("a-bg", "background-check", "2023-03-25"),
                *cfa_membership(signed_on="2022-10-01"),
            ],
        ),
        "2023-06-01",
        {
            None: {"status": "met"},
            "accelerated-cfa": {"status": "met"},
            "standard-hours": {"counted_hours": 6100.0},
        },
        id="E8-accelerated-path-cfa-charter-from-cfa-definition",
    ),
    pytest.param(
        # E3: coursework finished after the exam pass does not count.
        cfp_candidate(
            courses=[
                *cfp_coursework()[:3],
                course("c-est-psy", "cfp-registered", ["estate", "psychology"], "2023-05-01"),
                course("c-capstone", "cfp-registered", ["capstone"], "2023-06-01"),
            ],
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "registered-program": {
                "status": "in_progress",
                "progress": 0.75,
                "excluded": {("c-est-psy", "after_cutoff")},
            },
            "capstone": {"status_not": "met", "excluded": {("c-capstone", "after_cutoff")}},
        },
        id="E3-coursework-after-the-exam-does-not-count",
    ),
    pytest.param(
        cfp_candidate(exams=[exam("e-cfp-1", "CFP", "2022-11-10", passed=False)]),
        "2023-01-01",
        {
            None: {"status_not": "met"},
            "exam": {"status_not": "met", "excluded": {("e-cfp-1", "not_passed")}},
        },
        id="X1-failed-attempt-is-not-a-pass",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CFP_CASES)
def test_cfp(catalog: dict[str, Any], records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "cfp", records, as_of, expected)


# --- CFA -------------------------------------------------------------------------------

# CFA-1: 4,000 hours from 2020-01-01 to 2021-12-31 (24 months, about 38 h/week).
FAST_HOURS = [job("x-fast", "2020-01-01", "2021-12-31", 4000, "investment-decision-making")]

CFA_CASES = [
    pytest.param(
        cfa_candidate(),
        "2022-01-01",
        {
            None: {"status": "met", "met_on": "2021-10-01"},
            "experience": {"status": "met", "counted_hours": 4000.0},
        },
        id="CFA-4-hours-before-level-1-count",
    ),
    pytest.param(
        cfa_candidate(experience=FAST_HOURS),
        "2022-12-31",
        {
            None: {"status_not": "met"},
            "experience": {"status": "in_progress", "counted_hours": 4000.0, "met_on": None},
        },
        id="CFA-1-4000-hours-in-24-months-wait-for-month-36",
    ),
    pytest.param(
        cfa_candidate(experience=FAST_HOURS, attestations=cfa_membership("2022-11-01")),
        "2023-06-01",
        {
            None: {"status": "met", "met_on": "2023-01-01"},
            "experience": {"status": "met", "met_on": "2023-01-01"},
        },
        id="CFA-1-met-on-month-36",
    ),
    pytest.param(
        # CFA-2: 36 months at 20 h/week.
        cfa_candidate(
            experience=[
                job("x-half-time", "2020-01-01", "2022-12-31", 3120, "investment-decision-making")
            ]
        ),
        "2023-06-01",
        {
            None: {"status_not": "met"},
            "experience": {"status": "in_progress", "counted_hours": 3120.0, "progress": 0.78},
        },
        id="CFA-2-36-months-at-20-hours-a-week",
    ),
    pytest.param(
        cfa_candidate(
            experience=[
                job("x-analyst", "2015-01-01", "2018-12-31", 4000, "investment-decision-making"),
                job("x-planner", "2019-01-01", "2019-12-31", 2000, "financial-planning"),
            ]
        ),
        "2022-01-01",
        {"experience": {"status": "met", "excluded": {("x-planner", "not_matching")}}},
        id="C5-financial-planning-hours-are-not-investment-decision-making",
    ),
    pytest.param(
        # CFA-12: Level III passed, never joined CFA Institute.
        cfa_candidate(attestations=[]),
        "2022-01-01",
        {
            None: {"status_not": "met"},
            "exams": {"status": "met"},
            "membership": {"status": "not_started"},
        },
        id="CFA-12-level-3-without-membership",
    ),
    pytest.param(
        # CFA-10 / C9: the Professional Conduct Statement is annual (dues renewed, C11).
        cfa_candidate(
            attestations=[*cfa_membership(), attest("a-dues-2022", "cfa-membership", "2022-07-01")]
        ),
        "2023-01-01",
        {
            None: {"status_not": "met"},
            "professional-conduct-statement": {"status": "expired"},
            "regular-membership": {"status": "met"},
        },
        id="CFA-10-professional-conduct-statement-not-renewed",
    ),
    pytest.param(
        cfa_candidate(
            attestations=[
                *cfa_membership(),
                attest("a-pcs-2022", "professional-conduct-statement", "2022-09-15"),
                attest("a-dues-2022", "cfa-membership", "2022-07-01"),
            ]
        ),
        "2023-01-01",
        {None: {"status": "met"}, "professional-conduct-statement": {"status": "met"}},
        id="C9-professional-conduct-statement-renewed",
    ),
    pytest.param(
        # CFA-9: a Level I pass from 2014 still counts in 2024.
        cfa_candidate(exams=cfa_exams("2014-06-01", "2024-05-20", "2025-05-20")),
        "2025-09-01",
        {"exams": {"status": "met", "met_on": "2025-05-20"}, "level-1": {"status": "met"}},
        id="CFA-9-passes-do-not-expire",
    ),
    pytest.param(
        # C1: Levels in order; a Level I pass dated after the Level II pass is a records error.
        cfa_candidate(exams=cfa_exams("2021-06-01", "2020-08-01", "2021-08-01")),
        "2022-01-01",
        {"level-1": {"status_not": "met", "excluded": {("e-l1", "after_cutoff")}}},
        id="C1-levels-in-order",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CFA_CASES)
def test_cfa(catalog: dict[str, Any], records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "cfa", records, as_of, expected)


# --- FINRA -----------------------------------------------------------------------------

FINRA_CASES = [
    pytest.param(
        {"exams": [exam("e-sie", "SIE", "2021-05-01")]},
        "2025-05-02",
        {
            None: {"status_not": "met"},
            "sie": {"status": "expired", "excluded": {("e-sie", "lapsed")}},
        },
        id="FINRA-1-sie-lapses-after-4-years",
    ),
    pytest.param(
        {"exams": [exam("e-sie", "SIE", "2021-05-01")]},
        "2025-04-30",
        {"sie": {"status": "met", "met_on": "2021-05-01"}},
        id="F1-sie-valid-within-4-years",
    ),
    pytest.param(
        # FINRA-5: Series 66 without Series 7.
        {"exams": [exam("e-sie", "SIE", "2023-01-10"), exam("e-s66", "S66", "2023-04-10")]},
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "state-exam": {"status": "met"},
            "series-7": {"status": "not_started"},
        },
        id="FINRA-5-series-66-without-series-7",
    ),
    pytest.param(
        {
            "exams": [
                exam("e-sie", "SIE", "2023-01-10"),
                exam("e-s7-1", "S7", "2023-03-01", passed=False),
                exam("e-s7", "S7", "2023-04-10"),
                exam("e-s63", "S63", "2023-05-15"),
            ]
        },
        "2024-01-01",
        {
            None: {"status": "met", "met_on": "2023-05-15", "progress": 1.0},
            "series-7": {"evidence": {"e-s7"}, "excluded": {("e-s7-1", "not_passed")}},
            "series-66": {"status": "not_started"},
        },
        id="F3-F5-sie-series-7-and-series-63",
    ),
    pytest.param(
        # F3: the SIE is a corequisite and may come after the Series 7.
        {
            "exams": [
                exam("e-s7", "S7", "2023-04-10"),
                exam("e-s66", "S66", "2023-05-15"),
                exam("e-sie", "SIE", "2023-06-01"),
            ]
        },
        "2024-01-01",
        {None: {"status": "met", "met_on": "2023-06-01"}},
        id="F3-sie-after-series-7",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), FINRA_CASES)
def test_finra_rep(catalog: dict[str, Any], records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "finra-rep", records, as_of, expected)


# --- CFP continuing education ----------------------------------------------------------

# Certified 2020-01-01: reporting periods 2020-01-01..2021-12-31, 2022-01-01..2023-12-31,
# 2024-01-01..2025-12-31 (test_shipped_renewals.py checks the periods themselves).
CERTIFIED = [held("cfp", "2020-01-01")]

CFP_CE_CASES = [
    pytest.param(
        # CFP-15: 35 hours, none from approved ethics programs.
        {
            "credentials": CERTIFIED,
            "courses": [
                ce("ce-1", "2024-03-01", 20),
                ce("ce-2", "2025-02-01", 13),
                # An ethics course not on CFP Board's approved list is only general CE (CE1).
                course("ce-ethics-unapproved", "cfp-ce", ["ethics"], "2025-06-01", 2),
            ],
        },
        "2025-12-31",
        {
            None: {"status_not": "met"},
            "ce-hours": {"status": "met"},
            "ethics-ce": {
                "status_not": "met",
                "excluded": {("ce-ethics-unapproved", "not_matching")},
            },
        },
        id="CFP-15-35-hours-without-approved-ethics",
    ),
    pytest.param(
        {
            "credentials": CERTIFIED,
            "courses": [
                ce("ce-1", "2024-03-01", 20),
                ce("ce-2", "2025-02-01", 8),
                ce("ce-ethics", "2025-06-01", 2, ethics=True),
            ],
        },
        "2025-12-31",
        {
            None: {"status": "met", "met_on": "2025-06-01"},
            "ce-hours": {"status": "met", "evidence": {"ce-1", "ce-2", "ce-ethics"}},
            "ethics-ce": {"status": "met", "evidence": {"ce-ethics"}},
        },
        id="CE1-30-hours-with-2-ethics",
    ),
    pytest.param(
        # CE2: no carry-over; hours of the previous reporting period drop out.
        {
            "credentials": CERTIFIED,
            "courses": [
                ce("ce-old", "2023-06-01", 20),
                ce("ce-1", "2024-03-01", 8),
                ce("ce-ethics", "2025-06-01", 2, ethics=True),
            ],
        },
        "2025-12-31",
        {
            None: {"status_not": "met"},
            "ce-hours": {
                "status": "in_progress",
                "progress": 10 / 30,
                "excluded": {("ce-old", "outside_window")},
            },
            "ethics-ce": {"status": "met"},
        },
        id="CE2-hours-of-the-previous-period-excluded",
    ),
    pytest.param(
        {"courses": [ce("ce-1", "2025-01-01", 28), ce("ce-ethics", "2025-06-01", 2, ethics=True)]},
        "2025-12-31",
        {None: {"status_not": "met"}, "certified": {"status_not": "met"}},
        id="CE2-ce-applies-to-cfp-professionals",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CFP_CE_CASES)
def test_cfp_ce(catalog: dict[str, Any], records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "cfp-ce", records, as_of, expected)


# --- requirements the issuers never waive ----------------------------------------------

NEVER_WAIVED = [
    ("cfp", "exam"),  # X1
    ("cfp", "ethics"),  # ET1-ET3
    ("cfp", "ethics-declaration"),  # ET1
    ("cfp", "background-check"),  # ET2, ET3
    ("cfa", "level-1"),  # C1
    ("cfa", "level-2"),
    ("cfa", "level-3"),
    ("finra-rep", "sie"),  # F1
    ("finra-rep", "series-7"),  # F3, F6
    ("finra-rep", "series-63"),  # F5
    ("finra-rep", "series-66"),  # F4
]


@pytest.mark.parametrize(("credential", "node_id"), NEVER_WAIVED)
def test_a_waiver_never_replaces_an_issuers_exam_or_ethics_check(
    catalog: dict[str, Any], credential: str, node_id: str
) -> None:
    waiver = {
        "id": "w1",
        "requirement": node_id,
        "reason": "Coordinator's exception",
        "approved_by": "coordinator@example.com",
        "approved_on": "2024-01-01",
    }
    result = evaluate(catalog[credential], {"waivers": [waiver]}, date(2024, 6, 1), catalog=catalog)
    node = find(result, node_id)
    assert node["status"] != "met" and not node["waived"]
    assert {"id": "w1", "reason": "not_waivable"} in node["excluded"]


def test_only_the_issuers_exams_and_ethics_checks_are_not_waivable() -> None:
    marked = {
        (credential, node["id"])
        for credential in SHIPPED
        for node in nodes(raw(credential)["requirements"])
        if node.get("waivable") is False
    }
    assert marked == set(NEVER_WAIVED)


# --- texts in English and Polish (contract 6.6) ----------------------------------------


def texts(definition: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every text of a definition file: name, pathway names, node titles and descriptions."""
    found = [("name", definition["name"])]
    found += [(f"pathways.{key}", text) for key, text in definition.get("pathways", {}).items()]
    for node in nodes(definition["requirements"]):
        found += [(f"{node['id']}.{key}", node[key]) for key in ("title", "description")]
    return found


@pytest.mark.parametrize("credential", sorted(SHIPPED))
def test_every_text_is_given_in_english_and_polish(credential: str) -> None:
    for where, text in texts(raw(credential)):
        assert isinstance(text, dict) and set(text) == {"en", "pl"}, where
        assert text["en"].strip() and text["pl"].strip() and text["en"] != text["pl"], where


def test_polish_result_shows_the_polish_titles(catalog: dict[str, Any]) -> None:
    result = evaluate(catalog["cfp"], cfp_candidate(), date(2024, 1, 1), lang="pl")
    assert result["lang"] == "pl" and result["name"] == "Certyfikat CFP®"
    assert result["pathway_name"] == "Ścieżka standardowa (6000 godzin)"
    assert find(result, "exam")["title"] == "Egzamin CFP® zdany"
    assert find(result, "experience")["title"] == "Doświadczenie zawodowe w planowaniu finansowym"
    english = evaluate(catalog["cfp"], cfp_candidate(), date(2024, 1, 1))
    assert find(english, "exam")["title"] == "CFP® exam passed"


FACT_ID = re.compile(r"\b(?:E|X|XP|ET|CE|C|F|P|IWI)\d+\b")


@pytest.mark.parametrize("credential", sorted(SHIPPED))
def test_every_fact_a_description_names_is_cited_in_the_docs(credential: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    cited = set(FACT_ID.findall(docs))
    named = {
        fact
        for _where, text in texts(raw(credential))
        for fact in FACT_ID.findall(text["en"] + " " + text["pl"])
    }
    assert named <= cited, f"not cited in docs/credentials.md: {sorted(named - cited)}"
