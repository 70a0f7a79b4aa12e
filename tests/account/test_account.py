"""Self-service: forgot password (one-time, one hour, same answer, throttled), change
password (current one required, other sessions end), invitations; all audited."""

from __future__ import annotations

import re
import time

from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from tests.conftest import PASSWORD, extract_csrf, login, make_app
from tests.notices.conftest import read_outbox
from tracker.audit.models import AuditEvent
from tracker.extensions import db

NEW = "violet-harbour-lantern-93"


def _actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _link(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(?::5000)?(/password/reset/\S+)", text).group(1)


def _forgot(client, email):
    page = client.get("/password/forgot").get_data(as_text=True)
    return client.post("/password/forgot", data={"email": email, "csrf_token": extract_csrf(page)})


def _set(client, path, password=NEW, confirm=None):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"new_password": password, "confirm_password": confirm or password,
                                   "csrf_token": extract_csrf(page.get_data(as_text=True))})  # fmt: skip


def test_login_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_forgot_password_same_answer_one_time_link(app, client, factory, outbox):
    org = factory.org("Reset Org")
    factory.user("candidate", org, email="r@reset.test", name="Rita Reset")
    known = _forgot(client, "r@reset.test")
    unknown = _forgot(client, "nobody@reset.test")
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731 (CSRF tokens differ)
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    mails = read_outbox(outbox)
    assert [m["To"] for m in mails] == ["r@reset.test"]
    assert mails[0].get_body(("html",)) is not None
    path = _link(mails[0])
    weak = _set(client, path, "password1234", "password1234")
    assert weak.status_code == 400 and "common password" in weak.get_data(as_text=True)
    assert _set(client, path).status_code == 302
    assert client.get(path).status_code == 404  # works once
    assert login(client, "r@reset.test", NEW).status_code == 302
    assert "account.password_reset_request" in _actions(app)
    assert "account.password_reset" in _actions(app)


def test_a_reset_link_lasts_one_hour(app, client, factory, monkeypatch):
    org = factory.org("Old Link Org")
    user = factory.user("candidate", org, email="old@reset.test")
    from tracker.accounts.links import link_token

    real = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(real) - 3601)

    def make():
        from tracker.accounts.models import User

        return link_token(db.session.get(User, user.id), "reset")

    with app.app_context():
        old = make()
    monkeypatch.undo()
    assert client.get(f"/password/reset/{old}").status_code == 404
    with app.app_context():
        fresh = make()
    assert client.get(f"/password/reset/{fresh}").status_code == 200


def test_forgot_password_is_throttled(factory, outbox):
    throttled = make_app(RATELIMIT_ENABLED=True, MAIL_OUTBOX=outbox)
    client = throttled.test_client()
    codes = [_forgot(client, "someone@throttle.test").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, factory):
    org = factory.org("Change Org")
    factory.user("candidate", org, email="c@change.test")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "c@change.test")
    login(elsewhere, "c@change.test")
    token = extract_csrf(here.get("/account").get_data(as_text=True))
    wrong = here.post("/account/password", data={"csrf_token": token, "current_password": "nope",
                      "new_password": NEW, "confirm_password": NEW})  # fmt: skip
    assert wrong.status_code == 400
    assert "Current password is not your current password" in wrong.get_data(as_text=True)
    ok = here.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                   "new_password": NEW, "confirm_password": NEW})  # fmt: skip
    assert ok.status_code == 302
    assert here.get("/account").status_code == 200  # this session goes on
    assert "/login" in elsewhere.get("/account").headers["Location"]  # the other one ended
    assert "account.password_change" in _actions(app)


def test_users_created_without_a_password_are_invited(app, runner, factory, outbox, client):
    org = factory.org("Invite Org")
    result = runner.invoke(args=["create-user", "--email", "new@invite.test", "--name", "Nia New",
                                 "--role", "candidate", "--org", str(org.id)])  # fmt: skip
    assert result.exit_code == 0, result.output
    mails = [m for m in read_outbox(outbox) if m["To"] == "new@invite.test"]
    assert len(mails) == 1 and "invited" in mails[0]["Subject"]
    assert login(client, "new@invite.test", "").status_code != 302
    path = _link(mails[0])
    assert "Welcome, Nia New" in client.get(path).get_data(as_text=True)
    assert _set(client, path).status_code == 302
    assert login(client, "new@invite.test", NEW).status_code == 302
    # An admin can send another one.
    factory.user("admin", None, email="boss@invite.test")
    admin = app.test_client()
    login(admin, "boss@invite.test")
    with app.app_context():
        from tracker.accounts.models import User

        uid = db.session.scalar(select(User.id).where(User.email == "new@invite.test"))
    page = admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    again = admin.post(f"/admin/users/{uid}/invitation", data={"csrf_token": extract_csrf(page)})
    assert again.status_code == 302
    assert len([m for m in read_outbox(outbox) if m["To"] == "new@invite.test"]) == 2
    assert _actions(app).count("account.invitation") == 1  # the first is in user.create
