"""Bad input never reaches the database: generated garbage is a 400 naming the field and stores
nothing; generated good input is a 201 and stored exactly (text trimmed, hours to 2 places).

Each @given test runs on one database (the function-scoped `app`), so it counts deltas.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import bearer
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.candidates.operations import add_record
from tracker.credentials.catalog import current_catalog
from tracker.database import writing
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.mentoring.operations import create_internship
from tracker.records.models import (
    Attestation,
    Course,
    Degree,
    Enrolment,
    EntryStatus,
    ExamResult,
    ExperienceEntry,
    Internship,
)
from tracker.requirements_engine import load_directory
from tracker.timeutil import today

API = "/api/v1"
FIXED = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(FIXED, max_examples=30)
TABLES = (
    ExperienceEntry,
    Internship,
    Degree,
    Course,
    ExamResult,
    Attestation,
    Enrolment,
    AuditEvent,
)
EARLIEST = date(1950, 1, 1)
TODAY = today()
# The shipped credential ids: an enrolment in any of them is valid.
SHIPPED_IDS = set(load_directory(Path(__file__).resolve().parents[2] / "seed" / "credentials"))
ISO_SHAPE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*", re.ASCII)


class Ctx:
    def __init__(self, app, factory) -> None:
        self.app = app
        self.client = app.test_client()
        org, other = factory.org("A"), factory.org("B")
        self.cand = factory.user("candidate", org)
        self.mentor = factory.user("mentor", org)
        self.coord = factory.user("coordinator", org)
        self.foreign_mentor = factory.user("mentor", other)
        self.token = factory.token(self.cand)
        self.coord_token = factory.token(self.coord)
        with app.app_context():
            self.categories = current_catalog().vocabulary("categories")
        assert "financial-planning" in self.categories

    def post(self, path: str, body: Any, token: str | None = None, *, raw: bool = False) -> Any:
        """POST body as JSON, or with raw=True the string as it is."""
        data = body if raw else json.dumps(body)
        return self.client.post(
            API + path,
            data=data,
            headers={**bearer(token or self.token), "Content-Type": "application/json"},
        )

    def counts(self) -> dict[str, int]:
        with self.app.app_context():
            out = {}
            for model in TABLES:
                stmt = select(func.count(model.id))  # an entity column: subclasses filter
                if model is AuditEvent:  # refusals are logged too; changes are what matter
                    stmt = stmt.where(AuditEvent.action != "auth.refused")
                out[model.__name__] = int(db.session.scalar(stmt))
            return out


@pytest.fixture()
def ctx(app, factory) -> Ctx:
    return Ctx(app, factory)


def assert_400_naming(response, field: str) -> None:
    assert response.status_code == 400, (field, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert field in body["error"]["message"], (field, body)


def assert_rejected(ctx: Ctx, path: str, body: Any, field: str, *, raw: bool = False) -> None:
    before = ctx.counts()
    assert_400_naming(ctx.post(path, body, raw=raw), field)
    assert ctx.counts() == before


# ---------------------------------------------------------------------------- strategies

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
wrong_types = st.one_of(
    st.lists(json_scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), json_scalars, max_size=3),
)


def past_dates(lo: date = EARLIEST, hi: date = TODAY) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=hi)


not_a_date = st.one_of(
    st.text(max_size=20).filter(lambda s: not ISO_SHAPE.fullmatch(s) and s != ""),
    st.sampled_from(
        [
            "2023-02-30",
            "2023-13-01",
            "2023-00-10",
            "2024-W01-1",
            "20240101",
            "2024-1-5",
            "2024-01-01T00:00",
            "01/02/2024",
            "２０２４-０１-０１",
            "2024\x00-01-01",
            "1949-12-31",
        ]
    ),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    wrong_types,
)
future_dates = st.dates(min_value=TODAY + timedelta(days=1), max_value=date(9999, 12, 31)).map(
    date.isoformat
)
not_text = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), wrong_types)


def _plain_positive_number(s: str, limit: float) -> bool:
    """A numeric string the lenient parser may accept as a valid amount."""
    try:
        x = float(s.strip().replace(",", ""))
    except ValueError:
        return False
    return 0 < x <= limit


def bad_hours(limit: float) -> st.SearchStrategy[Any]:
    """Hours that are never valid for an entry allowing at most `limit`."""
    return st.one_of(
        st.floats(max_value=0.004),  # zero, negative, rounds to 0, -inf
        st.just(math.nan),
        st.floats(min_value=limit + 0.01, allow_nan=False),  # includes inf
        st.integers(min_value=int(limit) + 1),  # includes integers beyond any float
        st.integers(max_value=0),
        st.text(max_size=12).filter(lambda s: not _plain_positive_number(s, limit)),
        st.sampled_from(["1,5", "8_0", "1e1", "８", "eight", "NaN", "Infinity", "-0", "0x10"]),
        st.booleans(),
        wrong_types,
    )


long_or_nul_text = st.one_of(
    st.text(min_size=1, max_size=20).map(lambda s: s + "\x00" + s),
    st.just("\ud800 lone surrogate"),
)


def too_long(limit: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="abcé漢字 ", min_size=limit + 1, max_size=limit + 60).filter(
        lambda s: len(s.strip()) > limit
    )


bool_words = {"true", "yes", "y", "1", "on", "false", "no", "n", "0", "off", ""}
not_a_bool = st.one_of(
    st.text(max_size=10).filter(lambda s: s.strip().lower() not in bool_words),
    st.integers(),
    st.floats(allow_nan=False),
    wrong_types,
)
KNOWN_EXPERIENCE = {
    "start",
    "end",
    "hours",
    "category",
    "supervised",
    "employer",
    "description",
    "id",
    "status",
    "csrf_token",
    "submit",
}
unknown_keys = st.text(min_size=1, max_size=20).filter(
    lambda k: k not in KNOWN_EXPERIENCE and "\ud800" not in k
)


@st.composite
def bad_experience(draw: Any, categories: list[str]) -> tuple[dict[str, Any], str]:
    """A valid one-day entry with exactly one thing wrong, and the field that must be named."""
    d = draw(past_dates(date(2015, 1, 1)))
    body: dict[str, Any] = {
        "start": d.isoformat(),
        "end": d.isoformat(),
        "hours": 8,
        "category": "financial-planning",
        "supervised": False,
    }
    case = draw(
        st.sampled_from(
            [
                "start",
                "end",
                "future",
                "end_before_start",
                "over_24",
                "hours",
                "category",
                "supervised",
                "employer",
                "description",
                "unknown",
                "missing",
            ]
        )
    )
    if case in ("start", "end"):
        body[case] = draw(not_a_date)
        return body, case
    if case == "future":
        field = draw(st.sampled_from(["start", "end"]))
        body[field] = draw(future_dates)
        if field == "start":
            body["end"] = body["start"]
        return body, field
    if case == "end_before_start":
        gap = draw(st.integers(min_value=1, max_value=3000))
        assume(d - timedelta(days=gap) >= EARLIEST)
        body["end"] = (d - timedelta(days=gap)).isoformat()
        return body, "end"
    if case == "over_24":
        days = draw(st.integers(min_value=1, max_value=60))
        start = d - timedelta(days=days - 1)
        body["start"] = start.isoformat()
        body["hours"] = draw(st.floats(min_value=24 * days + 0.01, max_value=24 * days + 1000))
        return body, "hours"
    if case == "hours":
        body["hours"] = draw(bad_hours(24))
        return body, "hours"
    if case == "category":
        body["category"] = draw(
            st.one_of(
                st.text(max_size=70).filter(lambda s: s.strip().lower() not in categories),
                not_text,
            )
        )
        return body, "category"
    if case == "supervised":
        body["supervised"] = draw(not_a_bool)
        return body, "supervised"
    if case in ("employer", "description"):
        limit = 200 if case == "employer" else 2000
        body[case] = draw(st.one_of(too_long(limit), long_or_nul_text, not_text))
        return body, case
    if case == "unknown":
        key = draw(unknown_keys)
        body[key] = draw(json_values)
        return body, key
    field = draw(st.sampled_from(["start", "end", "hours", "category"]))
    if draw(st.booleans()):
        del body[field]
    else:
        body[field] = draw(st.sampled_from([None, ""]))
    return body, field


# ---------------------------------------------------------------------------- bad input, API


@FIXED
@given(data=st.data())
def test_bad_experience_is_400_naming_the_field_and_stores_nothing(ctx, data):
    body, field = data.draw(bad_experience(ctx.categories))
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/experience", body, field)


@st.composite
def bad_internship(draw: Any, ctx: Ctx) -> tuple[dict[str, Any], str]:
    d = draw(past_dates(date(2015, 1, 1)))
    body: dict[str, Any] = {
        "mentor_id": ctx.mentor.id,
        "host": "Example Wealth",
        "start": d.isoformat(),
        "end": d.isoformat(),
        "hours": 6,
    }
    case = draw(st.sampled_from(["mentor_id", "host", "start", "end", "hours", "order", "missing"]))
    if case == "mentor_id":
        body["mentor_id"] = draw(
            st.one_of(
                st.sampled_from(
                    [ctx.foreign_mentor.id, ctx.cand.id, ctx.coord.id, 999_999, 0, -1, 2**31]
                ),
                st.floats().filter(lambda x: not x.is_integer()),
                st.text(max_size=10).filter(lambda s: not s.strip().isdigit()),
                st.integers(min_value=2**40),
                st.booleans(),
                wrong_types,
            )
        )
    elif case == "host":
        body["host"] = draw(st.one_of(too_long(200), long_or_nul_text, not_text, st.just("   ")))
    elif case in ("start", "end"):
        body[case] = draw(st.one_of(not_a_date, future_dates if case == "start" else not_a_date))
    elif case == "hours":
        body["hours"] = draw(bad_hours(24))
    elif case == "order":
        body["end"] = (d - timedelta(days=draw(st.integers(1, 400)))).isoformat()
        return body, "end"
    else:
        case = draw(st.sampled_from(sorted(body)))
        del body[case]
    return body, case


@FIXED
@given(data=st.data())
def test_bad_internship_is_400_naming_the_field_and_stores_nothing(ctx, data):
    body, field = data.draw(bad_internship(ctx))
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/internships", body, field)


@st.composite
def bad_record(draw: Any) -> tuple[str, dict[str, Any], str]:
    kind = draw(st.sampled_from(["degrees", "courses", "exams", "attestations"]))
    good = {
        "degrees": {"level": "master", "field": "Finance", "institution": "U", "accredited": True},
        "courses": {"title": "Tax", "provider": "cfp-registered", "topics": ["tax"], "credits": 3},
        "exams": {"code": "SIE", "taken_on": "2024-01-10", "passed": True},
        "attestations": {"kind": "ethics", "signed_on": "2024-01-10"},
    }[kind]
    bad: dict[str, st.SearchStrategy[Any]] = {
        "degrees": {
            "level": st.one_of(
                st.text(max_size=12).filter(
                    lambda s: (
                        s.strip().lower() not in ("associate", "bachelor", "master", "doctorate")
                    )
                ),
                not_text,
            ),
            "field": st.one_of(too_long(200), long_or_nul_text, not_text, st.just(" ")),
            "institution": st.one_of(too_long(200), long_or_nul_text, not_text),
            "accredited": not_a_bool,
            "conferred_on": st.one_of(not_a_date, future_dates),
        },
        "courses": {
            "title": st.one_of(too_long(200), long_or_nul_text, not_text),
            "provider": st.one_of(
                st.text(min_size=1, max_size=20).filter(
                    lambda s: s.strip() and not re.fullmatch(r"[a-z0-9-]+", s.strip().lower())
                ),
                not_text,
            ),
            "topics": st.one_of(
                st.dictionaries(st.text(max_size=3), json_scalars, min_size=1, max_size=2),
                st.integers(),
                st.lists(st.sampled_from(["ta x", "é", "a/b", "x\x00"]), min_size=1, max_size=3),
                st.lists(
                    st.text(alphabet="abc", min_size=1, max_size=5), min_size=31, max_size=40
                ).filter(lambda xs: len(set(xs)) > 30),
            ),
            "credits": st.one_of(
                st.floats(max_value=-0.01), st.floats(min_value=1000.01), st.just(math.nan)
            ),
            "completed_on": st.one_of(not_a_date, future_dates),
            "passed": not_a_bool,
        },
        "exams": {
            "code": st.one_of(too_long(20), long_or_nul_text, not_text, st.just("")),
            "taken_on": st.one_of(not_a_date, future_dates, st.none()),
            "passed": st.one_of(not_a_bool, st.none()),
        },
        "attestations": {
            "kind": st.one_of(st.just("eth ics"), st.just("éthique"), not_text, st.just("")),
            "signed_on": st.one_of(not_a_date, future_dates),
            "statement": st.one_of(too_long(2000), long_or_nul_text, not_text),
        },
    }[kind]
    field = draw(st.sampled_from(sorted(bad)))
    return kind, {**good, field: draw(bad[field])}, field


@FIXED
@given(data=st.data())
def test_bad_records_are_400_naming_the_field_and_store_nothing(ctx, data):
    kind, body, field = data.draw(bad_record())
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/{kind}", body, field)


@FEW
@given(
    credential=st.one_of(
        st.text(max_size=20).filter(lambda s: s.strip() not in SHIPPED_IDS),
        not_text,
    ),
)
def test_unknown_or_bad_credential_is_400_naming_it(ctx, credential):
    assert_rejected(
        ctx, f"/candidates/{ctx.cand.id}/enrolments", {"credential": credential}, "credential"
    )


@FEW
@given(
    pathway=st.one_of(
        st.text(min_size=1, max_size=20).filter(
            lambda s: s.strip() not in ("standard", "apprenticeship", "")
        ),
        not_text,
    )
)
def test_unknown_or_bad_pathway_is_400_naming_it(ctx, pathway):
    body = {"credential": "cfp", "pathway": pathway}
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/enrolments", body, "pathway")


@FEW
@given(body=st.one_of(st.lists(json_values, max_size=3), json_scalars))
def test_non_object_json_bodies_are_400_naming_body(ctx, body):
    for kind in ("experience", "degrees", "internships", "enrolments"):
        assert_rejected(ctx, f"/candidates/{ctx.cand.id}/{kind}", body, "body")


@FEW
@given(
    raw=st.one_of(st.text(max_size=40), st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
)
def test_bodies_that_are_not_json_objects_are_400(ctx, raw):
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    assume(not isinstance(parsed, dict) and raw.strip() != "")
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/experience", raw, "body", raw=True)


def test_deeply_nested_json_is_400_not_500(ctx):
    deep = "[" * 100_000 + "]" * 100_000
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/experience", deep, "body", raw=True)
    nested = '{"hours": ' + deep + "}"
    assert_rejected(ctx, f"/candidates/{ctx.cand.id}/experience", nested, "body", raw=True)


@pytest.fixture()
def pending_entry(ctx) -> int:
    body = {
        "start": "2024-01-02",
        "end": "2024-01-02",
        "hours": 8,
        "category": "financial-planning",
    }
    r = ctx.post(f"/candidates/{ctx.cand.id}/experience", body)
    assert r.status_code == 201
    return int(r.get_json()["id"])


@FEW
@given(
    reason=st.one_of(
        st.none(),
        st.just(""),
        st.text(alphabet=" \t\n", max_size=5),
        too_long(2000),
        long_or_nul_text,
        not_text,
    )
)
def test_bad_reason_is_400_and_the_entry_stays_pending(ctx, pending_entry, reason):
    before = ctx.counts()
    r = ctx.post(f"/experience/{pending_entry}/reject", {"reason": reason}, ctx.coord_token)
    assert_400_naming(r, "reason")
    assert ctx.counts() == before
    with ctx.app.app_context():
        assert db.session.get(ExperienceEntry, pending_entry).status == EntryStatus.PENDING


@FEW
@given(
    raw=st.one_of(
        st.text(max_size=12).filter(lambda t: not t.strip().isdigit() or not t.isascii()),
        st.integers(min_value=2**31).map(str),
    )
)
def test_bad_audit_candidate_id_is_400_or_404_never_500(ctx, raw):
    r = ctx.client.get(
        API + "/audit", query_string={"candidate_id": raw}, headers=bearer(ctx.coord_token)
    )
    assert r.status_code in (400, 404), (raw, r.status_code)
    if r.status_code == 400:
        assert_400_naming(r, "candidate_id")


@FEW
@given(
    value=st.one_of(st.text(max_size=12), st.integers(min_value=2**31, max_value=10**30).map(str))
)
def test_bad_path_ids_and_as_of_never_500(ctx, value):
    r = ctx.client.get(
        f"{API}/candidates/{ctx.cand.id}/progress",
        query_string={"credential": "cfp", "as_of": value},
        headers=bearer(ctx.token),
    )
    if r.status_code == 200:
        assert ISO_SHAPE.fullmatch(value) or value == "", value
    else:
        assert_400_naming(r, "as_of")
    huge = ctx.client.get(
        f"{API}/candidates/{10**30}/progress?credential=cfp", headers=bearer(ctx.token)
    )
    assert huge.status_code == 404


# ---------------------------------------------------------------------------- bad input, operations


@FIXED
@given(data=st.data())
def test_operations_refuse_bad_experience_without_flushing(ctx, data):
    body, field = data.draw(bad_experience(ctx.categories))
    with ctx.app.app_context(), writing():
        cand = db.session.get(User, ctx.cand.id)
        before = db.session.scalar(select(func.count()).select_from(ExperienceEntry))
        with pytest.raises(ValidationError) as caught:
            add_record(cand, cand, "experience", body, catalog=current_catalog())
        assert field in caught.value.errors or field in caught.value.message, caught.value.errors
        assert db.session.scalar(select(func.count()).select_from(ExperienceEntry)) == before
        assert not db.session.new
        db.session.rollback()


@FIXED
@given(data=st.data())
def test_operations_refuse_bad_internships_without_flushing(ctx, data):
    body, field = data.draw(bad_internship(ctx))
    with ctx.app.app_context(), writing():
        cand = db.session.get(User, ctx.cand.id)
        before = db.session.scalar(select(func.count()).select_from(Internship))
        with pytest.raises(ValidationError) as caught:
            create_internship(cand, cand, body)
        assert field in caught.value.errors, caught.value.errors
        assert db.session.scalar(select(func.count()).select_from(Internship)) == before
        db.session.rollback()


# ---------------------------------------------------------------------------- good input


def clean_text(max_size: int) -> st.SearchStrategy[str]:
    """Any unicode text the API must keep (no NUL; surrogates are not in st.text())."""
    return st.text(max_size=max_size).filter(lambda s: "\x00" not in s)


@st.composite
def good_experience(draw: Any, categories: list[str]) -> dict[str, Any]:
    start = draw(past_dates())
    end = draw(past_dates(start, min(TODAY, start + timedelta(days=400))))
    days = (end - start).days + 1
    body: dict[str, Any] = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hours": draw(
            st.one_of(
                st.integers(min_value=1, max_value=24 * days),
                st.floats(min_value=0.01, max_value=24 * days),
            )
        ),
        "category": draw(st.sampled_from(categories)),
    }
    if draw(st.booleans()):
        body["supervised"] = draw(st.booleans())
    if draw(st.booleans()):
        body["employer"] = draw(clean_text(200))
    if draw(st.booleans()):
        body["description"] = draw(clean_text(2000))
    return body


@FIXED
@given(data=st.data())
def test_good_experience_is_201_and_stored_exactly(ctx, data):
    body = data.draw(good_experience(ctx.categories))
    before = ctx.counts()
    r = ctx.post(f"/candidates/{ctx.cand.id}/experience", body)
    assert r.status_code == 201, (body, r.get_data(as_text=True))
    answer = r.get_json()
    assert answer["status"] == "pending"
    table = ExperienceEntry.__name__
    assert ctx.counts()[table] == before[table] + 1
    with ctx.app.app_context():
        row = db.session.get(ExperienceEntry, answer["id"])
        assert row.candidate_id == ctx.cand.id
        assert row.start.isoformat() == body["start"] and row.end.isoformat() == body["end"]
        assert row.hours == round(float(body["hours"]), 2) == answer["hours"]
        assert row.category == body["category"]
        assert row.supervised is body.get("supervised", False)
        assert row.employer == body.get("employer", "").strip() == answer["employer"]
        assert row.description == body.get("description", "").strip() == answer["description"]
        assert row.status == EntryStatus.PENDING and row.source == "employment"


@FIXED
@given(
    level=st.sampled_from(["associate", "bachelor", "master", "doctorate"]),
    field=clean_text(200).filter(lambda s: s.strip()),
    institution=clean_text(200).filter(lambda s: s.strip()),
    accredited=st.booleans(),
    conferred_on=st.one_of(st.none(), past_dates().map(date.isoformat)),
)
def test_good_degrees_are_201_and_stored_exactly(
    ctx, level, field, institution, accredited, conferred_on
):
    body = {
        "level": level,
        "field": field,
        "institution": institution,
        "accredited": accredited,
        "conferred_on": conferred_on,
    }
    r = ctx.post(f"/candidates/{ctx.cand.id}/degrees", body)
    assert r.status_code == 201, r.get_data(as_text=True)
    with ctx.app.app_context():
        row = db.session.get(Degree, r.get_json()["id"])
        assert (row.level, row.field, row.institution, row.accredited) == (
            level,
            field.strip(),
            institution.strip(),
            accredited,
        )
        assert (row.conferred_on.isoformat() if row.conferred_on else None) == conferred_on


@FIXED
@given(data=st.data())
def test_good_internships_are_201_and_stored_exactly(ctx, data):
    start = data.draw(past_dates())
    end = data.draw(past_dates(start, min(TODAY, start + timedelta(days=400))))
    days = (end - start).days + 1
    hours = data.draw(st.floats(min_value=0.01, max_value=24 * days))
    host = data.draw(clean_text(200).filter(lambda s: s.strip()))
    actor = data.draw(st.sampled_from(["cand", "coord"]))
    body = {
        "mentor_id": ctx.mentor.id,
        "host": host,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hours": hours,
    }
    before = ctx.counts()
    r = ctx.post(
        f"/candidates/{ctx.cand.id}/internships",
        body,
        ctx.token if actor == "cand" else ctx.coord_token,
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["status"] == "pending"
    assert ctx.counts()[Internship.__name__] == before[Internship.__name__] + 1
    with ctx.app.app_context():
        row = db.session.get(Internship, r.get_json()["id"])
        assert (row.mentor_id, row.host, row.start, row.end) == (
            ctx.mentor.id,
            host.strip(),
            start,
            end,
        )
        assert row.hours == round(hours, 2) and row.status == EntryStatus.PENDING


@pytest.mark.parametrize("value", ["0", "1700000000", "2024-1-5", "2024-02-30", "20240105"])
def test_as_of_is_a_day_written_yyyy_mm_dd_not_a_timestamp(ctx, value):
    """Found by the property test above: pydantic reads "0" as the Unix epoch's day."""
    r = ctx.client.get(
        f"{API}/candidates/{ctx.cand.id}/progress",
        query_string={"credential": "cfp", "as_of": value},
        headers=bearer(ctx.token),
    )
    assert_400_naming(r, "as_of")
