"""The progress page shows the engine's titles and details in the page's language."""

from __future__ import annotations

from tests.conftest import bearer, login


def test_progress_page_in_polish(app, client, factory):
    org = factory.org()
    cand = factory.user("candidate", org)
    token = factory.token(cand)
    client.post(f"/api/v1/candidates/{cand.id}/enrolments", json={"credential": "cfp"},
                headers=bearer(token))  # fmt: skip
    polish = client.get(
        f"/api/v1/candidates/{cand.id}/progress?credential=cfp&lang=pl", headers=bearer(token)
    ).get_json()
    detail = polish["requirements"][0]["detail"]
    login(client, cand.email)
    page = client.get(f"/candidates/{cand.id}/progress/cfp?lang=pl").get_data(as_text=True)
    english = client.get(f"/candidates/{cand.id}/progress/cfp?lang=en").get_data(as_text=True)
    assert detail in page and detail not in english
