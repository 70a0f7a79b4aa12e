"""Writes on organizations, users and tokens. The actor is a parameter; callers commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tracker.accounts import passwords
from tracker.accounts.links import unusable_password
from tracker.accounts.models import ApiToken, Organization, Role, User
from tracker.accounts.schemas import EmailIn, OrganizationIn
from tracker.audit.operations import record
from tracker.errors import ConflictError, ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.schema import MAX_ID, parse
from tracker.timeutil import utcnow

TOKEN_PREFIX = "trk_"  # noqa: S105 - a public prefix, not a secret

# The roles' titles as pages, mails and statements show them (Role.title, translated).
ROLE_TITLES = {
    Role.CANDIDATE: _l("Candidate"),
    Role.MENTOR: _l("Mentor"),
    Role.COORDINATOR: _l("HR coordinator"),
    Role.ADMIN: _l("Administrator"),
}
# A role inside a sentence ("a mentor must belong to an organization").
ROLE_WORDS = {
    Role.CANDIDATE: _l("candidate"),
    Role.MENTOR: _l("mentor"),
    Role.COORDINATOR: _l("coordinator"),
    Role.ADMIN: _l("administrator"),
}


def role_title(role: Role) -> str:
    """The role's title in the current language ("HR coordinator", "Koordynator HR")."""
    return str(ROLE_TITLES.get(role, role.title))


def _must_belong(role: Role) -> str:
    return _("a %(role)s must belong to an organization", role=ROLE_WORDS[role])


def _clean(value: object, field: str) -> str:
    """A person's or an organization's name, by the schemas' rules (errors name `field`)."""
    try:
        return parse(OrganizationIn, {"name": value}).name
    except ValidationError as exc:
        raise ValidationError(field, exc.errors["name"]) from None


def parse_role(value: object) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError(
            "role", _("unknown role %(value)s; use one of %(allowed)s", value=repr(value),
                      allowed=allowed)
        ) from None  # fmt: skip


def create_organization(actor: User | None, name: object) -> Organization:
    name = _clean(name, "name")
    if db.session.scalar(select(Organization).where(func.lower(Organization.name) == name.lower())):
        raise ValidationError(
            "name", _("an organization named %(name)s already exists", name=repr(name))
        )
    org = Organization(name=name)
    db.session.add(org)
    db.session.flush()
    record(actor, "organization.create", f"organization:{org.id}", after={"name": name})
    return org


def normalize_email(value: object) -> str:
    return parse(EmailIn, {"email": value}).email


def create_user(
    actor: User | None,
    *,
    email: object,
    name: object,
    role: object,
    password: str | None = None,
    organization_id: int | None = None,
    invite_base_url: str | None = None,
) -> User:
    """Without a password the user is invited to set one (a mail after commit)."""
    email = normalize_email(email)
    name = _clean(name, "name")
    role_ = parse_role(role)
    if password:
        passwords.check_policy(password, user_inputs=(email, name))
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationError(
            "email", _("a user with e-mail %(email)s already exists", email=email)
        )
    if organization_id is not None:
        if (
            not 0 < organization_id <= MAX_ID
            or db.session.get(Organization, organization_id) is None
        ):
            raise ValidationError(
                "org", _("organization %(id)s does not exist", id=organization_id)
            )
    elif role_ is not Role.ADMIN:
        raise ValidationError("org", _must_belong(role_))
    user = User(
        email=email,
        name=name,
        role=role_,
        organization_id=organization_id,
        password_hash=passwords.hash_password(password) if password else unusable_password(),
    )
    db.session.add(user)
    db.session.flush()
    record(
        actor,
        "user.create",
        f"user:{user.id}",
        candidate=user if role_ is Role.CANDIDATE else None,
        after={
            "email": email,
            "name": name,
            "role": role_.value,
            "organization_id": organization_id,
            **({} if password else {"invited": True}),
        },
    )
    if not password:
        send_invitation(actor, user, invite_base_url, audited=False)
    return user


def send_invitation(
    actor: User | None, user: User, base_url: str | None = None, *, audited: bool = True
) -> None:
    """Mail a set-your-password link (after commit); audited."""
    from tracker import tasks
    from tracker.accounts.links import invite
    from tracker.accounts.mails import send_account_mail
    from tracker.mail import public_url

    token = invite(actor, user, audited=audited)
    tasks.enqueue(send_account_mail, user.id, "invite", token,
                  base_url or public_url(from_request=False),
                  description="invitation mail")  # fmt: skip


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def request_reset(email: str) -> User | None:
    """The active user with that e-mail (audited), or None; the caller answers the same."""
    try:
        user = user_by_email(normalize_email(email))
    except ValidationError:
        return None
    if user is None or not user.active:
        return None
    record(None, "account.password_reset_request", f"user:{user.id}")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if the e-mail and password match an active account; None otherwise."""
    user = user_by_email(email or "")
    ok = passwords.verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok or not user.active:
        return None
    return user


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(actor: User | None, user: User) -> tuple[ApiToken, str]:
    """Create a token; the clear value is returned once and never stored."""
    if not user.active:
        raise ValidationError("email", _("%(email)s is deactivated", email=user.email))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_hash_token(raw), prefix=raw[:12])
    db.session.add(token)
    db.session.flush()
    record(
        actor,
        "token.create",
        f"token:{token.id}",
        after={"user_id": user.id, "prefix": token.prefix},
    )
    return token, raw


def token_for(raw: str) -> ApiToken | None:
    """The live token with this clear value: not revoked, of an active user; else None."""
    digest = _hash_token(raw)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked or not token.user.active:
        return None
    return token


# "Last used" is for admins deciding which tokens to revoke: to the hour is enough, and it
# keeps API reads from writing on every request.
TOKEN_USE_RESOLUTION = timedelta(hours=1)


def token_use_is_stale(token: ApiToken, now: datetime) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION


def note_token_use(token: ApiToken, now: datetime) -> None:
    token.last_used_at = now
    db.session.flush()


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked:
        raise ConflictError(_("this token is already revoked"))
    token.revoked_at = utcnow()
    record(actor, "token.revoke", f"token:{token.id}", after={"user_id": token.user_id})
    db.session.flush()


def set_password(actor: User, user: User, password: str) -> None:
    passwords.check_policy(password, user_inputs=(user.email, user.name))
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1
    record(actor, "user.password", f"user:{user.id}")
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise ValidationError("active", _("you cannot deactivate your own account"))
    before = user.active
    user.active = active
    if not active:
        user.session_version += 1
    record(
        actor,
        "user.activate" if active else "user.deactivate",
        f"user:{user.id}",
        before={"active": before},
        after={"active": active},
    )
    db.session.flush()


def change_role(actor: User, user: User, role: object) -> None:
    new = parse_role(role)
    if actor.id == user.id:
        raise ValidationError("role", _("you cannot change your own role"))
    if new is not Role.ADMIN and user.organization_id is None:
        raise ValidationError("role", _must_belong(new))
    before = user.role.value
    user.role = new
    user.session_version += 1
    record(
        actor, "user.role", f"user:{user.id}", before={"role": before}, after={"role": new.value}
    )
    db.session.flush()
