"""The cohort ZIP: started by a coordinator, rendered in worker processes, downloaded when done."""

from __future__ import annotations

import csv
import io
import time
import zipfile

from tests.conftest import extract_csrf
from tests.statements.conftest import client_for, pdf_text
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.statements.models import IssuedStatement


def start(c):
    token = extract_csrf(c.get("/statements/cohort").get_data(as_text=True))
    return c.post("/statements/cohort", data={"csrf_token": token})


def wait_done(c, url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = c.get(url).get_data(as_text=True)
        if "data-job-progress" not in page:
            return page
        time.sleep(0.3)
    raise AssertionError("the cohort job did not finish")


def test_coordinator_downloads_the_cohort_zip(app, people, factory):
    from tracker.accounts.models import User
    from tracker.candidates import operations as records
    from tracker.credentials.catalog import current_catalog

    def enrol_peer() -> None:
        peer = db.session.get(User, people["peer"].id)
        records.enrol(peer, peer, current_catalog(), {"credential": "finra-rep"})

    factory.run(enrol_peer)
    c = client_for(app, people["coord"])
    page = c.get("/statements/cohort")
    assert page.status_code == 200 and "Harbour Bank" in page.get_data(as_text=True)
    r = start(c)
    assert r.status_code == 303
    job_url = r.headers["Location"]
    first = c.get(job_url).get_data(as_text=True)
    assert "Cohort statements" in first
    done = wait_done(c, job_url)
    assert "Your statements are ready" in done, done
    zr = c.get(job_url + "/statements.zip")
    assert zr.status_code == 200 and zr.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zr.data))
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert len(pdfs) == 2
    texts = [pdf_text(archive.read(n)) for n in pdfs]
    assert any("Casey O'Neil" in t for t in texts) and any("Pat Peer" in t for t in texts)
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    with app.app_context():
        codes = set(db.session.scalars(db.select(IssuedStatement.code)))
        events = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "statement.issue")
        ).all()
    assert {row["code"] for row in manifest} == codes and len(codes) == 2
    assert all(e.actor_id == people["coord"].id for e in events) and len(events) == 2

    # Only the coordinator who started it sees the job.
    other = client_for(app, people["outsider"])
    assert other.get(job_url).status_code == 404
    assert other.get(job_url + "/statements.zip").status_code == 404


def test_cohort_is_for_coordinators_and_admins(app, people, client):
    assert client.get("/statements/cohort").status_code == 302
    for who in ("cand", "mentor"):
        c = client_for(app, people[who])
        assert c.get("/statements/cohort").status_code == 403
    admin = client_for(app, people["admin"])
    page = admin.get("/statements/cohort").get_data(as_text=True)
    assert "Other Bank" in page and "Harbour Bank" in page
    assert client_for(app, people["coord"]).get("/statements/cohort/" + "x" * 32).status_code == 404
