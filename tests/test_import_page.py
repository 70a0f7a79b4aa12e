"""The import page: preview, every bad row listed, confirm writes; coordinators only for
their organization, and only admins import as approved."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.conftest import extract_csrf, login
from tracker.extensions import db
from tracker.records.models import ExperienceEntry

GOOD = (
    "email;start;end;hours;category;supervised\n"
    "ivy@page.test;2025-01-06;2025-01-10;37,5;financial-planning;false\n"
    "ivy@page.test;2025-01-13;2025-01-17;40;financial-planning;false\n"
)


def _entries(app):
    with app.app_context():
        return db.session.scalar(select(func.count(ExperienceEntry.id)))


def test_preview_then_confirm(app, factory):
    org = factory.org("Page Org")
    factory.user("candidate", org, email="ivy@page.test")
    factory.user("coordinator", org, email="coord@page.test")
    client = app.test_client()
    login(client, "coord@page.test")
    page = client.get("/import")
    assert page.status_code == 200
    token = extract_csrf(page.get_data(as_text=True))
    preview = client.post("/import", data={"csrf_token": token, "kind": "experience",
                          "org": str(org.id), "file": (io.BytesIO(GOOD.encode()), "h.csv")},
                          content_type="multipart/form-data")  # fmt: skip
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 rows are good" in html and "37.5" in html
    assert _entries(app) == 0  # a preview writes nothing
    confirm = client.post("/import", data={"csrf_token": token, "kind": "experience",
                          "org": str(org.id), "confirm": "1", "csv_text": GOOD})  # fmt: skip
    assert confirm.status_code == 302
    assert _entries(app) == 2


def test_bad_rows_are_listed_and_approval_is_for_admins(app, factory):
    org = factory.org("Page Org")
    factory.user("candidate", org, email="ivy@page.test")
    factory.user("coordinator", org, email="coord@page.test")
    client = app.test_client()
    login(client, "coord@page.test")
    token = extract_csrf(client.get("/import").get_data(as_text=True))
    bad = GOOD + "ivy@page.test;2025-02-03;2025-02-01;10;financial-planning;false\n"
    answer = client.post("/import", data={"csrf_token": token, "kind": "experience",
                         "org": str(org.id), "file": (io.BytesIO(bad.encode()), "h.csv")},
                         content_type="multipart/form-data")  # fmt: skip
    assert answer.status_code == 400
    assert "line 4: end: must be on or after start" in answer.get_data(as_text=True)
    approved = client.post("/import", data={"csrf_token": token, "kind": "experience",
                           "org": str(org.id), "approved_by": "coord@page.test",
                           "file": (io.BytesIO(GOOD.encode()), "h.csv")},
                           content_type="multipart/form-data")  # fmt: skip
    assert approved.status_code == 403
    assert _entries(app) == 0
