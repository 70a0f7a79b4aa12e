"""Shared set-up for statement tests: an organization with a candidate who has records."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import login
from tracker.accounts.models import User
from tracker.extensions import db


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def client_for(app: Any, user: Any) -> Any:
    c = app.test_client()
    assert login(c, user.email).status_code == 302
    return c


@pytest.fixture()
def people(factory: Any) -> dict[str, Any]:
    from tracker.approvals import operations as approvals
    from tracker.candidates import operations as records
    from tracker.credentials.catalog import current_catalog

    org, other = factory.org("Harbour Bank"), factory.org("Other Bank")
    people = {
        "cand": factory.user("candidate", org, name="Casey O'Neil <b>Bold</b>"),
        "peer": factory.user("candidate", org, name="Pat Peer"),
        "coord": factory.user("coordinator", org, name="Cora Coord"),
        "mentor": factory.user("mentor", org, name="Max Mentor"),
        "outsider": factory.user("coordinator", other, name="Olly Outsider"),
        "admin": factory.user("admin", name="Ada Admin"),
    }

    def seed() -> None:
        cand = db.session.get(User, people["cand"].id)
        coord = db.session.get(User, people["coord"].id)
        catalog = current_catalog()
        records.enrol(cand, cand, catalog, {"credential": "cfp", "pathway": "standard"})
        records.add_record(
            cand,
            cand,
            "degrees",
            {
                "level": "bachelor",
                "field": "Finance",
                "institution": "State University",
                "accredited": True,
                "conferred_on": "2015-06-01",
            },
            catalog=catalog,
        )
        records.add_record(
            cand,
            cand,
            "exams",
            {"code": "CFP", "taken_on": "2023-03-10", "passed": True},
            catalog=catalog,
        )
        entry = records.add_record(
            cand,
            cand,
            "experience",
            {
                "start": "2022-01-01",
                "end": "2022-12-31",
                "hours": 2000,
                "category": "financial-planning",
                "employer": "Harbour Bank",
            },
            catalog=catalog,
        )
        approvals.approve_experience(coord, entry)
        records.add_record(
            cand,
            cand,
            "experience",
            {
                "start": "2023-01-01",
                "end": "2023-06-30",
                "hours": 900,
                "category": "financial-planning",
                "employer": "Harbour Bank",
            },
            catalog=catalog,
        )

    factory.run(seed)
    return people
