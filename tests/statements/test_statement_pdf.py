"""The statement's content, the renderer's URL fetcher and escaping."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.statements.conftest import client_for, pdf_text
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.statements.models import IssuedStatement


def test_statement_text_carries_name_credential_statuses_and_link(app, people):
    cand = people["cand"]
    c = client_for(app, cand)
    r = c.get(f"/candidates/{cand.id}/statement.pdf?credential=cfp")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    text = pdf_text(r.data)
    assert "Casey O'Neil <b>Bold</b>" in text
    assert "CFP® certification" in text
    assert "Harbour Bank" in text
    for status in ("Met", "In progress", "Not started"):
        assert status in text
    assert "Waiting for approval" in text  # the pending entry did not count
    with app.app_context():
        issued = db.session.scalar(db.select(IssuedStatement))
        assert issued.candidate_id == cand.id and issued.credential == "cfp"
        assert issued.issued_by_id == cand.id
        assert len(issued.data_sha256) == 64 and len(issued.records_sha256) == 64
        event = db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "statement.issue")
        )
        assert event.actor_id == cand.id and event.candidate_id == cand.id
    assert f"http://localhost/verify/{issued.code}" in text.replace("\n", "")
    assert "Page 1 of" in text


def test_pdf_is_tagged_and_fonts_are_embedded(app, people):
    import io

    from pypdf import PdfReader

    c = client_for(app, people["cand"])
    data = c.get(f"/candidates/{people['cand'].id}/statement.pdf?credential=cfp").data
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()


def test_user_text_is_escaped_in_the_html(app, people):
    from tracker.statements.pdf import render_html

    document = {
        "content": _minimal_content("<script>alert(1)</script>"),
        "verification": {
            "code": "c" * 32,
            "url": "http://x/verify/" + "c" * 32,
            "data_sha256": "0" * 64,
            "issued_at": "2026-01-01T10:00:00",
            "issued_by": "<img src=x>",
        },
    }
    with app.app_context():
        html = render_html(document)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x>" not in html


def _minimal_content(name: str) -> dict:
    return {
        "candidate": {"id": 1, "name": name, "email": "a@b.c"},
        "organization": "Org",
        "credential": {
            "id": "cfp",
            "name": "CFP",
            "issuer": "",
            "version": "1",
            "pathway": None,
            "pathway_title": None,
        },
        "as_of": "2026-01-01",
        "status": "in_progress",
        "progress": 0.5,
        "met_on": None,
        "requirements": [],
        "hours": {"rows": [], "totals": {}, "capped_for": None},
        "not_counted": [],
        "waivers": [],
        "approvals": [],
    }


@pytest.fixture()
def fetcher(app):
    from tracker.statements.pdf import make_fetcher, static_root

    with app.app_context():
        yield make_fetcher(static_root()), static_root()


def test_fetcher_serves_static_files_and_data_urls(fetcher):
    fetch, root = fetcher
    css = fetch.fetch((root / "css" / "statement.css").as_uri())
    assert b"@page" in css.read() and css.content_type == "text/css"
    data = fetch.fetch("data:text/plain;base64," + base64.b64encode(b"hi").decode())
    assert data.read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/x",
        "file://remote-host/share/x.css",
        "gopher://x",
    ],
)
def test_fetcher_refuses_everything_else(fetcher, url):
    from tracker.statements.pdf import FetchRefused

    fetch, _root = fetcher
    with pytest.raises(FetchRefused):
        fetch.fetch(url)


def test_fetcher_refuses_escaping_the_static_folder(fetcher):
    from tracker.statements.pdf import FetchRefused

    fetch, root = fetcher
    outside = root.parent / "__init__.py"
    assert outside.is_file()
    with pytest.raises(FetchRefused):
        fetch.fetch(outside.as_uri())
    with pytest.raises(FetchRefused):
        fetch.fetch(root.as_uri() + "/../__init__.py")


def test_renderer_loads_nothing_from_outside(app, tmp_path, monkeypatch):
    """An <img> or stylesheet pointing elsewhere is skipped, never fetched."""
    from tracker.statements import pdf

    calls = []
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="{secret.as_uri()}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><img alt="x" src="https://example.com/a.png"><p>ok</p></body></html>'
    )
    import urllib.request

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda *a, **k: calls.append(a))
    with app.app_context():
        out = pdf.html_to_pdf(html)
    assert out.startswith(b"%PDF") and calls == []
    assert Path(secret).read_text() == "body { color: red }"


def test_weasyprint_is_not_imported_at_startup():
    import subprocess
    import sys

    code = (
        "import sys; from tests.conftest import make_app; make_app(); "
        "print('weasyprint' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert out.stdout.strip().endswith("False")
