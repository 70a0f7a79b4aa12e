"""The JSON API table of app-contract.md, row by row: who may, what they get, every error code.

The world: organizations A and B. In A a coordinator (and a second one), a mentor who mentors
candidate `cand`, a mentor who mentors nobody, candidates `cand` and `cand2`; in B a
coordinator, a mentor of `cand_b` and `cand_b`; and an admin without organization.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import bearer
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry, Internship
from tracker.timeutil import today

API = "/api/v1"
NOBODY = object()

ME_KEYS = {"id", "email", "name", "role", "organization_id"}
PERSON_KEYS = {"id", "email", "name"}
APPROVAL_KEYS = {"id", "type", "candidate_id", "hours", "start", "end"}
AUDIT_KEYS = {"at", "actor_id", "action", "target", "before", "after"}
RESULT_KEYS = {
    "credential",
    "version",
    "pathway",
    "as_of",
    "status",
    "progress",
    "met_on",
    "requirements",
}
NODE_KEYS = {
    "id",
    "title",
    "kind",
    "status",
    "progress",
    "met_on",
    "due",
    "detail",
    "evidence",
    "children",
}
HOURS_KEYS = {"counted_hours", "pending_hours", "capped_hours", "required_hours", "projected_on"}
STATUSES = {"met", "in_progress", "not_started", "expired", "not_applicable"}
EXCLUDED_REASONS = {
    "pending",
    "rejected",
    "outside_window",
    "after_cutoff",
    "not_matching",
    "future",
    "not_passed",
    "lapsed",
}
ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict"}
MISSING_ID = 999_999


def day(offset: int) -> str:
    return (today() - timedelta(days=offset)).isoformat()


def last_monday(weeks_ago: int) -> Any:
    """A Monday `weeks_ago` weeks back, so hours fall in whole calendar weeks."""
    d = today() - timedelta(weeks=weeks_ago)
    return d - timedelta(days=d.weekday())


DEGREE = {
    "level": "bachelor",
    "field": "Finance",
    "institution": "Example University",
    "accredited": True,
    "conferred_on": "2018-06-01",
}
COURSE = {
    "title": "Tax Planning",
    "provider": "cfp-registered",
    "topics": ["tax"],
    "credits": 3,
    "completed_on": "2023-05-01",
    "passed": True,
}
EXAM = {"code": "CFP", "taken_on": "2024-03-10", "passed": True}
ATTESTATION = {"kind": "ethics"}


def experience(**over: Any) -> dict[str, Any]:
    body = {
        "start": day(10),
        "end": day(10),
        "hours": 8,
        "category": "financial-planning",
        "supervised": False,
    }
    body.update(over)
    return body


RECORD_BODIES = {
    "degrees": DEGREE,
    "courses": COURSE,
    "exams": EXAM,
    "attestations": ATTESTATION,
    "experience": experience(),
}
REQUIRED = {
    "degrees": ["level", "field", "institution"],
    "courses": ["title", "provider"],
    "exams": ["code", "taken_on", "passed"],
    "attestations": ["kind"],
    "experience": ["start", "end", "hours", "category"],
    "internships": ["mentor_id", "start", "end", "hours", "host"],
    "enrolments": ["credential"],
}


# ---------------------------------------------------------------------------- helpers


def call(client, method: str, path: str, token: str | None = None, body: Any = NOBODY):
    headers = bearer(token) if token else {}
    kwargs: dict[str, Any] = {}
    if body is not NOBODY:
        kwargs["json"] = body
    return client.open(API + path, method=method, headers=headers, **kwargs)


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def error(response, status: int, field: str | None = None) -> dict[str, str]:
    """The contract's error body: exactly {"error": {"code", "message"}}; 400 names the field."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    code, message = body["error"]["code"], body["error"]["message"]
    assert isinstance(code, str) and code and isinstance(message, str) and message
    if status in ERROR_CODES:
        assert code == ERROR_CODES[status], body
    if field is not None:
        assert re.search(rf"\b{re.escape(field)}\b", message), (field, message)
    return body["error"]


class World:
    def __init__(self, app, factory) -> None:
        self.app = app
        self.org_a = factory.org("Org A")
        self.org_b = factory.org("Org B")
        self.users: dict[str, Any] = {}
        for name, role, org in [
            ("admin", "admin", None),
            ("coord", "coordinator", self.org_a),
            ("coord2", "coordinator", self.org_a),
            ("mentor", "mentor", self.org_a),
            ("mentor2", "mentor", self.org_a),
            ("cand", "candidate", self.org_a),
            ("cand2", "candidate", self.org_a),
            ("coord_b", "coordinator", self.org_b),
            ("mentor_b", "mentor", self.org_b),
            ("cand_b", "candidate", self.org_b),
        ]:
            self.users[name] = factory.user(role, org, email=f"{name}@example.com", name=name)
        self.tokens = {name: factory.token(user) for name, user in self.users.items()}
        client = app.test_client()
        self.client = client
        # cand's internship names `mentor`; cand_b's names `mentor_b`.
        self.internship = self.add_internship("cand", "mentor")
        self.internship_b = self.add_internship("cand_b", "mentor_b")
        self.entry = self.add_experience("cand")
        self.entry2 = self.add_experience("cand2")
        self.entry_b = self.add_experience("cand_b")

    def id(self, name: str) -> int:
        return int(self.users[name].id)

    def tok(self, name: str) -> str:
        return self.tokens[name]

    def add_experience(self, who: str, **over: Any) -> int:
        r = call(
            self.client,
            "POST",
            f"/candidates/{self.id(who)}/experience",
            self.tok(who),
            experience(**over),
        )
        return int(ok(r, 201)["id"])

    def add_internship(self, who: str, mentor: str, **over: Any) -> int:
        body = {
            "mentor_id": self.id(mentor),
            "host": "Example Wealth LLC",
            "start": day(40),
            "end": day(20),
            "hours": 60,
        }
        body.update(over)
        r = call(
            self.client, "POST", f"/candidates/{self.id(who)}/internships", self.tok(who), body
        )
        return int(ok(r, 201)["id"])

    def entry_row(self, model: Any, row_id: int) -> Any:
        with self.app.app_context():
            row = db.session.get(model, row_id)
            db.session.expunge(row)
            return row

    def count(self, model: Any) -> int:
        """Rows of `model`; for the audit log, the events of changes (refusals are logged too)."""
        stmt = select(func.count()).select_from(model)
        if model is AuditEvent:
            stmt = stmt.where(AuditEvent.action != "auth.refused")
        with self.app.app_context():
            return int(db.session.scalar(stmt))


@pytest.fixture()
def w(app, factory) -> World:
    return World(app, factory)


def routes(w: World) -> list[tuple[str, str, Any]]:
    """Every row of the contract's API table, concretely."""
    c = w.id("cand")
    return [
        ("GET", "/me", NOBODY),
        ("GET", "/candidates", NOBODY),
        ("POST", f"/candidates/{c}/enrolments", {"credential": "cfp", "pathway": "standard"}),
        ("POST", f"/candidates/{c}/degrees", DEGREE),
        ("POST", f"/candidates/{c}/courses", COURSE),
        ("POST", f"/candidates/{c}/exams", EXAM),
        ("POST", f"/candidates/{c}/attestations", ATTESTATION),
        ("POST", f"/candidates/{c}/experience", experience()),
        (
            "POST",
            f"/candidates/{c}/internships",
            {"mentor_id": w.id("mentor"), "host": "H", "start": day(5), "end": day(5), "hours": 4},
        ),
        ("GET", "/approvals", NOBODY),
        ("POST", f"/experience/{w.entry}/approve", {}),
        ("POST", f"/experience/{w.entry}/reject", {"reason": "no proof"}),
        ("POST", f"/internships/{w.internship}/signoff", {}),
        ("POST", f"/internships/{w.internship}/reject", {"reason": "no proof"}),
        ("GET", f"/candidates/{c}/progress?credential=cfp", NOBODY),
        ("GET", f"/candidates/{c}/statement.pdf?credential=cfp", NOBODY),
        ("GET", f"/audit?candidate_id={c}", NOBODY),
    ]


# ---------------------------------------------------------------------------- 401


@pytest.mark.parametrize("token", [None, "trk_not-a-real-token", ""], ids=["none", "bad", "empty"])
def test_every_route_answers_401_without_a_valid_token_and_changes_nothing(w, client, token):
    before = (w.count(ExperienceEntry), w.count(Internship), w.count(AuditEvent))
    for method, path, body in routes(w):
        headers = {"Authorization": "Bearer " + token} if token is not None else {}
        kwargs = {} if body is NOBODY else {"json": body}
        r = client.open(API + path, method=method, headers=headers, **kwargs)
        error(r, 401)
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), path
    assert (w.count(ExperienceEntry), w.count(Internship), w.count(AuditEvent)) == before
    assert w.entry_row(ExperienceEntry, w.entry).status == EntryStatus.PENDING


def test_basic_auth_is_not_a_bearer_token(w, client):
    error(client.get(API + "/me", headers={"Authorization": "Basic YTpi"}), 401)


# ---------------------------------------------------------------------------- GET /me


@pytest.mark.parametrize("name", ["admin", "coord", "mentor", "cand", "cand_b"])
def test_me_answers_exactly_the_contract_keys(w, client, name):
    body = ok(call(client, "GET", "/me", w.tok(name)))
    assert set(body) == ME_KEYS
    user = w.users[name]
    assert body["id"] == user.id and body["email"] == user.email
    assert body["organization_id"] == user.organization_id


# ---------------------------------------------------------------------------- GET /candidates


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("coord", {"cand", "cand2"}),
        ("coord_b", {"cand_b"}),
        ("admin", {"cand", "cand2", "cand_b"}),
        ("mentor", {"cand"}),
        ("mentor2", set()),
        ("mentor_b", {"cand_b"}),
    ],
)
def test_candidates_lists_exactly_whom_the_caller_may_see(w, client, name, expected):
    body = ok(call(client, "GET", "/candidates", w.tok(name)))
    assert all(set(item) == PERSON_KEYS for item in body)
    assert {item["id"] for item in body} == {w.id(n) for n in expected}
    by_id = {item["id"]: item for item in body}
    for n in expected:
        assert by_id[w.id(n)]["email"] == f"{n}@example.com"


def test_candidates_is_403_for_a_candidate(w, client):
    error(call(client, "GET", "/candidates", w.tok("cand")), 403)


# ---------------------------------------------------------------------------- enrolments


@pytest.mark.parametrize(
    ("actor", "target"), [("cand", "cand"), ("coord", "cand2"), ("admin", "cand_b")]
)
def test_enrolment_by_those_who_may_is_201_and_a_duplicate_409(w, client, actor, target):
    path = f"/candidates/{w.id(target)}/enrolments"
    body = ok(
        call(client, "POST", path, w.tok(actor), {"credential": "cfp", "pathway": "standard"}), 201
    )
    assert body["credential"] == "cfp" and body["pathway"] == "standard"
    error(call(client, "POST", path, w.tok(actor), {"credential": "cfp"}), 409)


def test_enrolment_without_pathway_takes_the_default(w, client):
    path = f"/candidates/{w.id('cand')}/enrolments"
    body = ok(call(client, "POST", path, w.tok("cand"), {"credential": "cfp"}), 201)
    assert body["pathway"] == "standard"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "credential"),
        ({"credential": "no-such-credential"}, "credential"),
        ({"credential": 7}, "credential"),
        ({"credential": "cfp", "pathway": "no-such-pathway"}, "pathway"),
        ({"credential": "cfp", "pathway": ["standard"]}, "pathway"),
        ({"credential": "cfp", "colour": "blue"}, "colour"),
    ],
)
def test_enrolment_bad_input_is_400_naming_the_field(w, client, body, field):
    path = f"/candidates/{w.id('cand')}/enrolments"
    error(call(client, "POST", path, w.tok("cand"), body), 400, field)
    assert ok(call(client, "POST", path, w.tok("cand"), {"credential": "cfp"}), 201)


def test_enrolment_by_a_mentor_is_403_and_by_another_org_404(w, client):
    path = f"/candidates/{w.id('cand')}/enrolments"
    error(call(client, "POST", path, w.tok("mentor"), {"credential": "cfp"}), 403)
    for outsider in ("coord_b", "cand2", "mentor2"):
        error(call(client, "POST", path, w.tok(outsider), {"credential": "cfp"}), 404)


# ---------------------------------------------------------------------------- records


@pytest.mark.parametrize("kind", ["degrees", "courses", "exams", "attestations", "experience"])
def test_candidate_adds_own_record_201_with_id(w, client, kind):
    payload = {**RECORD_BODIES[kind], "id": "x1"}  # the records JSON's own id is ignored
    body = ok(
        call(client, "POST", f"/candidates/{w.id('cand')}/{kind}", w.tok("cand"), payload), 201
    )
    assert isinstance(body["id"], int)
    for key, value in RECORD_BODIES[kind].items():
        assert body[key] == value, key


def test_experience_is_201_pending_with_the_entry(w, client):
    body = ok(
        call(client, "POST", f"/candidates/{w.id('cand')}/experience", w.tok("cand"), experience()),
        201,
    )
    assert body["status"] == "pending" and isinstance(body["id"], int)
    assert {k: body[k] for k in experience()} == experience()


def test_experience_status_in_the_body_does_not_self_approve(w, client):
    body = ok(
        call(
            client,
            "POST",
            f"/candidates/{w.id('cand')}/experience",
            w.tok("cand"),
            experience(status="approved"),
        ),
        201,
    )
    assert body["status"] == "pending"
    assert w.entry_row(ExperienceEntry, body["id"]).status == EntryStatus.PENDING


@pytest.mark.parametrize("kind", ["degrees", "courses", "exams", "attestations", "experience"])
def test_others_who_see_the_candidate_may_not_add_records_403(w, client, kind):
    before = w.count(AuditEvent)
    path = f"/candidates/{w.id('cand')}/{kind}"
    for actor in ("coord", "mentor"):
        error(call(client, "POST", path, w.tok(actor), RECORD_BODIES[kind]), 403)
    assert w.count(AuditEvent) == before


@pytest.mark.parametrize("kind", ["degrees", "courses", "exams", "attestations", "experience"])
def test_records_of_invisible_candidates_are_404(w, client, kind):
    for actor in ("coord_b", "cand2", "mentor2", "mentor_b"):
        check_hidden(
            w, client, actor, "POST", f"/candidates/{{}}/{kind}", w.id("cand"), RECORD_BODIES[kind]
        )


def same_404(a: dict[str, str], a_id: int, b: dict[str, str], b_id: int) -> bool:
    """Two 404 bodies are the same but for the id the caller asked for."""
    return a["code"] == b["code"] and a["message"].replace(str(a_id), "N") == b["message"].replace(
        str(b_id), "N"
    )


def check_hidden(
    w: World, client, actor: str, method: str, template: str, row_id: int, body: Any = NOBODY
) -> None:
    """What the actor may not see answers 404, with the body of an id that does not exist."""
    hidden = error(call(client, method, template.format(row_id), w.tok(actor), body), 404)
    missing = error(call(client, method, template.format(MISSING_ID), w.tok(actor), body), 404)
    assert same_404(hidden, row_id, missing, MISSING_ID), (actor, hidden, missing)


def test_a_non_candidate_id_is_404_like_a_missing_one(w, client):
    for target in ("coord", "mentor", "admin"):
        path = f"/candidates/{w.id(target)}/degrees"
        error(call(client, "POST", path, w.tok("admin"), DEGREE), 404)


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_missing_required_field_is_400_naming_it(w, client, kind):
    if kind == "internships":
        full = {
            "mentor_id": w.id("mentor"),
            "host": "H",
            "start": day(5),
            "end": day(5),
            "hours": 4,
        }
    elif kind == "enrolments":
        full = {"credential": "cfp"}
    else:
        full = dict(RECORD_BODIES[kind])
    before = w.count(AuditEvent)
    path = f"/candidates/{w.id('cand')}/{kind}"
    for field in REQUIRED[kind]:
        body = {k: v for k, v in full.items() if k != field}
        error(call(client, "POST", path, w.tok("cand"), body), 400, field)
        error(call(client, "POST", path, w.tok("cand"), {**body, field: None}), 400, field)
    assert w.count(AuditEvent) == before


BAD_FIELDS = [
    ("degrees", "level", "kindergarten"),
    ("degrees", "conferred_on", "June 2018"),
    ("degrees", "accredited", "perhaps"),
    ("courses", "credits", -3),
    ("courses", "topics", {"tax": True}),
    ("exams", "taken_on", "2024-02-30"),
    ("exams", "passed", None),
    ("attestations", "kind", "eth ics"),
    ("attestations", "signed_on", day(-30)),
    ("experience", "hours", -8),
    ("experience", "hours", 0),
    ("experience", "hours", "eight"),
    ("experience", "hours", 25),
    ("experience", "hours", True),
    ("experience", "start", "yesterday"),
    ("experience", "start", 20240101),
    ("experience", "end", day(-1)),
    ("experience", "category", "knitting"),
    ("experience", "supervised", "sometimes"),
    ("experience", "employer", "x" * 5000),
    ("experience", "description", "nul\x00byte"),
    ("experience", "colour", "blue"),
]


def test_bad_field_is_400_naming_it(w, client):
    before = w.count(AuditEvent)
    for kind, field, value in BAD_FIELDS:
        body = {**RECORD_BODIES[kind], field: value}
        r = call(client, "POST", f"/candidates/{w.id('cand')}/{kind}", w.tok("cand"), body)
        assert r.status_code == 400, (kind, field, value, r.get_json())
        error(r, 400, field)
    assert w.count(AuditEvent) == before


def test_experience_end_before_start_is_400_naming_end(w, client):
    body = experience(start=day(3), end=day(5))
    error(
        call(client, "POST", f"/candidates/{w.id('cand')}/experience", w.tok("cand"), body),
        400,
        "end",
    )


NON_OBJECTS = ["[]", "[1, 2]", '"text"', "3", "null", "true", "{", "not json"]


def test_non_object_bodies_are_400_naming_body(w, client):
    before = (w.count(ExperienceEntry), w.count(Internship), w.count(AuditEvent))
    c = w.id("cand")
    posts = [
        ("cand", f"/candidates/{c}/{kind}")
        for kind in ("enrolments", "degrees", "courses", "exams", "attestations", "experience")
    ] + [
        ("cand", f"/candidates/{c}/internships"),
        ("coord", f"/experience/{w.entry}/approve"),
        ("coord", f"/experience/{w.entry}/reject"),
        ("mentor", f"/internships/{w.internship}/signoff"),
        ("mentor", f"/internships/{w.internship}/reject"),
    ]
    for raw in NON_OBJECTS:
        for who, path in posts:
            r = client.post(
                API + path,
                data=raw,
                headers={**bearer(w.tok(who)), "Content-Type": "application/json"},
            )
            assert r.status_code == 400, (raw, path)
            error(r, 400, "body")
    assert (w.count(ExperienceEntry), w.count(Internship), w.count(AuditEvent)) == before


def test_load_and_authorize_come_before_the_body(w, client):
    """A bad body to someone else's record is still 404 (or 403), never a 400 that leaks."""
    for who, path, status in [
        ("coord_b", f"/candidates/{w.id('cand')}/degrees", 404),
        ("coord_b", f"/experience/{w.entry}/approve", 404),
        ("coord", f"/candidates/{w.id('cand')}/degrees", 403),
        ("mentor", f"/experience/{w.entry}/approve", 403),
        ("coord", f"/internships/{w.internship}/signoff", 403),
    ]:
        r = client.post(
            API + path,
            data="[]",
            headers={**bearer(w.tok(who)), "Content-Type": "application/json"},
        )
        error(r, status)


# ---------------------------------------------------------------------------- internships


def test_candidate_requests_internship_201_pending(w, client):
    body = {
        "mentor_id": w.id("mentor"),
        "host": "Host",
        "start": day(9),
        "end": day(2),
        "hours": 40,
    }
    r = call(client, "POST", f"/candidates/{w.id('cand2')}/internships", w.tok("cand2"), body)
    answer = ok(r, 201)
    assert {"id", "status"} <= set(answer) and answer["status"] == "pending"
    row = w.entry_row(Internship, answer["id"])
    assert row.mentor_id == w.id("mentor") and row.candidate_id == w.id("cand2")
    assert row.status == EntryStatus.PENDING


def test_coordinator_creates_internship_with_a_mentor_of_the_org(w, client):
    body = {
        "mentor_id": w.id("mentor2"),
        "host": "Host",
        "start": day(9),
        "end": day(2),
        "hours": 40,
    }
    r = call(client, "POST", f"/candidates/{w.id('cand2')}/internships", w.tok("coord"), body)
    answer = ok(r, 201)
    assert {"id", "status"} <= set(answer) and answer["status"] == "pending"
    # mentor2 now sees cand2 and has the internship to decide
    people = ok(call(client, "GET", "/candidates", w.tok("mentor2")))
    assert [p["id"] for p in people] == [w.id("cand2")]


@pytest.mark.parametrize("mentor", ["mentor_b", "coord", "cand2", "admin"])
def test_internship_mentor_must_be_a_mentor_of_the_org_400(w, client, mentor):
    body = {"mentor_id": w.id(mentor), "host": "Host", "start": day(9), "end": day(2), "hours": 40}
    r = call(client, "POST", f"/candidates/{w.id('cand')}/internships", w.tok("cand"), body)
    error(r, 400, "mentor_id")


def test_internship_mentor_id_that_does_not_exist_400(w, client):
    body = {"mentor_id": MISSING_ID, "host": "Host", "start": day(9), "end": day(2), "hours": 40}
    r = call(client, "POST", f"/candidates/{w.id('cand')}/internships", w.tok("cand"), body)
    error(r, 400, "mentor_id")


def test_internship_by_mentor_403_and_other_org_404(w, client):
    body = {
        "mentor_id": w.id("mentor"),
        "host": "Host",
        "start": day(9),
        "end": day(2),
        "hours": 40,
    }
    path = f"/candidates/{w.id('cand')}/internships"
    error(call(client, "POST", path, w.tok("mentor"), body), 403)
    for outsider in ("coord_b", "cand2", "mentor_b"):
        error(call(client, "POST", path, w.tok(outsider), body), 404)


# ---------------------------------------------------------------------------- GET /approvals


def _approvals(client, token) -> list[dict[str, Any]]:
    body = ok(call(client, "GET", "/approvals", token))
    assert all(APPROVAL_KEYS <= set(item) for item in body), body
    return body


def test_approvals_lists_exactly_what_the_caller_may_decide(w, client):
    coord = _approvals(client, w.tok("coord"))
    assert {(i["type"], i["id"]) for i in coord} == {
        ("experience", w.entry),
        ("experience", w.entry2),
    }
    item = next(i for i in coord if i["id"] == w.entry)
    assert item.pop("version") == 1  # an extension: what a decision may pin
    assert item == {
        "id": w.entry,
        "type": "experience",
        "candidate_id": w.id("cand"),
        "hours": 8,
        "start": day(10),
        "end": day(10),
    }
    assert {(i["type"], i["id"]) for i in _approvals(client, w.tok("coord_b"))} == {
        ("experience", w.entry_b)
    }
    mentor = _approvals(client, w.tok("mentor"))
    assert [(i["type"], i["id"], i["candidate_id"]) for i in mentor] == [
        ("internship", w.internship, w.id("cand"))
    ]
    assert mentor[0]["hours"] == 60 and mentor[0]["start"] == day(40)
    assert _approvals(client, w.tok("mentor2")) == []
    # every listed entry is one the caller can in fact decide
    ok(call(client, "POST", f"/experience/{w.entry2}/approve", w.tok("coord"), {}))
    ok(call(client, "POST", f"/internships/{w.internship}/signoff", w.tok("mentor"), {}))
    assert {i["id"] for i in _approvals(client, w.tok("coord"))} == {w.entry}
    assert _approvals(client, w.tok("mentor")) == []


def test_approvals_is_403_for_candidates(w, client):
    error(call(client, "GET", "/approvals", w.tok("cand")), 403)


# ---------------------------------------------------------------------------- deciding experience


def test_coordinator_approves_then_409_on_any_second_decision(w, client, app):
    body = ok(call(client, "POST", f"/experience/{w.entry}/approve", w.tok("coord"), {}))
    assert body == {"status": "approved"}
    row = w.entry_row(ExperienceEntry, w.entry)
    assert row.status == EntryStatus.APPROVED and row.decided_by_id == w.id("coord")
    for who, path, payload in [
        ("coord", "approve", {}),
        ("coord2", "approve", {}),
        ("coord2", "reject", {"reason": "late"}),
        ("admin", "reject", {"reason": "late"}),
    ]:
        e = error(call(client, "POST", f"/experience/{w.entry}/{path}", w.tok(who), payload), 409)
        assert "approved" in e["message"]
    row = w.entry_row(ExperienceEntry, w.entry)
    assert row.status == EntryStatus.APPROVED and row.decided_by_id == w.id("coord")
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"experience:{w.entry}")
        ).all()
    assert sorted(actions) == ["experience.approve", "experience.create"]


def test_reject_needs_a_reason_then_rejects_then_409(w, client):
    path = f"/experience/{w.entry}/reject"
    for payload in ({}, {"reason": ""}, {"reason": "   "}, {"reason": 5}, {"reason": "x" * 5000}):
        error(call(client, "POST", path, w.tok("coord"), payload), 400, "reason")
    assert w.entry_row(ExperienceEntry, w.entry).status == EntryStatus.PENDING
    body = ok(call(client, "POST", path, w.tok("coord"), {"reason": "no payslip"}))
    assert body == {"status": "rejected"}
    row = w.entry_row(ExperienceEntry, w.entry)
    assert row.status == EntryStatus.REJECTED and row.note == "no payslip"
    error(call(client, "POST", path, w.tok("coord"), {"reason": "again"}), 409)
    error(call(client, "POST", f"/experience/{w.entry}/approve", w.tok("coord"), {}), 409)


def test_admin_may_decide_any_org(w, client):
    assert ok(call(client, "POST", f"/experience/{w.entry_b}/approve", w.tok("admin"), {})) == {
        "status": "approved"
    }


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("actor", ["mentor", "cand"])
def test_mentor_and_the_candidate_cannot_decide_experience_403(w, client, action, actor):
    """The mentor sees `cand` but decides only internships; nobody decides their own hours."""
    error(
        call(client, "POST", f"/experience/{w.entry}/{action}", w.tok(actor), {"reason": "r"}), 403
    )
    assert w.entry_row(ExperienceEntry, w.entry).status == EntryStatus.PENDING


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_experience_of_invisible_candidates_is_404_like_a_missing_entry(w, client, action):
    for actor in ("coord_b", "cand2", "mentor2", "mentor_b"):
        check_hidden(
            w, client, actor, "POST", f"/experience/{{}}/{action}", w.entry, {"reason": "r"}
        )
    assert w.entry_row(ExperienceEntry, w.entry).status == EntryStatus.PENDING


# ---------------------------------------------------------------------------- internships decided


def test_mentor_signs_off_then_409_and_it_counts_as_internship_experience(w, client):
    start = last_monday(8)
    end = start + timedelta(days=27)  # four whole weeks, 28 h a week: under the weekly cap
    body = {
        "mentor_id": w.id("mentor"),
        "host": "Host",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hours": 112,
    }
    iid = ok(
        call(client, "POST", f"/candidates/{w.id('cand2')}/internships", w.tok("cand2"), body), 201
    )["id"]

    def hours_node(pathway: str = "standard") -> dict[str, Any]:
        path = f"/candidates/{w.id('cand2')}/progress?credential=cfp&pathway={pathway}"
        result = ok(call(client, "GET", path, w.tok("coord")))
        return find_node(result["requirements"], f"{pathway}-hours")

    node = hours_node()  # cand2's pending 8 h of experience come from the world
    assert node["counted_hours"] == 0 and node["pending_hours"] == 112 + 8
    assert {"id": f"i{iid}", "reason": "pending"} in node["excluded"]

    answer = ok(
        call(
            client, "POST", f"/internships/{iid}/signoff", w.tok("mentor"), {"comment": "well done"}
        )
    )
    assert answer == {"status": "approved"}
    row = w.entry_row(Internship, iid)
    assert row.status == EntryStatus.APPROVED and row.decided_by_id == w.id("mentor")
    assert row.note == "well done"
    error(call(client, "POST", f"/internships/{iid}/signoff", w.tok("mentor"), {}), 409)
    error(call(client, "POST", f"/internships/{iid}/reject", w.tok("mentor"), {"reason": "r"}), 409)

    node = hours_node()
    assert node["counted_hours"] == 112 and node["pending_hours"] == 8
    assert node["capped_hours"] == 0 and node["required_hours"] == 6000
    assert f"i{iid}" in node["evidence"]
    # its source is `internship`: the apprenticeship pathway counts employment only
    apprenticeship = hours_node("apprenticeship")
    assert {"id": f"i{iid}", "reason": "not_matching"} in apprenticeship["excluded"]
    assert apprenticeship["counted_hours"] == 0


def test_signoff_without_body_and_with_null_comment(w, client):
    r = client.post(API + f"/internships/{w.internship}/signoff", headers=bearer(w.tok("mentor")))
    assert ok(r) == {"status": "approved"}
    iid = w.add_internship("cand", "mentor")
    assert ok(
        call(client, "POST", f"/internships/{iid}/signoff", w.tok("mentor"), {"comment": None})
    ) == {"status": "approved"}


def test_mentor_returns_internship_with_a_reason(w, client):
    path = f"/internships/{w.internship}/reject"
    error(call(client, "POST", path, w.tok("mentor"), {}), 400, "reason")
    assert ok(call(client, "POST", path, w.tok("mentor"), {"reason": "hours unclear"})) == {
        "status": "rejected"
    }
    row = w.entry_row(Internship, w.internship)
    assert row.status == EntryStatus.REJECTED and row.decided_by_id == w.id("mentor")
    error(call(client, "POST", path, w.tok("mentor"), {"reason": "again"}), 409)
    error(call(client, "POST", f"/internships/{w.internship}/signoff", w.tok("mentor"), {}), 409)


@pytest.mark.parametrize("action", ["signoff", "reject"])
@pytest.mark.parametrize("actor", ["coord", "admin", "cand"])
def test_only_the_named_mentor_decides_an_internship_403(w, client, action, actor):
    error(
        call(
            client, "POST", f"/internships/{w.internship}/{action}", w.tok(actor), {"reason": "r"}
        ),
        403,
    )
    assert w.entry_row(Internship, w.internship).status == EntryStatus.PENDING


@pytest.mark.parametrize("action", ["signoff", "reject"])
def test_internships_of_invisible_candidates_are_404(w, client, action):
    for actor in ("mentor2", "mentor_b", "coord_b", "cand2"):
        path = f"/internships/{{}}/{action}"
        check_hidden(w, client, actor, "POST", path, w.internship, {"reason": "r"})
    assert w.entry_row(Internship, w.internship).status == EntryStatus.PENDING


def test_a_mentor_with_two_interns_decides_only_internships_naming_them(w, client):
    """mentor2 gets an internship of `cand`, so sees `cand`, yet cannot decide mentor's one."""
    mine = w.add_internship("cand", "mentor2")
    error(call(client, "POST", f"/internships/{w.internship}/signoff", w.tok("mentor2"), {}), 403)
    assert [i["id"] for i in _approvals(client, w.tok("mentor2"))] == [mine]
    ok(call(client, "POST", f"/internships/{mine}/signoff", w.tok("mentor2"), {}))


# ---------------------------------------------------------------------------- progress


def find_node(nodes: list[dict[str, Any]], node_id: str) -> dict[str, Any]:
    for node in walk(nodes):
        if node["id"] == node_id:
            return node
    raise AssertionError(f"no node {node_id}")


def walk(nodes: list[dict[str, Any]]):
    for node in nodes:
        yield node
        yield from walk(node["children"])


def check_result(result: dict[str, Any]) -> None:
    assert RESULT_KEYS <= set(result), set(result)
    assert result["status"] in STATUSES and 0 <= result["progress"] <= 1
    for node in walk(result["requirements"]):
        assert NODE_KEYS <= set(node), (node["id"], set(node))
        assert node["status"] in STATUSES and 0 <= node["progress"] <= 1
        assert isinstance(node["evidence"], list) and isinstance(node["detail"], str)
        if node["kind"] == "hours":
            assert HOURS_KEYS <= set(node), node["id"]
        if not node["children"] and node["kind"] not in ("all", "any", "at_least"):
            assert "excluded" in node, node["id"]
            for item in node["excluded"]:
                assert set(item) == {"id", "reason"} and item["reason"] in EXCLUDED_REASONS


@pytest.mark.parametrize("viewer", ["cand", "coord", "mentor", "admin"])
def test_progress_is_the_result_json_for_those_who_see_the_candidate(w, client, viewer):
    ok(
        call(
            client,
            "POST",
            f"/candidates/{w.id('cand')}/enrolments",
            w.tok("cand"),
            {"credential": "cfp"},
        ),
        201,
    )
    for kind, payload in RECORD_BODIES.items():
        ok(call(client, "POST", f"/candidates/{w.id('cand')}/{kind}", w.tok("cand"), payload), 201)
    result = ok(
        call(client, "GET", f"/candidates/{w.id('cand')}/progress?credential=cfp", w.tok(viewer))
    )
    check_result(result)
    assert result["credential"] == "cfp" and result["pathway"] == "standard"
    assert result["as_of"] == today().isoformat()
    assert {n["id"] for n in result["requirements"]} >= {
        "degree",
        "coursework",
        "exam",
        "experience",
        "ethics",
    }
    hours = find_node(result["requirements"], "standard-hours")
    # pending: the world's 8 h and 60 h internship, and the 8 h just added
    assert hours["counted_hours"] == 0 and hours["pending_hours"] == 8 + 60 + 8
    assert find_node(result["requirements"], "degree")["status"] == "met"


def test_progress_as_of_a_past_date(w, client):
    r = call(
        client,
        "GET",
        f"/candidates/{w.id('cand')}/progress?credential=cfp&as_of=2020-01-01",
        w.tok("cand"),
    )
    assert ok(r)["as_of"] == "2020-01-01"
    r = call(
        client,
        "GET",
        f"/candidates/{w.id('cand')}/progress?credential=cfp&as_of=soon",
        w.tok("cand"),
    )
    error(r, 400, "as_of")


def test_progress_needs_a_known_credential(w, client):
    base = f"/candidates/{w.id('cand')}/progress"
    error(call(client, "GET", base, w.tok("cand")), 400, "credential")
    error(call(client, "GET", base + "?credential=", w.tok("cand")), 400, "credential")
    error(call(client, "GET", base + "?credential=no-such-thing", w.tok("cand")), 404)


def test_progress_of_invisible_candidates_is_404(w, client):
    for viewer in ("coord_b", "cand2", "mentor2", "mentor_b"):
        path = "/candidates/{}/progress?credential=cfp"
        check_hidden(w, client, viewer, "GET", path, w.id("cand"))


# ---------------------------------------------------------------------------- statement.pdf


def test_statement_pdf_for_those_who_see_the_candidate(w, client, app):
    ok(
        call(
            client,
            "POST",
            f"/candidates/{w.id('cand')}/enrolments",
            w.tok("cand"),
            {"credential": "cfp"},
        ),
        201,
    )
    path = f"/candidates/{w.id('cand')}/statement.pdf?credential=cfp"
    for viewer in ("cand", "coord"):
        r = call(client, "GET", path, w.tok(viewer))
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        assert r.data.startswith(b"%PDF")
    error(call(client, "GET", path, w.tok("coord_b")), 404)
    error(call(client, "GET", path, None), 401)
    error(
        call(client, "GET", f"/candidates/{w.id('cand')}/statement.pdf", w.tok("cand")),
        400,
        "credential",
    )


# ---------------------------------------------------------------------------- audit


def _audit(client, token, candidate_id: Any = None) -> list[dict[str, Any]]:
    path = "/audit" if candidate_id is None else f"/audit?candidate_id={candidate_id}"
    body = ok(call(client, "GET", path, token))
    assert all(set(e) == AUDIT_KEYS for e in body), body[:1]
    return body


def test_audit_for_a_coordinator_of_the_candidates_org(w, client):
    ok(call(client, "POST", f"/experience/{w.entry}/approve", w.tok("coord"), {}))
    events = _audit(client, w.tok("coord"), w.id("cand"))
    approve = [e for e in events if e["action"] == "experience.approve"]
    assert len(approve) == 1
    event = approve[0]
    assert event["actor_id"] == w.id("coord") and event["target"] == f"experience:{w.entry}"
    assert event["before"]["status"] == "pending" and event["after"]["status"] == "approved"
    assert event["at"].endswith("Z") and datetime.fromisoformat(event["at"][:-1])
    assert {e["target"] for e in events} >= {f"experience:{w.entry}", f"internship:{w.internship}"}
    assert not any(e["target"] == f"experience:{w.entry2}" for e in events)
    # admins see it too; the whole-org log of A holds nothing of B
    assert any(
        e["action"] == "experience.approve" for e in _audit(client, w.tok("admin"), w.id("cand"))
    )
    org_a = _audit(client, w.tok("coord"))
    assert not any(
        e["target"] in (f"experience:{w.entry_b}", f"internship:{w.internship_b}") for e in org_a
    )


def test_audit_of_another_org_is_404_and_for_others_403(w, client):
    hidden = error(
        call(client, "GET", f"/audit?candidate_id={w.id('cand_b')}", w.tok("coord")), 404
    )
    missing = error(call(client, "GET", f"/audit?candidate_id={MISSING_ID}", w.tok("coord")), 404)
    assert same_404(hidden, w.id("cand_b"), missing, MISSING_ID)
    for who in ("cand", "mentor"):
        error(call(client, "GET", f"/audit?candidate_id={w.id('cand')}", w.tok(who)), 403)
        error(call(client, "GET", "/audit", w.tok(who)), 403)
    error(call(client, "GET", "/audit?candidate_id=abc", w.tok("coord")), 400, "candidate_id")


# ---------------------------------------------------------------------------- OpenAPI


def _openapi_path(rule: str) -> str:
    path = rule[len(API) :]
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", path)


def test_openapi_is_valid_and_documents_every_registered_route(app, client):
    from openapi_spec_validator import validate

    r = client.get(API + "/openapi.json")
    document = ok(r)
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": API}]
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (_openapi_path(rule.rule), method) not in documented:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes without OpenAPI documentation: {missing}"


def test_openapi_documents_no_route_that_does_not_exist(app, client):
    document = ok(client.get(API + "/openapi.json"))
    registered = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    ghosts = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if (path, method.upper()) not in registered
    ]
    assert not ghosts, ghosts


def test_openapi_documents_the_contract_error_body(client):
    document = ok(client.get(API + "/openapi.json"))
    schemas = document["components"]["schemas"]
    error_schema = schemas["Error"]
    assert error_schema["required"] == ["error"]
    inner = error_schema["properties"]["error"]
    inner = schemas[inner["$ref"].rsplit("/", 1)[1]] if "$ref" in inner else inner
    assert set(inner["required"]) == {"code", "message"}
