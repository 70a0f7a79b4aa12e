"""Rules versions in the app: the catalog holds every version; enrolments keep theirs until
a coordinator moves them; the API's progress and PATCH use the enrolment's version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import bearer, make_app
from tracker.config import PROJECT_ROOT


@pytest.fixture()
def two_versions(tmp_path: Path) -> Path:
    """The shipped CFP rules as "2024", and a "2027" that takes effect 2027-01-01 with one
    requirement more (an extra attestation)."""
    directory = tmp_path / "credentials"
    shutil.copytree(PROJECT_ROOT / "seed" / "credentials", directory)
    cfp = yaml.safe_load((directory / "cfp.yaml").read_text())
    newer = {**cfp, "version": "2027", "effective_from": "2025-01-01"}
    newer["requirements"] = [
        *cfp["requirements"],
        {"id": "conduct-2027", "title": "Conduct attestation of 2027",
         "attestation": {"kind": "ethics-2027"}},
    ]  # fmt: skip
    (directory / "cfp-2027.yaml").write_text(yaml.safe_dump(newer, sort_keys=False))
    return directory


def test_enrolments_keep_their_version_until_moved(_schema, two_versions):
    from tests.conftest import Factory, _reset

    app = make_app(CREDENTIALS_DIR=two_versions)
    _reset(app)
    factory = Factory(app)
    org = factory.org()
    cand, coord = factory.user("candidate", org), factory.user("coordinator", org)
    client = app.test_client()
    with app.app_context():
        from tracker.credentials.catalog import current_catalog

        catalog = current_catalog()
        assert catalog.versions_of("cfp") == ["2024", "2027"]
        assert catalog.get("cfp").version == "2027"  # new enrolments get the current one
    # An enrolment made before 2027 took effect: put it on 2024 as the database would hold it.
    ok = client.post(f"/api/v1/candidates/{cand.id}/enrolments", json={"credential": "cfp"},
                     headers=bearer(factory.token(cand)))  # fmt: skip
    assert ok.status_code == 201 and ok.get_json()["version"] == "2027"
    coord_token = factory.token(coord)
    path = f"/api/v1/candidates/{cand.id}/enrolments/cfp"
    moved = client.patch(path, json={"version": "2024"}, headers=bearer(coord_token))
    assert moved.status_code == 200 and moved.get_json()["version"] == "2024"
    progress = client.get(f"/api/v1/candidates/{cand.id}/progress?credential=cfp",
                          headers=bearer(coord_token)).get_json()  # fmt: skip
    assert progress["version"] == "2024"
    assert "conduct-2027" not in [r["id"] for r in progress["requirements"]]
    newer = client.get(f"/api/v1/candidates/{cand.id}/progress?credential=cfp&version=2027",
                       headers=bearer(coord_token)).get_json()  # fmt: skip
    assert "conduct-2027" in [r["id"] for r in newer["requirements"]]
    # Candidates change their pathway, not their rules version.
    refused = client.patch(path, json={"version": "2027"}, headers=bearer(factory.token(cand)))
    assert refused.status_code == 403
    catalogue = client.get("/api/v1/credentials/cfp", headers=bearer(coord_token)).get_json()
    assert catalogue["versions"] == [
        {"version": "2024", "effective_from": None},
        {"version": "2027", "effective_from": "2025-01-01"},
    ]
    unknown = client.patch(path, json={"version": "1999"}, headers=bearer(coord_token))
    assert unknown.status_code == 400 and "version" in unknown.get_json()["error"]["message"]
