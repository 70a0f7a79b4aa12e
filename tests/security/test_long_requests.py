"""Over-long URLs and headers get a JSON error on the API, not gunicorn's HTML 414/431
(issue 11, failure 10)."""

from __future__ import annotations

import json

from tests.security.server import gunicorn, request

LONG_QUERY = "/api/v1/credentials?q=" + "a" * 9000
PAGE_QUERY = "/login?q=" + "a" * 9000


def test_the_app_refuses_long_urls_and_headers(app):
    client = app.test_client()
    long_url = client.get(LONG_QUERY)
    assert long_url.status_code == 414
    assert long_url.get_json()["error"]["code"] == "uri_too_long"
    header = client.get("/api/v1/credentials", headers={"X-Probe": "b" * 9000})
    assert header.status_code == 431
    assert "X-Probe" in header.get_json()["error"]["message"]
    many = client.get("/api/v1/credentials", headers={f"X-H{i}": "1" for i in range(120)})
    assert many.status_code == 431
    page = client.get(PAGE_QUERY)
    assert page.status_code == 414 and "text/html" in page.headers["Content-Type"]
    assert client.get("/api/v1/credentials?q=" + "a" * 4000).status_code != 414


def test_under_gunicorn_the_api_answers_in_json(tmp_path):
    with gunicorn(tmp_path) as port:
        for path, headers, status in [
            (LONG_QUERY, {}, 414),
            ("/api/v1/credentials", {"X-Probe": "b" * 9000}, 431),
            ("/api/v1/credentials", {"X-Probe": "b" * 20000}, 431),
        ]:
            got, answer_headers, text = request(port, "GET", path, headers=headers)
            assert got == status, (path[:40], got, text[:200])
            assert answer_headers["Content-Type"].startswith("application/json"), answer_headers
            assert json.loads(text)["error"]["code"] in ("uri_too_long", "header_too_large")
