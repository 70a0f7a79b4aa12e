"""Administration workflows through the pages: organizations, users, roles, passwords, tokens."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import func, select

from tests.admin.pages import as_user, assert_accessible_basics, post, text
from tests.conftest import PASSWORD, bearer, login
from tracker.accounts.models import ApiToken, Organization, Role, User
from tracker.audit.models import AuditEvent
from tracker.config import PROJECT_ROOT
from tracker.extensions import db

NEW_PASSWORD = "a-much-better-secret-2026"


def _admin(client, factory):
    admin = factory.user("admin", name="Ada Admin")
    return admin, as_user(client, admin)


def _read(app, fn):
    with app.app_context():
        return fn()


def _events(app, action):
    return _read(
        app,
        lambda: [
            (e.target, e.actor_id)
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ],
    )


def test_admin_creates_an_organization(client, factory, app):
    admin, c = _admin(client, factory)
    response = post(c, "/admin/organizations", "/admin/organizations", {"name": "Northwind"})
    assert response.status_code == 302
    page = c.get(response.headers["Location"])
    assert "Organization Northwind created." in text(page)
    assert re.search(r"Northwind</a></th>\s*<td class=\"num\">0</td>", text(page))
    assert _events(app, "organization.create")[-1][1] == admin.id


def test_duplicate_or_empty_organization_name_is_a_field_error(client, factory, app):
    factory.org("Northwind")
    _admin_user, c = _admin(client, factory)
    response = post(c, "/admin/organizations", "/admin/organizations", {"name": "northwind"})
    assert response.status_code == 400
    html = text(response)
    assert "already exists" in html and 'value="northwind"' in html
    assert 'aria-invalid="true"' in html
    empty = post(c, "/admin/organizations", "/admin/organizations", {"name": "  "})
    assert empty.status_code == 400 and "is required" in text(empty)
    assert _read(app, lambda: db.session.scalar(select(func.count(Organization.id)))) == 1


def test_organization_counts(client, factory):
    org = factory.org("Harbor")
    factory.user("candidate", org)
    factory.user("candidate", org)
    factory.user("mentor", org)
    _admin_user, c = _admin(client, factory)
    html = text(c.get("/admin/organizations"))
    cells = re.search(r"Harbor</a></th>((?:\s*<td class=\"num\">\d+</td>){4})", html)
    assert cells and re.findall(r"\d+", cells.group(1)) == ["3", "2", "1", "0"]


def test_admin_creates_a_user_who_can_log_in(client, factory, app):
    org = factory.org("Harbor")
    _admin_user, c = _admin(client, factory)
    response = post(
        c,
        "/admin/users",
        "/admin/users",
        {
            "email": "New.Person@Harbor.example",
            "name": "New Person",
            "role": "candidate",
            "org": str(org.id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    page = c.get(response.headers["Location"])
    assert page.status_code == 200
    assert "New Person (new.person@harbor.example) can now log in." in text(page)
    assert (
        login(
            client.application.test_client(), "new.person@harbor.example", NEW_PASSWORD
        ).status_code
        == 302
    )
    listing = text(c.get("/admin/users"))
    assert "new.person@harbor.example" in listing and "Harbor" in listing


def test_create_user_errors_keep_what_was_typed(client, factory, app):
    factory.org("Harbor")
    _admin_user, c = _admin(client, factory)
    before = _read(app, lambda: db.session.scalar(select(func.count(User.id))))
    response = post(
        c,
        "/admin/users",
        "/admin/users",
        {
            "email": "kim@harbor.example",
            "name": "Kim Typed",
            "role": "mentor",
            "org": "",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "A mentor must belong to an organization" in html
    assert 'value="kim@harbor.example"' in html and 'value="Kim Typed"' in html
    assert re.search(r'<option selected value="mentor">|<option value="mentor" selected>', html)
    weak = post(
        c,
        "/admin/users",
        "/admin/users",
        {"email": "kim@harbor.example", "name": "Kim", "role": "admin", "password": "short"},
    )
    assert weak.status_code == 400 and "at least 12 characters" in text(weak)
    bad_email = post(
        c,
        "/admin/users",
        "/admin/users",
        {"email": "not-an-email", "name": "Kim", "role": "admin", "password": NEW_PASSWORD},
    )
    assert bad_email.status_code == 400 and "is not an e-mail address" in text(bad_email)
    assert _read(app, lambda: db.session.scalar(select(func.count(User.id)))) == before


def test_users_list_filters_by_organization_and_role(client, factory):
    harbor, north = factory.org("Harbor"), factory.org("Northwind")
    factory.user("candidate", harbor, name="Hana Harbor")
    factory.user("mentor", harbor, name="Milo Harbor")
    factory.user("candidate", north, name="Nia North")
    _admin_user, c = _admin(client, factory)

    def listed(query=""):
        return set(re.findall(r'">([^<]+)</a></th>', text(c.get(f"/admin/users{query}"))))

    assert listed() == {"Hana Harbor", "Milo Harbor", "Nia North", "Ada Admin"}
    assert listed(f"?org={harbor.id}") == {"Hana Harbor", "Milo Harbor"}
    assert listed(f"?org={harbor.id}&role=candidate") == {"Hana Harbor"}
    assert listed("?role=mentor") == {"Milo Harbor"}
    assert listed("?org=bogus&role=bogus") == listed()
    assert 'selected value="candidate"' in text(c.get("/admin/users?role=candidate"))


def test_admin_changes_a_role(client, factory, app):
    org = factory.org("Harbor")
    user = factory.user("candidate", org, name="Cam Role")
    admin, c = _admin(client, factory)
    page = f"/admin/users/{user.id}"
    response = post(c, page, f"{page}/role", {"role": "mentor"})
    assert response.status_code == 302
    assert "Cam Role is now Mentor (was Candidate)." in text(c.get(page))
    assert _read(app, lambda: db.session.get(User, user.id).role) is Role.MENTOR
    assert _events(app, "user.role") == [(f"user:{user.id}", admin.id)]


def test_admin_cannot_change_own_role(client, factory, app):
    admin, c = _admin(client, factory)
    page = f"/admin/users/{admin.id}"
    assert "You cannot change your own role" in text(c.get(page))
    response = post(c, page, f"{page}/role", {"role": "candidate"})
    assert response.status_code == 400
    assert 'role="alert">You cannot change your own role</p>' in text(response)
    assert _read(app, lambda: db.session.get(User, admin.id).role) is Role.ADMIN


def test_unknown_role_is_refused(client, factory, app):
    org = factory.org("Harbor")
    user = factory.user("candidate", org)
    _admin_user, c = _admin(client, factory)
    page = f"/admin/users/{user.id}"
    assert post(c, page, f"{page}/role", {"role": "superuser"}).status_code == 400
    assert _read(app, lambda: db.session.get(User, user.id).role) is Role.CANDIDATE


def test_deactivation_ends_the_users_session_and_reactivation_restores_login(client, factory, app):
    org = factory.org("Harbor")
    user = factory.user("coordinator", org, name="Dee Active")
    user_client = as_user(client, user)
    assert user_client.get("/").status_code == 200
    _admin_user, c = _admin(client, factory)
    page = f"/admin/users/{user.id}"
    response = post(c, page, f"{page}/deactivate")
    assert response.status_code == 302
    html = text(c.get(page))
    assert "Dee Active is deactivated" in html and "Reactivate Dee Active" in html
    after = user_client.get("/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    assert login(client.application.test_client(), user.email).status_code == 401
    assert post(c, page, f"{page}/reactivate").status_code == 302
    assert "is active again" in text(c.get(page))
    assert login(client.application.test_client(), user.email).status_code == 302
    assert [
        a
        for (a,) in _read(
            app,
            lambda: db.session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.target == f"user:{user.id}", AuditEvent.action.like("user.%activate")
                )
            ).all(),
        )
    ] == ["user.deactivate", "user.activate"]


def test_admin_cannot_deactivate_themself(client, factory, app):
    admin, c = _admin(client, factory)
    page = f"/admin/users/{admin.id}"
    response = post(c, page, f"{page}/deactivate")
    assert response.status_code == 400
    assert 'role="alert">You cannot deactivate your own account</p>' in text(response)
    assert _read(app, lambda: db.session.get(User, admin.id).active) is True


def test_admin_resets_a_password(client, factory, app):
    org = factory.org("Harbor")
    user = factory.user("candidate", org)
    user_client = as_user(client, user)
    _admin_user, c = _admin(client, factory)
    page = f"/admin/users/{user.id}"
    weak = post(c, page, f"{page}/password", {"password": "password", "confirm": "password"})
    assert weak.status_code == 400 and "at least 12 characters" in text(weak)
    mismatch = post(
        c, page, f"{page}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    )
    assert mismatch.status_code == 400 and "Does not match the new password." in text(mismatch)
    assert NEW_PASSWORD not in text(mismatch)
    ok = post(c, page, f"{page}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert ok.status_code == 302
    assert "was changed" in text(c.get(page))
    assert user_client.get("/").status_code == 302
    fresh = client.application.test_client()
    assert login(fresh, user.email, PASSWORD).status_code == 401
    assert login(fresh, user.email, NEW_PASSWORD).status_code == 302
    assert len(_events(app, "user.password")) == 1


def test_token_is_shown_once_works_and_is_revoked(client, factory, app):
    org = factory.org("Harbor")
    user = factory.user("coordinator", org)
    _admin_user, c = _admin(client, factory)
    page = f"/admin/users/{user.id}"
    issued = post(c, page, f"{page}/tokens")
    assert issued.status_code == 200
    html = text(issued)
    match = re.search(r'id="new-token"[^>]*value="(trk_[^"]+)"', html)
    assert match, html
    raw = match.group(1)
    assert "shown <strong>only once</strong>" in html
    assert_accessible_basics(html)
    again = text(c.get(page))
    assert raw not in again and raw[:12] in again
    me = client.get("/api/v1/me", headers=bearer(raw))
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    token_id = _read(
        app, lambda: db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    )
    revoked = post(c, page, f"{page}/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert "revoked" in text(c.get(page))
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    twice = post(c, page, f"{page}/tokens/{token_id}/revoke")
    assert twice.status_code == 302
    assert "already revoked" in text(c.get(page))
    assert len(_events(app, "token.revoke")) == 1


def test_token_of_another_user_is_not_found(client, factory, app):
    org = factory.org("Harbor")
    owner = factory.user("coordinator", org)
    other = factory.user("candidate", org)
    raw = factory.token(owner)
    _admin_user, c = _admin(client, factory)
    token_id = _read(
        app, lambda: db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    )
    page = f"/admin/users/{other.id}"
    assert post(c, page, f"{page}/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_no_token_for_a_deactivated_user(client, factory, app):
    org = factory.org("Harbor")
    user = factory.user("candidate", org)
    _admin_user, c = _admin(client, factory)
    page = f"/admin/users/{user.id}"
    post(c, page, f"{page}/deactivate")
    assert "Reactivate the account to issue a token" in text(c.get(page))
    response = post(c, page, f"{page}/tokens")
    assert response.status_code == 400 and "is deactivated" in text(response)
    assert _read(app, lambda: db.session.scalar(select(func.count(ApiToken.id)))) == 0


def test_definitions_page_lists_the_shipped_catalog(client, factory):
    _admin_user, c = _admin(client, factory)
    html = text(c.get("/admin/credentials"))
    shipped = sorted(path.name for path in (PROJECT_ROOT / "seed" / "credentials").glob("*.yaml"))
    assert {"cfp.yaml", "cfa.yaml", "finra-rep.yaml", "cfp-ce.yaml"} <= set(shipped)
    for name in shipped:
        assert name in html
    assert html.count(">OK<") == len(shipped)
    assert 'href="/admin/credentials/cfp"' in html


def test_definitions_page_shows_the_problems_of_a_broken_file(client, factory, app, tmp_path):
    shutil.copy(PROJECT_ROOT / "seed" / "credentials" / "cfa.yaml", tmp_path / "cfa.yaml")
    (tmp_path / "broken.yaml").write_text("id: broken\nname: <b>Broken</b>\nrequirements: 3\n")
    app.config["CREDENTIALS_DIR"] = tmp_path
    _admin_user, c = _admin(client, factory)
    html = text(c.get("/admin/credentials"))
    assert "broken.yaml" in html and "1 with problems" in html
    assert "<b>Broken</b>" not in html
    assert html.count(">OK<") == 1
    assert re.search(r'class="problems"><li>[^<]+</li>', html)
    assert c.get("/admin/credentials/broken").status_code == 404


def test_definition_page_lists_node_ids_and_titles(client, factory, app):
    _admin_user, c = _admin(client, factory)
    response = c.get("/admin/credentials/cfp")
    assert response.status_code == 200
    html = text(response)
    with app.app_context():
        from tracker.credentials.catalog import current_catalog

        titles = current_catalog().get("cfp").node_titles()
    assert titles
    from markupsafe import escape

    for node_id, title in titles.items():
        assert f'<code class="node-id">{escape(node_id)}</code>' in html
        assert str(escape(title)) in html
