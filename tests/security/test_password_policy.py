"""Weak passwords are refused everywhere a password is set (issue 11, failure 5; ASVS V2.1.7)."""

from __future__ import annotations

import pytest

from tests.conftest import extract_csrf, login
from tracker.accounts import passwords
from tracker.errors import ValidationError

NAMED_IN_THE_ISSUE = ["Password123!", "qwertyuiop12", "Summer2024!!"]


def test_the_common_password_list_has_at_least_10000_entries():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwerty", "dragon"} <= common
    assert not any(entry.startswith("#") for entry in common)


@pytest.mark.parametrize("weak", NAMED_IN_THE_ISSUE)
def test_weak_passwords_of_the_issue_are_refused_with_a_reason(app, weak):
    with app.test_request_context(), pytest.raises(ValidationError) as caught:
        passwords.check_policy(weak)
    assert str(caught.value).startswith("password: ")
    assert "common" in str(caught.value) or "easy to guess" in str(caught.value)


@pytest.mark.parametrize(
    ("weak", "why"),
    [
        ("abcdefghijkl", "common|easy to guess"),  # a sequence
        ("!!Dragon9999", "digits or symbols added"),
        ("P@ssw0rd2024", "digits or symbols added"),
        ("iloveyou1234", "common"),
    ],
)
def test_patterns_and_decorated_common_passwords(app, weak, why):
    with app.test_request_context(), pytest.raises(ValidationError, match=why):
        passwords.check_policy(weak)


def test_a_password_made_of_the_users_own_name_is_weak(app):
    with app.test_request_context():
        passwords.check_policy("margaret-whitfield")
        with pytest.raises(ValidationError, match="easy to guess"):
            passwords.check_policy(
                "margaretwhitfield", user_inputs=("margaret.whitfield@x.test", "Margaret Whitfield")
            )


@pytest.mark.parametrize("good", ["correct-horse-battery-42", "tracker-demo-2026", "vN8#qL2!xR7w"])
def test_strong_passwords_pass(app, good):
    with app.test_request_context():
        passwords.check_policy(good)


def test_polish_message(app):
    with app.test_request_context(headers={"Accept-Language": "pl"}):
        with pytest.raises(ValidationError) as caught:
            passwords.check_policy("Password123!")
    assert "haseł" in str(caught.value)


def test_refused_when_an_admin_creates_a_user(app, factory):
    admin = factory.user("admin", None)
    org = factory.org()
    client = app.test_client()
    login(client, admin.email)
    token = extract_csrf(client.get("/admin/users").get_data(as_text=True))
    page = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "weak@x.test",
            "name": "Weak",
            "role": "candidate",
            "org": str(org.id),
            "password": "Summer2024!!",
        },
    )
    assert page.status_code == 400
    assert "digits or symbols added" in page.get_data(as_text=True)


def test_refused_when_an_admin_resets_a_password(app, factory):
    admin = factory.user("admin", None)
    user = factory.user("candidate", factory.org())
    client = app.test_client()
    login(client, admin.email)
    token = extract_csrf(client.get(f"/admin/users/{user.id}").get_data(as_text=True))
    page = client.post(
        f"/admin/users/{user.id}/password",
        data={"csrf_token": token, "password": "qwertyuiop12", "confirm": "qwertyuiop12"},
    )
    assert page.status_code == 400
    assert "common" in page.get_data(as_text=True)


def test_refused_on_the_command_line(app, runner):
    result = runner.invoke(
        args=[
            "create-user", "--email", "cli@x.test", "--name", "Cli", "--role", "admin",
            "--password", "Password123!",
        ]
    )  # fmt: skip
    assert result.exit_code != 0
    assert "password" in result.output and "common" in result.output
