"""Creating notices (each once, by the database's unique key) and delivering them by mail.

A notice is written in the transaction of what caused it (a decision, a verification, a
waiver, a new entry, the reminder run), so it exists exactly when that happened; its mail
is a task enqueued on commit, so a slow or failing mail server never blocks the request
and never loses the notice (undelivered mails are retried, and swept by send-reminders).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update

from tracker import mail, tasks
from tracker.accounts.models import Role, User
from tracker.database import rowcount
from tracker.errors import ForbiddenError, ValidationError
from tracker.extensions import db
from tracker.notices import texts
from tracker.notices.models import Notice, NoticeSettings
from tracker.timeutil import today, utcnow

MAX_MAIL_ATTEMPTS = 5
_quiet: ContextVar[bool] = ContextVar("tracker.notices.quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Write history without telling anyone (the demo loader's past decisions)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


# --- settings -----------------------------------------------------------------------------


def settings_for(user: User) -> NoticeSettings:
    row = db.session.get(NoticeSettings, user.id)
    if row is None:
        row = NoticeSettings(user_id=user.id, muted=[])
        db.session.add(row)
        db.session.flush()
    return row


def muted_kinds(user_id: int) -> list[str]:
    row = db.session.get(NoticeSettings, user_id)
    return list(row.muted or []) if row is not None else []


def set_muted(actor: User, kinds: list[str]) -> NoticeSettings:
    """Turn the given notice kinds off (and every other kind on) for the actor."""
    unknown = sorted(set(kinds) - set(texts.KINDS))
    if unknown:
        raise ValidationError("muted", f"unknown notice kind {unknown[0]!r}")
    row = settings_for(actor)
    before = sorted(row.muted or [])
    row.muted = sorted(set(kinds))
    db.session.flush()
    if before != row.muted:
        from tracker.audit.operations import record as audit

        audit(actor, "account.notices", f"user:{actor.id}", before={"muted": before},
              after={"muted": row.muted})  # fmt: skip
    return row


def _calendar_code(user_id: int, salt: str | None) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"calendar:{user_id}:{salt or ''}".encode(), hashlib.sha256)
    return f"{user_id}-{digest.hexdigest()[:32]}"


def calendar_secret(user: User) -> str:
    """The user's calendar secret: derived from the secret key and a salt that renewing
    replaces (so showing it writes nothing, and the old one stops working on renewal)."""
    row = db.session.get(NoticeSettings, user.id)
    return _calendar_code(user.id, row.calendar_secret if row is not None else None)


def renew_calendar_secret(actor: User) -> str:
    """A new secret: the old address stops working at once."""
    row = settings_for(actor)
    row.calendar_secret = secrets.token_urlsafe(24)
    db.session.flush()
    from tracker.audit.operations import record as audit

    audit(actor, "account.calendar_renew", f"user:{actor.id}")
    return calendar_secret(actor)


def user_for_calendar(secret: str) -> User | None:
    head, _sep, _rest = (secret or "").partition("-")
    if not head.isdigit() or len(head) > 12:
        return None
    user = db.session.get(User, int(head))
    if user is None or not user.active or not hmac.compare_digest(calendar_secret(user), secret):
        return None
    return user


# --- creating notices ----------------------------------------------------------------------


def _insert_once(values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on the unique (user, event, day): the new id, or None
    when that notice exists (also when another server inserted it a moment ago)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(Notice)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "event", "day"])
        .returning(Notice.id)
    )
    return db.session.scalar(stmt)


def notify(
    user: User,
    kind: str,
    event: str,
    params: dict[str, Any],
    link: str = "",
    day: date | None = None,
) -> int | None:
    """Tell a user something once (per event and day) unless they turned the kind off;
    the mail goes out after the transaction commits. The new notice's id, or None."""
    if kind not in texts.KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    if _quiet.get() or not user.active or kind in muted_kinds(user.id):
        return None
    notice_id = _insert_once(
        {
            "user_id": user.id,
            "kind": kind,
            "event": event,
            "day": day or today(),
            "params": params,
            "link": link,
            "created_at": utcnow(),
            "mail_attempts": 0,
        }
    )
    if notice_id is not None:
        tasks.enqueue(deliver, notice_id, description=f"mail notice {notice_id}")
    return notice_id


def deciders_of(entry: Any) -> list[User]:
    """Who decides a pending entry: the mentor named on an internship; the coordinators of
    the candidate's organization for employment hours."""
    if entry.source == "internship":
        mentor = db.session.get(User, entry.mentor_id) if entry.mentor_id else None
        return [mentor] if mentor is not None and mentor.id != entry.candidate_id else []
    candidate = entry.candidate
    if candidate.organization_id is None:
        return []
    return list(
        db.session.scalars(
            select(User).where(
                User.role == Role.COORDINATOR,
                User.organization_id == candidate.organization_id,
                User.active.is_(True),
                User.id != candidate.id,
            )
        )
    )


def digest_for(user: User, day: date | None = None) -> int | None:
    """The daily digest of waiting entries: at most one a day (the key is the day)."""
    from tracker.records.queries import pending_count

    count = pending_count(user)
    if count == 0:
        return None
    link = "/mentoring" if user.role is Role.MENTOR else "/approvals"
    return notify(user, "digest", "digest", {"count": count}, link, day)


def entry_waiting(entry: Any) -> None:
    """A new pending entry or internship: its deciders get today's digest, if not yet sent."""
    for user in deciders_of(entry):
        digest_for(user)


def entry_decided(entry: Any) -> None:
    """Every decision (approval, rejection, sign-off, return) reaches the candidate at once."""
    is_internship = entry.source == "internship"
    status = entry.status.value if hasattr(entry.status, "value") else str(entry.status)
    params: dict[str, Any] = {
        "type": "internship" if is_internship else "experience",
        "status": status,
        "hours": entry.hours,
        "start": entry.start.isoformat(),
        "end": entry.end.isoformat(),
    }
    if entry.note:
        params["reason" if status == "rejected" else "comment"] = entry.note
    kind_path = "internships" if is_internship else "experience"
    notify(
        entry.candidate,
        "decision",
        f"decision:{params['type']}:{entry.id}:v{entry.version}",
        params,
        f"/candidates/{entry.candidate_id}/records#{kind_path}",
    )


def record_verified(candidate: User, kind: Any, row: Any) -> None:
    notify(
        candidate,
        "verification",
        f"verified:{kind.name}:{row.id}",
        {"label": str(kind.label), "kind": kind.name, "id": row.id},
        f"/candidates/{candidate.id}/records#{kind.name}",
    )


def waiver_changed(candidate: User, waiver: Any, action: str) -> None:
    notify(
        candidate,
        "waiver",
        f"waiver:{waiver.id}:{action}",
        {
            "action": action,
            "credential": waiver.credential,
            "requirement": waiver.requirement,
            "reason": waiver.revoke_reason if action == "revoked" else waiver.reason,
        },
        f"/candidates/{candidate.id}/progress/{waiver.credential}",
    )


def mark_read(actor: User, notice: Notice) -> Notice:
    if notice.user_id != actor.id:
        raise ForbiddenError("this notice is someone else's")
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return notice


def mark_all_read(actor: User) -> int:
    return rowcount(
        db.session.execute(
            update(Notice)
            .where(Notice.user_id == actor.id, Notice.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )


def unread_count(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None))
        )
        or 0
    )


# --- mail ---------------------------------------------------------------------------------


def render_mail(notice: Notice, user: User) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a notice's mail, in the recipient's language."""
    from tracker.i18n import DEFAULT

    with force_locale(user.language or DEFAULT):
        base = mail.public_url(from_request=False)
        link = base + (notice.link or "/")
        context = {
            "user": user,
            "subject": texts.subject(notice.kind, notice.params or {}),
            "text": texts.text(notice.kind, notice.params or {}),
            "link": link,
            "settings_link": base + "/account",
        }
        # Straight from the environment: page context processors need a request.
        env = current_app.jinja_env
        return (
            str(context["subject"]),
            env.get_template("mail/notice.txt").render(**context),
            env.get_template("mail/notice.html").render(**context),
        )


def deliver(notice_id: int) -> bool:
    """Task: mail one notice unless it was mailed already; retried with back-off, and a
    mail that still fails stays undelivered (send-reminders tries again later)."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.mailed_at is not None:
        return False
    user = db.session.get(User, notice.user_id)
    if user is None or not user.active:
        return False
    if notice.kind == "digest":  # the count when it is sent, not when the first entry came
        from tracker.records.queries import pending_count

        notice.params = {**(notice.params or {}), "count": pending_count(user)}
    subject, text, html = render_mail(notice, user)
    db.session.commit()  # no transaction (on SQLite: no write lock) while talking to SMTP
    attempts, error = mail.send_with_retries(user.email, subject, text, html)
    values: dict[str, Any] = {"mail_attempts": Notice.mail_attempts + attempts}
    if error is None:
        values["mailed_at"] = utcnow()
    else:
        values["mail_error"] = error[:2000]
    db.session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.mailed_at.is_(None)).values(**values)
    )
    return error is None


def undelivered() -> list[int]:
    """Notices whose mail failed so far (and may still be tried)."""
    return list(
        db.session.scalars(
            select(Notice.id).where(
                Notice.mailed_at.is_(None),
                Notice.mail_error.is_not(None),
                Notice.mail_attempts < MAX_MAIL_ATTEMPTS * 3,
            )
        )
    )
