"""Who may open the administration pages (roles × endpoints)."""

from __future__ import annotations

import pytest

from tests.admin.pages import as_user, assert_accessible_basics, text
from tests.conftest import extract_csrf

ROLES = ("candidate", "mentor", "coordinator", "admin")


@pytest.fixture()
def people(factory):
    org = factory.org("Harbor")
    users = {role: factory.user(role, None if role == "admin" else org) for role in ROLES}
    return org, users


def _get_routes(users):
    target = users["candidate"].id
    return [
        "/admin/users",
        f"/admin/users/{target}",
        "/admin/organizations",
        "/admin/credentials",
        "/admin/credentials/cfp",
    ]


def _post_routes(users):
    target = users["candidate"].id
    return [
        "/admin/users",
        f"/admin/users/{target}/role",
        f"/admin/users/{target}/deactivate",
        f"/admin/users/{target}/reactivate",
        f"/admin/users/{target}/password",
        f"/admin/users/{target}/tokens",
        f"/admin/users/{target}/tokens/1/revoke",
        "/admin/organizations",
    ]


def test_anonymous_is_sent_to_login(client, people):
    _org, users = people
    for url in _get_routes(users):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["candidate", "mentor", "coordinator"])
def test_other_roles_get_403_on_every_route(client, people, role):
    _org, users = people
    c = as_user(client, users[role])
    for url in _get_routes(users):
        assert c.get(url).status_code == 403, url
    token = extract_csrf(text(c.get("/")))
    for url in _post_routes(users):
        assert c.post(url, data={"csrf_token": token}).status_code == 403, url


def test_admin_opens_every_page(client, people):
    _org, users = people
    c = as_user(client, users["admin"])
    for url in _get_routes(users):
        response = c.get(url)
        assert response.status_code == 200, url
        assert_accessible_basics(text(response))
    assert c.get(f"/admin/users/{users['admin'].id}").status_code == 200


def test_missing_things_are_404(client, people):
    _org, users = people
    c = as_user(client, users["admin"])
    assert c.get("/admin/users/999999").status_code == 404
    assert c.get("/admin/credentials/no-such-credential").status_code == 404


def test_posts_without_csrf_token_are_refused(client, people):
    _org, users = people
    c = as_user(client, users["admin"])
    response = c.post("/admin/organizations", data={"name": "No Token Inc"})
    assert response.status_code == 400
    assert "No Token Inc" not in text(c.get("/admin/organizations"))


def test_nav_links_for_admin(client, people):
    _org, users = people
    html = text(as_user(client, users["admin"]).get("/admin/users"))
    for href in ('href="/admin/users"', 'href="/admin/organizations"', 'href="/admin/credentials"'):
        assert href in html
    assert 'href="/audit"' in html
