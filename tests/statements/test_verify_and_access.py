"""The public verify page and who may download which statement (pages and API)."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.statements.conftest import client_for
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.statements.models import IssuedStatement


def issue(app, people, who="cand"):
    c = client_for(app, people[who])
    r = c.get(f"/candidates/{people['cand'].id}/statement.pdf?credential=cfp")
    assert r.status_code == 200, r.status_code
    with app.app_context():
        issued = db.session.scalars(
            db.select(IssuedStatement).order_by(IssuedStatement.id.desc())
        ).first()
        return issued.code


def test_verify_genuine_statement_without_login(app, client, people):
    code = issue(app, people)
    assert len(code) >= 32  # secrets.token_urlsafe(24): 192 random bits
    r = client.get(f"/verify/{code}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "This statement is genuine" in page
    assert "Casey O&#39;Neil &lt;b&gt;Bold&lt;/b&gt;" in page  # escaped, never raw HTML
    assert "CFP® certification" in page and "Standard Pathway" in page
    assert "have not changed" in page
    assert "In progress" in page


def test_verify_says_when_records_changed_since(app, client, people, factory):
    from tracker.candidates import operations as records

    code = issue(app, people)

    def add_course() -> None:
        cand = db.session.get(User, people["cand"].id)
        records.add_record(
            cand,
            cand,
            "attestations",
            {"kind": "ethics", "signed_on": "2024-01-05"},
        )

    factory.run(add_course)
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "records have changed since this statement was issued" in page


def test_other_credential_records_do_not_mark_a_statement_changed(app, client, people, factory):
    """Waivers are per credential: a waiver for another credential changes nothing here."""
    code = issue(app, people)
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "have not changed" in page


@pytest.mark.parametrize("mutate", ["unknown", "altered", "truncated", "long"])
def test_unknown_or_altered_codes_are_404(app, client, people, mutate):
    code = issue(app, people)
    forged = {
        "unknown": "A" * 32,
        "altered": code[:-1] + ("A" if code[-1] != "A" else "B"),
        "truncated": code[:-4],
        "long": code + "x" * 100,
    }[mutate]
    assert client.get(f"/verify/{forged}").status_code == 404


def test_anonymous_is_sent_to_login(client, people):
    r = client.get(f"/candidates/{people['cand'].id}/statement.pdf?credential=cfp")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("cand", 200),
        ("coord", 200),
        ("admin", 200),
        ("outsider", 404),
        ("peer", 404),
        ("mentor", 404),  # not the mentor of any of her internships
    ],
)
def test_who_may_download(app, people, who, status):
    c = client_for(app, people[who])
    r = c.get(f"/candidates/{people['cand'].id}/statement.pdf?credential=cfp")
    assert r.status_code == status
    with app.app_context():
        issued = db.session.scalar(db.select(db.func.count()).select_from(IssuedStatement))
    assert issued == (1 if status == 200 else 0)


def test_bad_credential_arguments(app, people):
    c = client_for(app, people["cand"])
    base = f"/candidates/{people['cand'].id}/statement.pdf"
    assert c.get(base).status_code == 400
    assert c.get(base + "?credential=nope").status_code == 404
    assert (
        c.get(f"/candidates/{people['coord'].id}/statement.pdf?credential=cfp").status_code == 404
    )


def test_api_statement(app, client, people, factory):
    url = f"/api/v1/candidates/{people['cand'].id}/statement.pdf?credential=cfp"
    r = client.get(url)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    r = client.get(url, headers=bearer("not-a-token"))
    assert r.status_code == 401
    r = client.get(url, headers=bearer(factory.token(people["coord"])))
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    r = client.get(url, headers=bearer(factory.token(people["outsider"])))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.get(url.split("?")[0], headers=bearer(factory.token(people["cand"])))
    assert r.status_code == 400 and "credential" in r.get_json()["error"]["message"]
    with app.app_context():
        issued = db.session.scalars(db.select(IssuedStatement)).all()
        assert [i.issued_by_id for i in issued] == [people["coord"].id]
