"""POST /candidates/<id>/what-if: planned records counted as if real; nothing is saved."""

from __future__ import annotations

from tests.conftest import bearer


def _find(nodes, node_id):
    for node in nodes:
        if node["id"] == node_id:
            return node
        found = _find(node.get("children", []), node_id)
        if found:
            return found
    return None


def test_a_planned_exam_meets_the_exam_and_nothing_is_saved(app, client, factory):
    org = factory.org()
    cand = factory.user("candidate", org)
    token = factory.token(cand)
    client.post(f"/api/v1/candidates/{cand.id}/enrolments", json={"credential": "cfp"},
                headers=bearer(token))  # fmt: skip
    before = client.get(f"/api/v1/candidates/{cand.id}/exams", headers=bearer(token))
    plan = {
        "credential": "cfp",
        "planned": {"exams": [{"code": "CFP", "taken_on": "2099-03-01", "passed": True}]},
    }
    answer = client.post(f"/api/v1/candidates/{cand.id}/what-if", json=plan, headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    exam = _find(answer.get_json()["requirements"], "exam")
    assert exam["status"] == "met" and exam["planned"] is True and exam["met_on"] == "2099-03-01"
    after = client.get(f"/api/v1/candidates/{cand.id}/exams", headers=bearer(token))
    assert before.headers["X-Total-Count"] == after.headers["X-Total-Count"] == "0"
    real = client.get(
        f"/api/v1/candidates/{cand.id}/progress?credential=cfp", headers=bearer(token)
    )
    assert _find(real.get_json()["requirements"], "exam")["status"] != "met"


def test_bad_planned_records_are_400_naming_planned(app, client, factory):
    org = factory.org()
    cand = factory.user("candidate", org)
    token = factory.token(cand)
    for plan, field in (
        ({"credential": "cfp", "planned": {"exams": [{"code": "CFP", "taken_on": "soon"}]}},
         "planned"),
        ({"credential": "cfp", "planned": {"pets": []}}, "planned"),
        ({"planned": {}}, "credential"),
    ):  # fmt: skip
        answer = client.post(f"/api/v1/candidates/{cand.id}/what-if", json=plan,
                             headers=bearer(token))  # fmt: skip
        assert answer.status_code == 400, (plan, answer.get_json())
        assert field in answer.get_json()["error"]["message"]
