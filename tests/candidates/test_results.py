"""Results kept in the database: refreshed by a task on every change, read in SQL, never stale."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select, update

from tests.conftest import login
from tracker.accounts.models import User
from tracker.candidates import operations as records
from tracker.candidates.cohort import refresh_results
from tracker.credentials.catalog import current_catalog
from tracker.credentials.models import EnrolmentResult
from tracker.database import writing
from tracker.extensions import db

DEGREE = {
    "level": "bachelor",
    "field": "Finance",
    "institution": "State University",
    "accredited": True,
    "conferred_on": "2015-06-01",
}


@pytest.fixture()
def cohort(app, factory):
    org = factory.org("Results Bank")
    coordinator = factory.user("coordinator", org, email="coord@results.example")
    people = [factory.user("candidate", org, name=name) for name in ("Bea", "Al", "Cy")]

    def enrol() -> None:
        for person in people:
            me = db.session.get(User, person.id)
            records.enrol(me, me, current_catalog(), {"credential": "cfp"})

    factory.run(enrol)
    return {"coordinator": coordinator, "people": people, "token": factory.token(coordinator)}


def stored(app) -> list[EnrolmentResult]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(EnrolmentResult).order_by(EnrolmentResult.candidate_id))
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_change_to_records_refreshes_the_stored_result(app, cohort, factory):
    rows = stored(app)
    assert len(rows) == 3 and {r.credential for r in rows} == {"cfp"}
    bea = cohort["people"][0]
    before = next(r for r in rows if r.candidate_id == bea.id)

    def add_degree() -> None:
        me = db.session.get(User, bea.id)
        records.add_record(me, me, "degrees", DEGREE)

    factory.run(add_degree)
    after = next(r for r in stored(app) if r.candidate_id == bea.id)
    with app.app_context():
        version = db.session.get(User, bea.id).records_version
    assert after.records_version == version != before.records_version
    with app.app_context():
        assert after.rules_version == current_catalog().fingerprint
    assert after.result is not None and after.status == after.result["status"]


def test_refreshing_twice_keeps_one_row_per_enrolment(app, cohort):
    ids = [p.id for p in cohort["people"]]
    for _ in range(2):
        with app.app_context(), writing():
            assert refresh_results(ids) == 3
            db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EnrolmentResult)) == 3


def _api(app, cohort, query=""):
    client = app.test_client()
    return client.get(
        f"/api/v1/cohort{query}", headers={"Authorization": f"Bearer {cohort['token']}"}
    )


def test_the_cohort_api_pages_and_sorts_in_sql(app, cohort):
    r = _api(app, cohort, "?limit=2")
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "3"
    assert [row["name"] for row in r.json] == ["Al", "Bea"]
    assert 'rel="next"' in r.headers["Link"]
    nxt = r.headers["Link"].split(";")[0].strip("<>").split("/api/v1/cohort")[1]
    r2 = _api(app, cohort, nxt)
    assert [row["name"] for row in r2.json] == ["Cy"] and "Link" not in r2.headers
    assert _api(app, cohort, "?credential=cfa").json == []


def test_a_stale_row_is_recomputed_never_shown_as_current(app, cohort):
    """A row whose records version is not the candidate's: its stored status is not shown."""
    with app.app_context(), writing():
        db.session.execute(
            update(EnrolmentResult).values(status="met", progress=1.0, records_version=-1)
        )
        db.session.commit()
    rows = _api(app, cohort).json
    assert all(row["status"] != "met" and row["progress"] < 1 for row in rows), rows
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                app.test_client()
                .get(
                    "/api/v1/cohort",
                    headers={"Authorization": f"Bearer {cohort['token']}", "Accept": "text/csv"},
                )
                .get_data(as_text=True)
            )
        )
    )
    assert len(csv_rows) == 3 and all(row["status"] != "met" for row in csv_rows)
    client = app.test_client()
    assert login(client, cohort["coordinator"].email).status_code == 302
    page = client.get("/cohort").get_data(as_text=True)
    assert "Al" in page and "Met" not in page
    home = client.get("/").get_data(as_text=True)
    assert "enrolments being recomputed" in home
