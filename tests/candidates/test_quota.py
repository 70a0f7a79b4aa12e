"""Each candidate's evidence fits in TRACKER_EVIDENCE_QUOTA_MB (issue 11: no quota before)."""

from __future__ import annotations

import io

import pytest

from tests.conftest import Factory, bearer, make_app
from tracker.config import ConfigError, load_settings
from tracker.extensions import db
from tracker.records.models import EvidenceFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 92  # 100 bytes


def test_uploads_stop_at_the_quota_with_a_message_naming_the_file_field(app):
    own = make_app(EVIDENCE_QUOTA_BYTES=250)
    factory = Factory(own)
    cand = factory.user("candidate", factory.org())
    other = factory.user("candidate", factory.org("Other"))
    client = own.test_client()

    def degree(user):
        body = {"level": "bachelor", "field": "Finance", "institution": "U", "accredited": True}
        answer = client.post(f"/api/v1/candidates/{user.id}/degrees", json=body,
                             headers=bearer(factory.token(user)))  # fmt: skip
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    def upload(user, rid):
        return client.post(f"/api/v1/candidates/{user.id}/degrees/{rid}/evidence",
                           data={"file": (io.BytesIO(PNG), "scan.png")},
                           headers=bearer(factory.token(user)))  # fmt: skip

    rid = degree(cand)
    assert [upload(cand, rid).status_code for _ in range(2)] == [201, 201]
    refused = upload(cand, rid)
    assert refused.status_code == 400
    message = refused.get_json()["error"]["message"]
    assert message.startswith("file:") and "no room" in message
    with own.app_context():
        assert db.session.query(EvidenceFile).filter_by(candidate_id=cand.id).count() == 2
    # The quota is per candidate: another's files do not count.
    assert upload(other, degree(other)).status_code == 201


@pytest.mark.parametrize("raw", ["0", "-5", "lots", "1.5"])
def test_a_bad_quota_setting_names_the_variable(tmp_path, raw):
    with pytest.raises(ConfigError, match="TRACKER_EVIDENCE_QUOTA_MB"):
        load_settings(tmp_path, {"TRACKER_EVIDENCE_QUOTA_MB": raw})


def test_the_default_quota_is_200_mb(tmp_path):
    assert load_settings(tmp_path, {})["EVIDENCE_QUOTA_BYTES"] == 200 * 1024 * 1024
