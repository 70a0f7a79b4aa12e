"""Progress results come in the request's language: ?lang=, the user's choice,
Accept-Language, English (app-contract.md, "Language")."""

from __future__ import annotations

from tests.conftest import bearer


def _progress(client, cid, token, query="", headers=None):
    return client.get(
        f"/api/v1/candidates/{cid}/progress?credential=cfp{query}",
        headers={**bearer(token), **(headers or {})},
    )


def test_progress_in_english_polish_and_refused_languages(app, client, factory):
    org = factory.org()
    cand = factory.user("candidate", org)
    token = factory.token(cand)
    client.post(
        f"/api/v1/candidates/{cand.id}/enrolments",
        json={"credential": "cfp"},
        headers=bearer(token),
    )
    english = _progress(client, cand.id, token).get_json()
    assert english["lang"] == "en"
    polish = _progress(client, cand.id, token, "&lang=pl").get_json()
    assert polish["lang"] == "pl"
    assert polish["requirements"][0]["detail"] != english["requirements"][0]["detail"]
    by_header = _progress(client, cand.id, token, headers={"Accept-Language": "pl-PL,pl;q=0.9"})
    assert by_header.get_json()["lang"] == "pl"
    refused = _progress(client, cand.id, token, "&lang=xx")
    assert refused.status_code == 400 and "lang" in refused.get_json()["error"]["message"]
