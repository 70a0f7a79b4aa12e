"""Writes on a candidate's records. Each validates first, takes the actor, audits, flushes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from tracker.accounts import policies
from tracker.accounts.models import Role, User
from tracker.audit.operations import record as audit
from tracker.candidates.labels import entry_state
from tracker.credentials.catalog import Catalog, current_catalog
from tracker.database import rowcount
from tracker.errors import ConflictError, DuplicateError, ForbiddenError, ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.notices import operations as notices
from tracker.records.kinds import KINDS, RecordKind
from tracker.records.models import (
    Enrolment,
    EntryStatus,
    EvidenceFile,
    HeldCredential,
    HoursEntry,
    Waiver,
)
from tracker.records.schemas import (
    EnrolmentIn,
    EnrolmentPatch,
    HeldCredentialIn,
    InternshipIn,
    RevokeIn,
    WaiverIn,
)
from tracker.schema import Context, Schema, parse, patch
from tracker.timeutil import today


def context(catalog: Catalog | None = None) -> Context:
    """What record input is checked against: the loaded definitions' vocabulary, today."""
    return Context((catalog or current_catalog()).vocabulary_of(), today())


def _require_editor(actor: User, candidate: User, kind: RecordKind) -> None:
    if kind.name == "internships":
        if not policies.can_create_internship(actor, candidate):
            raise ForbiddenError("you may not record internships for this candidate")
    elif not policies.can_edit_records(actor, candidate):
        raise ForbiddenError("only the candidate may change their records")


def describe(kind: RecordKind, row: Any) -> dict[str, Any]:
    """A record as the audit log keeps it: its fields, id and (for entries) status."""
    data: dict[str, Any] = {"id": row.id, **kind.values(row)}
    if kind.decided:
        data["status"] = EntryStatus(row.status).value
    return data


def _check(candidate: User, clean: Schema, row: Any = None) -> None:
    """The rules that need the database: one held credential of each id, a real mentor."""
    if isinstance(clean, HeldCredentialIn):
        taken = db.session.scalar(
            select(HeldCredential.id).where(
                HeldCredential.candidate_id == candidate.id,
                HeldCredential.credential_id == clean.credential_id,
            )
        )
        if taken and (row is None or taken != row.id):
            raise DuplicateError(
                "id", _("%(credential)s is already recorded", credential=clean.credential_id)
            )
    if isinstance(clean, InternshipIn):
        mentor = db.session.get(User, clean.mentor_id)
        if (
            mentor is None
            or mentor.role is not Role.MENTOR
            or not mentor.active
            or mentor.organization_id != candidate.organization_id
        ):
            raise ValidationError(
                "mentor_id", _("is not an active mentor of the candidate's organization")
            )


def add_record(
    actor: User,
    candidate: User,
    kind_name: str,
    data: Mapping[str, Any] | Schema,
    *,
    catalog: Catalog | None = None,
) -> Any:
    """Add a record of any kind; entries start pending. Validates first, audits, flushes."""
    kind = KINDS[kind_name]
    _require_editor(actor, candidate, kind)
    clean = data if isinstance(data, Schema) else parse(kind.schema, data, context(catalog))
    _check(candidate, clean)
    values = kind.columns(clean)
    if kind.decided:
        values.update(status=EntryStatus.PENDING, created_by_id=actor.id)
    row = kind.model(candidate_id=candidate.id, **values)
    db.session.add(row)
    db.session.flush()
    audit(
        actor,
        f"{_audit_name(kind)}.create",
        f"{_audit_name(kind)}:{row.id}",
        candidate=candidate,
        after=describe(kind, row),
    )
    if kind.decided:
        notices.entry_waiting(row)
    return row


def _audit_name(kind: RecordKind) -> str:
    """The audit log's names of version 1: "internship:3", "experience:7", "degrees:2"."""
    return "internship" if kind.name == "internships" else kind.name


def require_unlocked(kind: RecordKind, row: Any) -> None:
    reason = kind.locked(row)
    if reason:
        raise ConflictError(reason)


def require_changeable(kind: RecordKind, row: Any) -> None:
    """Changes (and evidence) are refused once decided or verified, except on an internship
    that its mentor returned: the candidate corrects it and it goes back to the mentor."""
    if not kind.returned(row):
        require_unlocked(kind, row)


def update_record(
    actor: User,
    candidate: User,
    kind_name: str,
    row: Any,
    data: Mapping[str, Any],
    *,
    catalog: Catalog | None = None,
    partial: bool = False,
) -> Any:
    """Change a record the candidate may still change (409 once decided or verified).

    `partial` (PATCH): only the fields given change; the result is validated as a whole.
    """
    kind = KINDS[kind_name]
    _require_editor(actor, candidate, kind)
    require_changeable(kind, row)
    resubmit = kind.returned(row)
    before = describe(kind, row)
    if partial:
        clean, _changed = patch(kind.schema, kind.values(row), data, context(catalog))
    else:
        clean = parse(kind.schema, data, context(catalog))
    _check(candidate, clean, row)
    changed = False
    for key, value in kind.columns(clean).items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if resubmit:
        row.status = EntryStatus.PENDING
        row.decided_by_id = None
        row.decided_at = None
        row.note = None
    elif not changed:
        return row
    db.session.flush()
    audit(
        actor,
        f"{_audit_name(kind)}.{'resubmit' if resubmit else 'update'}",
        f"{_audit_name(kind)}:{row.id}",
        candidate=candidate,
        before=before,
        after=describe(kind, row),
    )
    return row


def delete_record(actor: User, candidate: User, kind_name: str, row: Any) -> None:
    kind = KINDS[kind_name]
    _require_editor(actor, candidate, kind)
    if kind.name == "waivers":
        raise ConflictError(_("waivers are never deleted; revoke the waiver instead"))
    require_unlocked(kind, row)
    before = describe(kind, row)
    evidence = db.session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.record_type == kind.name, EvidenceFile.record_id == row.id
        )
    ).all()
    for item in evidence:
        db.session.delete(item)
    db.session.delete(row)
    db.session.flush()
    audit(
        actor,
        f"{_audit_name(kind)}.delete",
        f"{_audit_name(kind)}:{before['id']}",
        candidate=candidate,
        before=before,
    )


def enrol(
    actor: User, candidate: User, catalog: Catalog, data: Mapping[str, Any] | EnrolmentIn
) -> Enrolment:
    if not policies.can_enrol(actor, candidate):
        raise ForbiddenError("you may not enrol this candidate")
    body = data if isinstance(data, EnrolmentIn) else parse(EnrolmentIn, data)
    definition = catalog.get(body.credential)
    if definition is None:
        raise ValidationError(
            "credential", _("unknown credential %(credential)s", credential=repr(body.credential))
        )
    pathway = _pathway(definition, body.pathway)
    if db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.candidate_id == candidate.id, Enrolment.credential == body.credential
        )
    ):
        raise ConflictError(_("already enrolled in %(credential)s", credential=definition.name))
    enrolment = Enrolment(
        candidate_id=candidate.id,
        credential=body.credential,
        version=definition.version,
        pathway=pathway,
        enrolled_on=today(),
    )
    db.session.add(enrolment)
    db.session.flush()
    audit(
        actor,
        "enrolment.create",
        f"enrolment:{enrolment.id}",
        candidate=candidate,
        after={"credential": body.credential, "version": definition.version, "pathway": pathway},
    )
    return enrolment


def _pathway(definition: Any, name: str | None) -> str | None:
    pathways = list(definition.pathways)
    if name is None:
        return pathways[0] if pathways else None
    if name not in pathways:
        allowed = ", ".join(pathways) or _("none (this credential has no pathways)")
        raise ValidationError(
            "pathway",
            _(
                "unknown pathway %(pathway)s; use one of %(allowed)s",
                pathway=repr(name),
                allowed=allowed,
            ),
        )
    return name


def change_enrolment(
    actor: User,
    candidate: User,
    enrolment: Enrolment,
    catalog: Catalog,
    data: Mapping[str, Any] | EnrolmentPatch,
) -> Enrolment:
    """Change an enrolment's pathway (the candidate, coordinators) or rules version
    (coordinators and admins only); audited, unchanged fields untouched."""
    if not policies.can_enrol(actor, candidate):
        raise ForbiddenError("you may not change this enrolment")
    body = data if isinstance(data, EnrolmentPatch) else parse(EnrolmentPatch, data)
    given = body.model_fields_set
    version = body.version if "version" in given else None
    if version is not None and version != enrolment.version:
        if not policies.can_manage_cohort(actor, candidate):
            raise ForbiddenError("only a coordinator or an admin may move an enrolment to "
                                 "another rules version")  # fmt: skip
        if not catalog.has_version(enrolment.credential, version):
            raise ValidationError(
                "version",
                _(
                    "%(credential)s has no loaded version %(version)s; use one of %(versions)s",
                    credential=enrolment.credential,
                    version=repr(version),
                    versions=", ".join(catalog.versions_of(enrolment.credential)),
                ),
            )
    definition = catalog.get(enrolment.credential, version or enrolment.version)
    if definition is None:
        raise ValidationError(
            "credential",
            _("the definition %(credential)s is not loaded", credential=repr(enrolment.credential)),
        )
    before = {"version": enrolment.version, "pathway": enrolment.pathway}
    if "pathway" in given and body.pathway is not None:
        enrolment.pathway = _pathway(definition, body.pathway)
    elif enrolment.pathway is not None and enrolment.pathway not in definition.pathways:
        enrolment.pathway = _pathway(definition, None)
    if version is not None:
        enrolment.version = version
    after = {"version": enrolment.version, "pathway": enrolment.pathway}
    if after != before:
        db.session.flush()
        action = "enrolment.version" if after["version"] != before["version"] else (
            "enrolment.pathway"
        )  # fmt: skip
        audit(actor, action, f"enrolment:{enrolment.id}", candidate=candidate, before=before,
              after=after)  # fmt: skip
    return enrolment


def switch_pathway(
    actor: User, candidate: User, enrolment: Enrolment, catalog: Catalog, value: Any
) -> None:
    change_enrolment(actor, candidate, enrolment, catalog, {"pathway": value})


def grant_waiver(
    actor: User, candidate: User, catalog: Catalog, data: Mapping[str, Any] | WaiverIn
) -> Waiver:
    if not policies.can_grant_waiver(actor, candidate):
        raise ForbiddenError("only a coordinator of the candidate's organization may grant waivers")
    body = data if isinstance(data, WaiverIn) else parse(WaiverIn, data, context(catalog))
    definition = catalog.get(body.credential)
    if definition is None:
        raise ValidationError(
            "credential", _("unknown credential %(credential)s", credential=repr(body.credential))
        )
    if body.requirement not in definition.node_titles():
        raise ValidationError(
            "requirement",
            _(
                "%(credential)s has no requirement %(requirement)s",
                credential=definition.name,
                requirement=repr(body.requirement),
            ),
        )
    node = definition.node(body.requirement)
    if node is not None and not node.waivable:
        raise ValidationError(
            "requirement",
            _(
                "%(title)s cannot be waived: %(issuer)s never waives it, so only the "
                "candidate's own records can meet it",
                title=node.title_in(None),
                issuer=definition.issuer or definition.name,
            ),
        )
    on = today()
    if body.expires_on is not None and body.expires_on <= on:
        raise ValidationError(
            "expires_on", _("must be after today: a waiver applies until the day before it")
        )
    for other in active_waivers(candidate, body.credential, on):
        if other.requirement == body.requirement:
            raise ConflictError(
                _(
                    "requirement %(requirement)s already has an active waiver (granted on "
                    "%(day)s); revoke it first to grant a new one",
                    requirement=body.requirement,
                    day=other.approved_on.isoformat(),
                ),
            )
    waiver = Waiver(
        candidate_id=candidate.id,
        credential=body.credential,
        requirement=body.requirement,
        reason=body.reason,
        approved_by_id=actor.id,
        approved_on=on,
        expires_on=body.expires_on,
    )
    db.session.add(waiver)
    db.session.flush()
    audit(
        actor,
        "waiver.create",
        f"waiver:{waiver.id}",
        candidate=candidate,
        after={
            "credential": body.credential,
            "requirement": body.requirement,
            "reason": body.reason,
            "approved_on": waiver.approved_on.isoformat(),
            "expires_on": body.expires_on.isoformat() if body.expires_on else None,
        },
    )
    notices.waiver_changed(candidate, waiver, "granted")
    return waiver


def active_waivers(candidate: User, credential: str | None, on: Any) -> list[Waiver]:
    """The candidate's waivers that apply on `on`: not revoked, not yet expired."""
    query = select(Waiver).where(Waiver.candidate_id == candidate.id, Waiver.revoked_on.is_(None))
    if credential is not None:
        query = query.where(Waiver.credential == credential)
    return [w for w in db.session.scalars(query) if w.expires_on is None or w.expires_on > on]


def verify_record(actor: User, candidate: User, kind_name: str, row: Any) -> Any:
    """A coordinator confirms a self-reported record against its evidence; it is then locked
    like a decided entry (409 for a second verification)."""
    kind = KINDS[kind_name]
    if not kind.verifiable:
        raise ValidationError("kind", _("%(kind)s are not verified", kind=kind.shown_title.lower()))
    if not policies.can_verify_records(actor, candidate):
        raise ForbiddenError("only a coordinator of the candidate's organization may verify")
    if row.verified_by_id is not None:
        raise ConflictError(
            _(
                "this %(label)s was already verified on %(day)s",
                label=kind.shown_label,
                day=str(row.verified_on),
            )
        )
    row.verified_by_id = actor.id
    row.verified_on = today()
    db.session.flush()
    audit(
        actor,
        f"{kind.name}.verify",
        f"{kind.name}:{row.id}",
        candidate=candidate,
        before={"verified": False},
        after={"verified": True, "verified_on": row.verified_on.isoformat(), **describe(kind, row)},
    )
    notices.record_verified(candidate, kind, row)
    return row


def revoke_waiver(
    actor: User, candidate: User, waiver: Waiver, data: Mapping[str, Any] | RevokeIn
) -> Waiver:
    """A waiver is never changed or deleted; revoking it ends it, with a reason, audited."""
    if not policies.can_grant_waiver(actor, candidate):
        raise ForbiddenError("only a coordinator of the candidate's organization may revoke")
    body = parse(RevokeIn, data)
    if waiver.revoked_on is not None:
        raise ConflictError(
            _("this waiver was already revoked on %(day)s", day=str(waiver.revoked_on))
        )
    waiver.revoked_by_id = actor.id
    waiver.revoked_on = today()
    waiver.revoke_reason = body.reason
    db.session.flush()
    audit(
        actor,
        "waiver.revoke",
        f"waiver:{waiver.id}",
        candidate=candidate,
        before={"status": "active"},
        after={"status": "revoked", "reason": body.reason},
    )
    notices.waiver_changed(candidate, waiver, "revoked")
    return waiver


def withdraw_entry(actor: User, candidate: User, kind_name: str, row: Any) -> Any:
    """The candidate takes back a pending entry or internship request. The row stays, marked
    withdrawn (an auditor sees what was claimed and taken back), counts for nothing, and is
    locked; a conditional update loses cleanly to a decision made at the same moment."""
    kind = KINDS[kind_name]
    if not kind.decided:
        raise ValidationError(
            "kind",
            _("%(kind)s are not withdrawn; delete the record", kind=kind.shown_title.lower()),
        )
    if actor.id != candidate.id:
        raise ForbiddenError("only the candidate may withdraw their entries")
    result = db.session.execute(
        update(HoursEntry)
        .where(HoursEntry.id == row.id, HoursEntry.status == EntryStatus.PENDING)
        .values(status=EntryStatus.WITHDRAWN, version=HoursEntry.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if rowcount(result) != 1:
        raise ConflictError(
            _(
                "this %(label)s was already %(status)s",
                label=kind.shown_label,
                status=entry_state(EntryStatus(row.status).value),
            )
        )
    audit(
        actor,
        f"{_audit_name(kind)}.withdraw",
        f"{_audit_name(kind)}:{row.id}",
        candidate=candidate,
        before={"status": EntryStatus.PENDING.value, "version": row.version - 1},
        after={"status": EntryStatus.WITHDRAWN.value, **describe(kind, row)},
    )
    return row
