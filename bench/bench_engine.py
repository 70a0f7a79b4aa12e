"""Benchmark: milliseconds per `evaluate` for a CFP-like credential and a 10-year candidate.

The candidate has 520 weekly approved experience entries (45 h each, so the 40-hour weekly
cap binds every week), a degree, the coursework and an exam. Run: python bench/bench_engine.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.requirements_engine import (  # noqa: E402
    Definition,
    evaluate,
    load_definition,
    parse_definition,
)

AS_OF = date(2026, 11, 26)
DOMAINS = [
    "professional-conduct",
    "general-principles",
    "risk-management",
    "investment",
    "tax",
    "retirement",
    "estate",
    "psychology",
]

INLINE: dict[str, Any] = {
    "id": "cfp",
    "name": "CFP-like certification",
    "issuer": "Bench",
    "version": "2024",
    "pathways": {"standard": "Standard", "apprenticeship": "Apprenticeship"},
    "requirements": [
        {
            "id": "degree",
            "degree": {"min_level": "bachelor", "accredited": True},
            "due": {"after": "exam", "years": 5},
        },
        {
            "id": "coursework",
            "before": "exam",
            "all": [
                {"id": "domains", "courses": {"provider": "cfp-registered", "topics": DOMAINS}},
                {
                    "id": "capstone",
                    "courses": {"provider": "cfp-registered", "topics": ["capstone"]},
                },
            ],
        },
        {"id": "exam", "exam": {"code": "CFP"}},
        {
            "id": "experience",
            "any": [
                {
                    "id": "standard-hours",
                    "pathway": "standard",
                    "hours": {
                        "min": 6000,
                        "categories": ["financial-planning"],
                        "max_per_week": 40,
                        "window": {"anchor": "exam", "years_before": 10, "years_after": 5},
                    },
                },
                {
                    "id": "apprenticeship-hours",
                    "pathway": "apprenticeship",
                    "hours": {
                        "min": 4000,
                        "supervised": True,
                        "source": "employment",
                        "max_per_week": 40,
                        "window": {"anchor": "exam", "years_before": 10, "years_after": 5},
                    },
                },
            ],
        },
        {
            "id": "ethics",
            "all": [
                {"id": "ethics-declaration", "attestation": {"kind": "ethics"}},
                {"id": "background-check", "attestation": {"kind": "background-check"}},
            ],
        },
    ],
}


def definition() -> Definition:
    seed = ROOT / "seed" / "credentials" / "cfp.yaml"
    if seed.is_file():
        return load_definition(seed)
    return parse_definition(INLINE, "<bench>")


def candidate() -> dict[str, Any]:
    monday = date(2016, 11, 28)
    experience = []
    for week in range(520):
        start = monday + timedelta(weeks=week)
        experience.append(
            {
                "id": f"x{week}",
                "start": start.isoformat(),
                "end": (start + timedelta(days=6)).isoformat(),
                "hours": 45,
                "category": "financial-planning",
                "source": "employment",
                "supervised": week % 2 == 0,
                "status": "approved" if week < 500 else "pending",
            }
        )
    courses = [
        {
            "id": f"c{i}",
            "title": topic,
            "provider": "cfp-registered",
            "topics": [topic],
            "credits": 3,
            "completed_on": f"2019-{i + 2:02d}-01",
            "passed": True,
        }
        for i, topic in enumerate([*DOMAINS, "capstone"])
    ]
    return {
        "pathway": "standard",
        "degrees": [
            {
                "id": "d1",
                "level": "bachelor",
                "field": "Finance",
                "institution": "Example University",
                "accredited": True,
                "conferred_on": "2016-06-01",
            }
        ],
        "courses": courses,
        "exams": [
            {"id": "e0", "code": "CFP", "taken_on": "2019-11-10", "passed": False},
            {"id": "e1", "code": "CFP", "taken_on": "2020-03-10", "passed": True},
        ],
        "experience": experience,
        "attestations": [{"id": "a1", "kind": "ethics", "signed_on": "2020-04-01"}],
    }


def run(repeats: int = 7) -> dict[str, dict[str, Any]]:
    """Median milliseconds per evaluation over `repeats` timed batches."""
    defn = definition()
    records = candidate()
    evaluate(defn, records, AS_OF)
    per_batch = 50
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(per_batch):
            evaluate(defn, records, AS_OF)
        samples.append((time.perf_counter() - started) * 1000 / per_batch)
    median = round(statistics.median(samples), 3)
    return {
        "engine_ms_per_evaluation": {
            "value": median,
            "unit": "ms",
            "runs": repeats,
            "median": median,
        }
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
