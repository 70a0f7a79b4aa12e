from __future__ import annotations

from tests.conftest import PASSWORD, extract_csrf, login
from tracker.accounts.views import LOGIN_FAILED


def test_login_page_renders(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="csrf_token"' in page.data


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout(client, factory):
    org = factory.org()
    user = factory.user("coordinator", org, email="coord@x.com", name="Cora Ord")
    response = login(client, user.email)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and b"Cora Ord" in home.data
    token = extract_csrf(home.get_data(as_text=True))
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(client, factory):
    org = factory.org()
    factory.user("candidate", org, email="cand@x.com")
    wrong = login(client, "cand@x.com", "wrong-password-123")
    unknown = login(client, "nobody@x.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert LOGIN_FAILED.encode() in wrong.data and LOGIN_FAILED.encode() in unknown.data
    strip = lambda r: r.get_data(as_text=True).replace("cand@x.com", "").replace("nobody@x.com", "")  # noqa: E731
    import re

    norm = lambda s: re.sub(r'value="[^"]*"', "", s)  # noqa: E731
    assert norm(strip(wrong)) == norm(strip(unknown))


def test_login_without_csrf_is_refused(client, factory):
    org = factory.org()
    factory.user("candidate", org, email="cand@x.com")
    response = client.post("/login", data={"email": "cand@x.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(client, factory, app):
    from tracker.accounts.models import User
    from tracker.accounts.operations import set_active
    from tracker.extensions import db

    org = factory.org()
    admin = factory.user("admin")
    user = factory.user("candidate", org, email="cand@x.com")
    factory.run(
        lambda: set_active(db.session.get(User, admin.id), db.session.get(User, user.id), False)
    )
    assert login(client, "cand@x.com").status_code == 401


def test_open_redirect_is_refused(client, factory):
    org = factory.org()
    factory.user("candidate", org, email="cand@x.com")
    page = client.get("/login?next=https://evil.example/")
    token = extract_csrf(page.get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "email": "cand@x.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_role_aware_home_pages(client, factory):
    org = factory.org("Harbor")
    people = {
        "candidate": factory.user("candidate", org, name="Cand Idate"),
        "coordinator": factory.user("coordinator", org),
        "mentor": factory.user("mentor", org),
        "admin": factory.user("admin"),
    }
    expected = {
        "candidate": b"Your credentials",
        "coordinator": b"pending approval",
        "mentor": b"Your interns",
        "admin": b"Organizations",
    }
    for role, user in people.items():
        c = client.application.test_client()
        login(c, user.email)
        page = c.get("/")
        assert page.status_code == 200, role
        assert expected[role] in page.data, role
    coord = client.application.test_client()
    login(coord, people["coordinator"].email)
    assert b"Cand Idate" in coord.get("/").data


def test_home_pages_have_a_plain_title(client, factory):
    org = factory.org("Harbor")
    for role in ("candidate", "coordinator", "mentor", "admin"):
        user = factory.user(role, org if role != "admin" else None)
        c = client.application.test_client()
        login(c, user.email)
        html = c.get("/").get_data(as_text=True)
        assert "<title>Home · Tracker</title>" in html, role
