from __future__ import annotations

from tests.conftest import bearer
from tracker.accounts.models import ApiToken, User
from tracker.accounts.operations import revoke_token
from tracker.extensions import db


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


def test_missing_token_is_401_with_contract_body(client):
    _error(client.get("/api/v1/me"), 401, "unauthorized")


def test_wrong_token_is_401(client):
    _error(client.get("/api/v1/me", headers=bearer("trk_not-a-token")), 401, "unauthorized")
    _error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthorized")


def test_revoked_token_is_401(client, factory, app):
    org = factory.org()
    user = factory.user("coordinator", org)
    raw = factory.token(user)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200

    def revoke():
        token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
        revoke_token(db.session.get(User, user.id), token)

    factory.run(revoke)
    _error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorized")


def test_tokens_are_stored_hashed(factory, app):
    user = factory.user("admin")
    raw = factory.token(user)
    with app.app_context():
        stored = db.session.scalar(db.select(ApiToken))
        assert raw not in (stored.token_hash, stored.prefix)
        assert len(stored.token_hash) == 64


def test_me_for_every_role_and_two_orgs(client, factory):
    a, b = factory.org("A"), factory.org("B")
    for role, org in [("candidate", a), ("mentor", b), ("coordinator", a), ("admin", None)]:
        user = factory.user(role, org)
        body = client.get("/api/v1/me", headers=bearer(factory.token(user))).get_json()
        assert body == {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": role,
            "organization_id": org.id if org else None,
        }


def test_unknown_api_route_is_json_404(client, factory):
    user = factory.user("admin")
    _error(client.get("/api/v1/nothing", headers=bearer(factory.token(user))), 404, "not_found")


def test_token_use_is_recorded_to_the_hour(client, factory, app):
    from datetime import timedelta

    user = factory.user("admin")
    raw = factory.token(user)

    def last_used():
        with app.app_context():
            return db.session.scalar(db.select(ApiToken)).last_used_at

    assert last_used() is None
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert last_used() == first  # within the hour: no write

    def age():
        token = db.session.scalar(db.select(ApiToken))
        token.last_used_at = first - timedelta(hours=2)

    factory.run(age)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert last_used() > first - timedelta(hours=2)
