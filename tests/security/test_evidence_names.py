"""A file downloads with the extension of what it really is (issue 11, failure 9; ASVS V12.5.2)."""

from __future__ import annotations

import io

import pytest

from tests.conftest import bearer
from tests.world import build_world
from tracker.candidates.evidence import download_name

PDF = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"


@pytest.fixture()
def world(app, factory):
    return build_world(app, factory)


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("poly.html", "application/pdf", "poly.pdf"),
        ("scan", "image/png", "scan.png"),
        ("photo.JPEG", "image/jpeg", "photo.JPEG"),
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("report.pdf", "application/pdf", "report.pdf"),
        (".htaccess", "application/pdf", ".htaccess.pdf"),
        ("image.svg", "image/png", "image.png"),
    ],
)
def test_download_name(name, content_type, expected):
    assert download_name(name, content_type) == expected


def test_a_pdf_uploaded_as_poly_html_downloads_as_pdf(app, factory, world):
    token = factory.token(world.users["candidate"])
    cid, rid = world.users["candidate"].id, world.ids["experience"]
    client = app.test_client()
    up = client.post(
        f"/api/v1/candidates/{cid}/experience/{rid}/evidence",
        headers=bearer(token),
        data={"file": (io.BytesIO(PDF), "poly.html")},
        content_type="multipart/form-data",
    )
    assert up.status_code == 201, up.get_data(as_text=True)
    assert up.get_json()["filename"] == "poly.pdf"
    for url in (f"/api/v1/evidence/{up.get_json()['id']}",):
        got = client.get(url, headers=bearer(token))
        assert got.status_code == 200
        disposition = got.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "poly.pdf" in disposition
        assert ".html" not in disposition
        assert got.headers["Content-Type"] == "application/pdf"
