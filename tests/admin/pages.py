"""Helpers for page tests of the admin, mentoring and audit areas."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import extract_csrf, login


def as_user(client: FlaskClient, user: Any) -> FlaskClient:
    """A fresh client (own cookie jar) logged in as user."""
    c = client.application.test_client()
    assert login(c, user.email).status_code == 302
    return c


def post(client: FlaskClient, page: str, url: str, data: dict[str, Any] | None = None) -> Any:
    """POST like a browser: the CSRF token (and a decision's pinned version, when the page
    carries one) come from the page the form is on."""
    response = client.get(page)
    html = response.get_data(as_text=True)
    token = extract_csrf(html)
    pinned = re.search(r'name="version"[^>]*value="([0-9]+)"', html)
    extra = {"version": pinned.group(1)} if pinned else {}
    return client.post(url, data={**extra, **(data or {}), "csrf_token": token})


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def assert_accessible_basics(html: str) -> None:
    """No duplicate ids, one h1, every table header cell scoped, no inline script or style."""
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1], ids
    assert html.count("<h1") == 1
    assert "<th>" not in html and not re.search(r"<th[\s>](?![^>]*scope=)", html)
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, f"no label for #{field_id}"
