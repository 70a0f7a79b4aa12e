"""Definitions published from the browser (issue 15): upload → problems or preview → publish;
withdraw. Enrolled candidates keep their version when a new one is published."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import Factory, extract_csrf, login, make_app
from tracker.extensions import db

SEED = Path(__file__).parents[2] / "seed" / "credentials"


@pytest.fixture()
def env(app, tmp_path):
    """An app of its own credentials directory (on the test database `app` emptied)."""
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    shutil.copy(SEED / "cfp.yaml", credentials / "cfp.yaml")
    own = make_app(CREDENTIALS_DIR=str(credentials), STORAGE_DIR=str(tmp_path / "storage"))
    return own, credentials, Factory(own)


def _people(app, factory):
    org = factory.org()
    admin = factory.user("admin", org)
    cand = factory.user("candidate", org)
    coord = factory.user("coordinator", org)
    return admin, cand, coord


def _enrolled_people(app, factory):
    """_people, the candidate enrolled in CFP by the coordinator (committed)."""
    from tracker.accounts.models import User
    from tracker.candidates.operations import enrol
    from tracker.credentials.catalog import current_catalog

    admin, cand, coord = _people(app, factory)
    enrol(db.session.get(User, coord.id), db.session.get(User, cand.id), current_catalog(),
          {"credential": "cfp"})  # fmt: skip
    db.session.commit()
    return admin, cand, coord


def _next_version(text: str, version: str = "2027", effective: str | None = "2027-01-01") -> str:
    text = re.sub(r"(?m)^version:.*$", f"version: '{version}'", text, count=1)
    if effective:
        text = re.sub(r"(?m)^effective_from:.*\n", "", text)
        text = text.replace(
            f"version: '{version}'", f"version: '{version}'\neffective_from: {effective}", 1
        )
    return text


def _post(client, url, page, data=None, files=None):
    token = extract_csrf(client.get(page).get_data(as_text=True))
    payload = {"csrf_token": token, **(data or {})}
    if files:
        payload.update(files)
    return client.post(url, data=payload, content_type="multipart/form-data" if files else None)


def _upload(client, text: str, name: str = "cfp-2027.yaml"):
    return _post(client, "/admin/credentials/upload", "/admin/credentials/upload",
                 files={"file": (io.BytesIO(text.encode()), name)})  # fmt: skip


def test_a_broken_file_shows_its_problems_and_cannot_be_published(env):
    app, credentials, factory = env
    with app.app_context():
        admin, _cand, _coord = _people(app, factory)
    client = app.test_client()
    login(client, admin.email)
    answer = _upload(client, "id: cfp\nversion: '2027'\nrequirements: 7\n")
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot be published" in text
    assert "cfp-2027.yaml" in text and "Publish</button>" not in text
    same = _upload(client, (credentials / "cfp.yaml").read_text(encoding="utf-8"))
    text = client.get(same.headers["Location"]).get_data(as_text=True)
    assert "already published" in text  # the same id@version twice
    assert sorted(p.name for p in credentials.glob("*.yaml")) == ["cfp.yaml"]
    not_yaml = _upload(client, "hello", name="notes.txt")
    assert not_yaml.status_code == 400 and "YAML" in not_yaml.get_data(as_text=True)


def test_preview_then_publish_keeps_enrolled_candidates_on_their_version(env):
    app, credentials, factory = env
    with app.app_context():
        admin, cand, _coord = _enrolled_people(app, factory)
    client = app.test_client()
    login(client, admin.email)
    new = _next_version((credentials / "cfp.yaml").read_text(encoding="utf-8"))
    staged_url = _upload(client, new).headers["Location"]
    token = staged_url.rsplit("/", 1)[1]
    started = _post(client, f"/admin/credentials/staged/{token}/preview", staged_url)
    assert started.status_code == 303 and "job=" in started.headers["Location"]
    preview = client.get(started.headers["Location"]).get_data(as_text=True)  # tasks run eagerly
    assert "1 enrolment" in preview and cand.name in preview
    published = _post(client, f"/admin/credentials/staged/{token}/publish", staged_url)
    assert published.status_code == 303
    assert (credentials / "cfp@2027.yaml").is_file()
    with app.app_context():
        from tracker.audit.models import AuditEvent
        from tracker.credentials.catalog import current_catalog
        from tracker.records.models import Enrolment

        assert current_catalog().versions_of("cfp") == ["2024", "2027"]
        assert db.session.query(Enrolment).filter_by(candidate_id=cand.id).one().version == "2024"
        actions = {e.action for e in db.session.query(AuditEvent)}
        assert {"definition.upload", "definition.publish"} <= actions
        # The stored cohort results were refreshed under the new catalog (a task).
        from tracker.credentials.models import EnrolmentResult

        row = db.session.query(EnrolmentResult).filter_by(candidate_id=cand.id).one()
        assert row.rules_version == current_catalog().fingerprint and row.rules_version


def test_a_withdrawn_version_stays_with_its_enrolments_and_is_offered_to_nobody(env):
    app, credentials, factory = env
    (credentials / "cfp@2020.yaml").write_text(
        _next_version((credentials / "cfp.yaml").read_text(encoding="utf-8"), "2020", "2020-01-01"),
        encoding="utf-8",
    )
    (credentials / "cfp.yaml").write_text(
        _next_version((credentials / "cfp.yaml").read_text(encoding="utf-8"), "2024", "2024-01-01"),
        encoding="utf-8",
    )
    with app.app_context():
        admin, cand, coord = _people(app, factory)
        from tracker.accounts.models import User
        from tracker.candidates.operations import enrol
        from tracker.credentials.catalog import current_catalog

        assert current_catalog().get("cfp").version == "2024"
        enrolment = enrol(db.session.get(User, coord.id), db.session.get(User, cand.id),
                          current_catalog(), {"credential": "cfp"})  # fmt: skip
        enrolment.version = "2020"  # enrolled before 2024
        db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    done = _post(client, "/admin/credentials/cfp/2024/withdraw", "/admin/credentials")
    assert done.status_code == 303
    assert (credentials / "withdrawn" / "cfp.yaml").is_file()
    with app.app_context():
        from tracker.credentials.catalog import current_catalog

        catalog = current_catalog()
        assert catalog.get("cfp").version == "2020"  # current again: the newest not withdrawn
        assert catalog.get("cfp", "2024") is not None and ("cfp", "2024") in catalog.withdrawn
    again = _post(client, "/admin/credentials/cfp/2024/withdraw", "/admin/credentials")
    assert again.status_code == 303
    assert "already withdrawn" in client.get("/admin/credentials").get_data(as_text=True)


@pytest.mark.parametrize("role", ["candidate", "mentor", "coordinator"])
def test_only_admins_publish(env, role):
    app, _credentials, factory = env
    with app.app_context():
        user = factory.user(role, factory.org())
    client = app.test_client()
    login(client, user.email)
    assert client.get("/admin/credentials/upload").status_code == 403


def test_the_rules_version_is_the_content_not_the_file_times_or_place(tmp_path):
    """Hosts sharing the definitions (or a copy of them) agree on which results are current."""
    import os

    from tracker.credentials.catalog import load_catalog

    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        shutil.copy(SEED / "cfa.yaml", folder / "cfa.yaml")
    os.utime(two / "cfa.yaml", (0, 0))
    assert load_catalog(one).fingerprint == load_catalog(two).fingerprint
    (two / "cfa.yaml").write_text((two / "cfa.yaml").read_text() + "\n# changed\n")
    assert load_catalog(one).fingerprint != load_catalog(two).fingerprint


def test_the_preview_reads_current_results_from_the_table_and_evaluates_stale_ones(env):
    """ "Now" comes from the results table where its row is current (what the cohort shows);
    a row computed from older records is not used: that enrolment is evaluated again."""
    app, credentials, factory = env
    with app.app_context():
        admin, cand, _coord = _enrolled_people(app, factory)
        from tracker.accounts.models import User
        from tracker.credentials.models import EnrolmentResult

        row = db.session.query(EnrolmentResult).filter_by(candidate_id=cand.id).one()
        evaluated = row.result["status"]
        assert evaluated != "expired"
        row.result = {**row.result, "status": "expired"}  # a marker only the table holds
        db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    staged_url = _upload(client, _next_version((credentials / "cfp.yaml").read_text())).headers[
        "Location"
    ]
    token = staged_url.rsplit("/", 1)[1]

    def preview_now() -> str:
        started = _post(client, f"/admin/credentials/staged/{token}/preview", staged_url)
        job_id = started.headers["Location"].rsplit("job=", 1)[1]
        with app.app_context():
            from tracker.credentials.publishing import preview_of
            from tracker.tasks.models import Job

            (only,) = preview_of(db.session.get(Job, job_id))["rows"]
            return only["now"]["status"]

    assert preview_now() == "expired"
    with app.app_context():
        person = db.session.get(User, cand.id)
        person.records_version += 1  # as a change of records does: the row is stale now
        db.session.commit()
    assert preview_now() == evaluated
