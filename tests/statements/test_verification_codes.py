"""Statement codes: Crockford base32, read case-insensitively; old codes keep working;
/verify has a form and a clear "not issued by this installation" answer; statements name
who issued them and whether the candidate issued them to themselves (issue 11)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import extract_csrf
from tests.statements.conftest import client_for
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.statements.models import IssuedStatement
from tracker.statements.operations import CODE_ALPHABET, new_code


def test_new_codes_use_crockford_base32():
    assert set(CODE_ALPHABET).isdisjoint("ILOU")
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 32 and set(code) <= set(CODE_ALPHABET)


def _issue_as(app, actor, candidate):
    client = client_for(app, actor)
    response = client.get(f"/candidates/{candidate.id}/statement.pdf?credential=cfp")
    assert response.status_code == 200
    with app.app_context():
        row = db.session.scalars(
            db.select(IssuedStatement).order_by(IssuedStatement.id.desc())
        ).first()
        return row.code


def _typed(code: str) -> str:
    """As a person might type it: lower case, in groups, O for 0 and l for 1."""
    lowered = code.lower().replace("0", "o").replace("1", "l")
    return " ".join(lowered[i : i + 4] for i in range(0, len(lowered), 4))


def test_codes_are_read_case_insensitively_and_with_look_alikes(app, people):
    code = _issue_as(app, people["cand"], people["cand"])
    client = app.test_client()
    page = client.get(f"/verify/{code.lower()}")
    assert page.status_code == 301 and page.headers["Location"].endswith(f"/verify/{code}")
    json = client.get(f"/verify/{code.lower()}", headers={"Accept": "application/json"})
    assert json.status_code == 200 and json.get_json()["genuine"] is True
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in form.get_data(as_text=True)
    token = extract_csrf(form.get_data(as_text=True))
    posted = client.post("/verify", data={"csrf_token": token, "code": _typed(code)})
    assert posted.status_code == 303 and posted.headers["Location"].endswith(f"/verify/{code}")
    assert "This statement is genuine" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_old_codes_keep_working(app, people):
    code = _issue_as(app, people["cand"], people["cand"])
    old = "Ab3_-xYz" * 4  # secrets.token_urlsafe(24), the earlier format (case matters)

    def rename() -> None:
        row = db.session.scalar(db.select(IssuedStatement).where(IssuedStatement.code == code))
        row.code = old
        db.session.commit()

    with app.app_context():
        rename()
    client = app.test_client()
    assert client.get(f"/verify/{old}").status_code == 200
    assert client.get(f"/verify/{old.lower()}").status_code == 404


def test_an_unknown_code_is_not_issued_by_this_installation(app, people):
    client = app.test_client()
    page = client.get("/verify/" + "Z" * 32)
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "Not issued by this installation" in text and 'name="code"' in text
    token = extract_csrf(client.get("/verify").get_data(as_text=True))
    posted = client.post("/verify", data={"csrf_token": token, "code": "NOT-A-REAL-CODE"})
    assert posted.status_code == 404
    assert "Not issued by this installation" in posted.get_data(as_text=True)
    empty = client.post("/verify", data={"csrf_token": token, "code": ""})
    assert empty.status_code == 400 and "Type the code" in empty.get_data(as_text=True)
    json = client.get("/verify/" + "Z" * 32, headers={"Accept": "application/json"})
    assert json.status_code == 404 and json.get_json() == {"genuine": False}


@pytest.mark.parametrize(("issuer", "self_issued"), [("cand", True), ("coord", False)])
def test_statements_name_the_issuer_and_self_issue(app, people, issuer, self_issued):
    code = _issue_as(app, people[issuer], people["cand"])
    client = app.test_client()
    answer = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert answer["self_issued"] is self_issued
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    if self_issued:
        assert "the candidate, to themselves" in answer["issued_by"]
        assert "issued this statement to themselves" in page
    else:
        assert answer["issued_by"] == "Cora Coord (HR coordinator)"
        assert "issued this statement to themselves" not in page
    assert re.search(r"Certificate SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}", page)
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "statement.issue")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.actor_id == people[issuer].id
        assert event.after["self_issued"] is self_issued
        assert event.after["code_prefix"] == code[:6]
