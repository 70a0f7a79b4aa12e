"""Registrations (credential-format.md §6.5) as a record kind: API, pages and the engine."""

from __future__ import annotations

from tests.conftest import bearer, login


def test_a_registration_is_recorded_changed_and_reaches_the_engine(app, client, factory):
    org = factory.org()
    cand = factory.user("candidate", org)
    token = factory.token(cand)
    base = f"/api/v1/candidates/{cand.id}/registrations"
    created = client.post(
        base, json={"kind": "finra", "firm": "Acme Securities", "start": "2021-03-01"},
        headers=bearer(token),
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    answer = created.get_json()
    assert (answer["kind"], answer["start"], answer["end"], answer["version"]) == (
        "finra", "2021-03-01", None, 1
    )  # fmt: skip
    ended = client.patch(
        f"{base}/{answer['id']}", json={"end": "2024-06-30"}, headers=bearer(token)
    )
    assert ended.status_code == 200 and ended.get_json()["version"] == 2
    for bad, field in (
        ({"kind": "sec", "start": "2021-03-01"}, "kind"),
        ({"kind": "finra", "start": "2021-03-01", "end": "2020-01-01"}, "end"),
        ({"kind": "finra"}, "start"),
    ):
        refused = client.post(base, json=bad, headers=bearer(token))
        assert refused.status_code == 400 and field in refused.get_json()["error"]["message"]
    listed = client.get(base, headers=bearer(token))
    assert listed.headers["X-Total-Count"] == "1"

    with app.app_context():
        from tracker.records.adapter import for_credential, load_records

        records = for_credential(load_records([cand.id])[cand.id], "finra-rep")
        assert records["registrations"] == [
            {"id": f"r{answer['id']}", "kind": "finra", "start": "2021-03-01", "end": "2024-06-30"}
        ]

    login(client, cand.email)
    page = client.get(f"/candidates/{cand.id}/records").get_data(as_text=True)
    assert "Acme Securities" in page and "Registrations" in page
    assert "<strong>FINRA registration (Form U4 to Form U5)</strong>" in page  # its word
    polish = client.get(f"/candidates/{cand.id}/records?lang=pl").get_data(as_text=True)
    assert "<strong>FINRA registration" not in polish and "Acme Securities" in polish
    form = client.get(f"/candidates/{cand.id}/records/registrations/new")
    assert form.status_code == 200 and "FINRA registration" in form.get_data(as_text=True)
