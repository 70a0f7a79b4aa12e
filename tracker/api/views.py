"""The /api/v1 operations. Each handler loads (404), authorizes (403), then acts.

Bodies, queries and answers are declared on each operation (routing.operation) from the
schemas; the record kinds' operations are registered once per kind from the registry.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from flask import Response, g, request, send_file
from pydantic import Field
from sqlalchemy import select

from tracker.accounts import policies
from tracker.accounts.models import User
from tracker.api import answers
from tracker.api.routing import Listing, ListQuery, Query, body, bp, list_of, operation, query
from tracker.approvals import operations as approvals
from tracker.approvals import queries as approval_queries
from tracker.approvals.policies import can_decide
from tracker.auditlog import queries as audit_queries
from tracker.candidates import evidence as evidence_ops
from tracker.candidates import operations as records_ops
from tracker.candidates.cohort import cohort_csv, cohort_record, cohort_select, rows_of
from tracker.credentials.catalog import current_catalog
from tracker.credentials.evaluation import evaluate_candidate, evaluate_what_if
from tracker.errors import NotFoundError, TrackerError, ValidationError
from tracker.extensions import db
from tracker.records import queries as candidate_queries
from tracker.records.kinds import KINDS, RecordKind, evidence_answer
from tracker.records.loading import authorize, load_candidate, load_record
from tracker.records.models import Enrolment, EntryStatus, EvidenceFile, HoursEntry, Waiver
from tracker.records.schemas import (
    ApproveIn,
    DecideIn,
    Empty,
    EnrolmentIn,
    EnrolmentPatch,
    RejectIn,
    RevokeIn,
    SignOffIn,
    WhatIfIn,
)
from tracker.records.schemas import Decision as DecisionBody
from tracker.schema import (
    MAX_ID,
    CredentialId,
    Day,
    Pathway,
    RulesVersion,
    patch_schema,
)
from tracker.timeutil import today

op = partial(operation, bp)


def _user() -> User:
    user: User = g.api_user
    return user


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "organization_id": user.organization_id,
    }


def _enrolment_json(e: Enrolment, *, in_profile: bool = False) -> dict[str, Any]:
    data = {
        "credential": e.credential,
        "version": e.version,
        "pathway": e.pathway,
        "enrolled_on": e.enrolled_on.isoformat(),
    }
    return data if in_profile else {"id": e.id, "candidate_id": e.candidate_id, **data}


# --- who am I, candidates ----------------------------------------------------------------


@op("GET", "/me", operation_id="getMe", tag="accounts", summary="The token's user",
    answer=answers.User)  # fmt: skip
def me() -> Any:
    return user_json(_user())


@op("GET", "/candidates", operation_id="listCandidates", tag="candidates",
    summary="The candidates you may see (coordinators, admins, mentors: theirs)",
    answer=list[answers.CandidateSummary], paged=True, errors=(403,))  # fmt: skip
def candidates() -> Any:
    user = _user()
    authorize(policies.can_list_candidates(user), "candidates cannot list other candidates")
    return Listing(
        candidate_queries.visible_candidates_query(user),
        lambda c: {"id": c.id, "email": c.email, "name": c.name},
    )


@op("GET", "/candidates/<int:candidate_id>", operation_id="getCandidate", tag="candidates",
    summary="A candidate's profile with their enrolments", answer=answers.Candidate,
    errors=(404,))  # fmt: skip
def candidate(candidate_id: int) -> Any:
    cand = load_candidate(_user(), candidate_id)
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.candidate_id == cand.id).order_by(Enrolment.id)
    )
    return {
        "id": cand.id,
        "email": cand.email,
        "name": cand.name,
        "organization_id": cand.organization_id,
        "enrolments": [_enrolment_json(e, in_profile=True) for e in enrolments],
    }


@op("POST", "/candidates/<int:candidate_id>/enrolments", operation_id="createEnrolment",
    tag="enrolments", summary="Enrol a candidate in a credential", body=EnrolmentIn,
    answer=answers.Enrolment, status=201, errors=(403, 404, 409))  # fmt: skip
def enrol(candidate_id: int) -> Any:
    user = _user()
    cand = load_candidate(user, candidate_id)
    authorize(policies.can_enrol(user, cand))
    return _enrolment_json(records_ops.enrol(user, cand, current_catalog(), body()))


@op("PATCH", "/candidates/<int:candidate_id>/enrolments/<credential>",
    operation_id="updateEnrolment", tag="enrolments",
    summary="Change an enrolment's pathway (or, coordinators and admins, its rules version)",
    body=EnrolmentPatch, answer=answers.Enrolment, errors=(403, 404))  # fmt: skip
def change_enrolment(candidate_id: int, credential: str) -> Any:
    user = _user()
    cand = load_candidate(user, candidate_id)
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.candidate_id == cand.id, Enrolment.credential == credential
        )
    )
    if enrolment is None:
        raise NotFoundError(f"not enrolled in {credential!r}")
    authorize(policies.can_enrol(user, cand))
    records_ops.change_enrolment(user, cand, enrolment, current_catalog(), body())
    return _enrolment_json(enrolment)


# --- records of every kind ---------------------------------------------------------------


def _record_answers(kind: RecordKind, rows: list[Any]) -> list[dict[str, Any]]:
    evidence = evidence_ops.of_records(kind.name, [r.id for r in rows])
    return [kind.answer(row, evidence.get(row.id, [])) for row in rows]


def _load_kind_row(user: User, cand: User, kind: RecordKind, record_id: int) -> Any:
    row = load_record(user, kind.model, record_id, kind.label)
    if row.candidate_id != cand.id:
        raise NotFoundError(f"{kind.label} {record_id} not found")
    return row


def _register_kind(kind: RecordKind) -> None:
    """The list, get, create, change, delete, evidence and verify operations of one kind."""
    base = f"/candidates/<int:candidate_id>/{kind.name}"
    item = f"{base}/<int:record_id>"
    one, many = kind.operation_name, kind.operation_plural
    answer = kind.answer_schema()
    who_writes = "coordinators and admins" if kind.name == "waivers" else "the candidate"
    # What a created record leads to (OpenAPI links): the record's own operations, and the
    # decision or revocation that takes it by its id alone.
    this = {"candidate_id": "$request.path.candidate_id", "record_id": "$response.body#/id"}
    created = {f"get{one}": this}
    if kind.name != "waivers":
        created |= {f"{verb}{one}": this for verb in ("update", "delete")}
        created[f"upload{one}Evidence"] = this
    if kind.verifiable:
        created[f"verify{one}"] = this
    by_id = {"experience": ("entry_id", ("approveExperience", "rejectExperience")),
             "internships": ("internship_id", ("signOffInternship", "returnInternship")),
             "waivers": ("waiver_id", ("revokeWaiver",))}  # fmt: skip
    if kind.name in by_id:
        name, targets = by_id[kind.name]
        created |= {target: {name: "$response.body#/id"} for target in targets}
    evidence = {"evidence_id": "$response.body#/id"}

    def list_records(candidate_id: int) -> Any:
        cand = load_candidate(_user(), candidate_id)
        stmt = select(kind.model).where(kind.model.candidate_id == cand.id).order_by(kind.model.id)
        return Listing(stmt, lambda row: row, batch=lambda rows: _record_answers(kind, rows))

    def get_record(candidate_id: int, record_id: int) -> Any:
        user = _user()
        row = _load_kind_row(user, load_candidate(user, candidate_id), kind, record_id)
        return _record_answers(kind, [row])[0]

    def create_record(candidate_id: int) -> Any:
        user = _user()
        cand = load_candidate(user, candidate_id)
        if kind.name == "waivers":
            authorize(policies.can_grant_waiver(user, cand), "only coordinators grant waivers")
            row = records_ops.grant_waiver(user, cand, current_catalog(), body())
        else:
            if kind.name == "internships":
                authorize(policies.can_create_internship(user, cand))
            else:
                authorize(
                    policies.can_edit_records(user, cand), "only the candidate may add records"
                )
            row = records_ops.add_record(user, cand, kind.name, body())
        return _record_answers(kind, [row])[0]

    op("GET", base, operation_id=f"list{many}", tag=kind.name, answer=list_of(answer), paged=True,
       summary=f"The candidate's {kind.title.lower()}", errors=(404,))(list_records)  # fmt: skip
    op("GET", item, operation_id=f"get{one}", tag=kind.name, answer=answer,
       summary=f"One {kind.label} with its evidence", errors=(404,))(get_record)  # fmt: skip
    op("POST", base, operation_id=f"create{one}", tag=kind.name, body=kind.schema,
       answer=answer, status=201, errors=(403, 404, 409), links=created,
       summary=f"Add a {kind.label} ({who_writes})")(create_record)  # fmt: skip
    if kind.name == "waivers":
        return

    def update_record(candidate_id: int, record_id: int) -> Any:
        user = _user()
        cand = load_candidate(user, candidate_id)
        row = _load_kind_row(user, cand, kind, record_id)
        authorize(policies.can_edit_records(user, cand), "only the candidate may change records")
        changes = body().model_dump(exclude_unset=True, by_alias=True, mode="json")
        records_ops.update_record(user, cand, kind.name, row, changes, partial=True)
        return _record_answers(kind, [row])[0]

    def delete_record(candidate_id: int, record_id: int) -> Any:
        user = _user()
        cand = load_candidate(user, candidate_id)
        row = _load_kind_row(user, cand, kind, record_id)
        authorize(policies.can_edit_records(user, cand), "only the candidate may delete records")
        records_ops.delete_record(user, cand, kind.name, row)
        return None

    def upload_evidence(candidate_id: int, record_id: int) -> Any:
        user = _user()
        cand = load_candidate(user, candidate_id)
        row = _load_kind_row(user, cand, kind, record_id)
        authorize(policies.can_edit_records(user, cand), "only the candidate may add evidence")
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError("file", "is required (multipart/form-data field 'file')")
        from flask import current_app

        item = evidence_ops.attach(user, cand, kind.name, row, upload.stream, upload.filename,
                                   current_app.config["UPLOAD_DIR"])  # fmt: skip
        return evidence_answer(item), 201

    op("PATCH", item, operation_id=f"update{one}", tag=kind.name, body=patch_schema(kind.schema),
       answer=answer, errors=(403, 404, 409),
       summary=f"Change a {kind.label} (the candidate; 409 once decided or verified)",
       )(update_record)  # fmt: skip
    op("DELETE", item, operation_id=f"delete{one}", tag=kind.name, status=204,
       errors=(403, 404, 409),
       summary=f"Delete a {kind.label} (the candidate; 409 once decided or verified)",
       )(delete_record)  # fmt: skip
    op("POST", f"{item}/evidence", operation_id=f"upload{one}Evidence", tag=kind.name,
       multipart=True, answer=answers.EvidenceFile, status=201, errors=(403, 404, 409, 413),
       links={"getEvidence": evidence, "deleteEvidence": evidence},
       summary=f"Attach a PDF, PNG or JPEG to a {kind.label}")(upload_evidence)  # fmt: skip

    if kind.verifiable:

        def verify_record(candidate_id: int, record_id: int) -> Any:
            user = _user()
            cand = load_candidate(user, candidate_id)
            row = _load_kind_row(user, cand, kind, record_id)
            authorize(policies.can_verify_records(user, cand), "only coordinators verify records")
            body()
            records_ops.verify_record(user, cand, kind.name, row)
            return {
                "verified": True,
                "verified_by": row.verified_by_id,
                "verified_on": row.verified_on.isoformat(),
            }

        op("POST", f"{item}/verify", operation_id=f"verify{one}", tag=kind.name, body=Empty,
           answer=answers.Verified, errors=(403, 404, 409),
           summary=f"Verify a {kind.label} against its evidence (coordinators, admins)",
           )(verify_record)  # fmt: skip


for _kind in KINDS.values():
    _register_kind(_kind)


@op("GET", "/evidence/<int:evidence_id>", operation_id="getEvidence", tag="evidence",
    summary="Download an evidence file", answer=evidence_ops.CONTENT_TYPES,
    errors=(404,))  # fmt: skip
def evidence_file(evidence_id: int) -> Any:
    from flask import current_app

    item = load_record(_user(), EvidenceFile, evidence_id, "evidence file")
    path = current_app.config["UPLOAD_DIR"] / item.stored_name
    if not path.is_file():
        raise NotFoundError("the evidence file is missing from storage")
    name = evidence_ops.download_name(item.original_name, item.content_type)
    return send_file(path, mimetype=item.content_type, as_attachment=True,
                     download_name=name, max_age=0)  # fmt: skip


@op("DELETE", "/evidence/<int:evidence_id>", operation_id="deleteEvidence", tag="evidence",
    summary="Remove an evidence file (the candidate; 409 once the record is locked)",
    status=204, errors=(403, 404, 409))  # fmt: skip
def delete_evidence(evidence_id: int) -> Any:
    user = _user()
    item = load_record(user, EvidenceFile, evidence_id, "evidence file")
    cand = load_candidate(user, item.candidate_id)
    authorize(policies.can_edit_records(user, cand), "only the candidate may remove evidence")
    evidence_ops.remove(user, cand, item)
    return None


@op("POST", "/waivers/<int:waiver_id>/revoke", operation_id="revokeWaiver", tag="waivers",
    summary="Revoke a waiver, with a reason (coordinators, admins)", body=RevokeIn,
    answer=answers.Revoked, errors=(403, 404, 409))  # fmt: skip
def revoke_waiver(waiver_id: int) -> Any:
    user = _user()
    waiver = load_record(user, Waiver, waiver_id, "waiver")
    cand = load_candidate(user, waiver.candidate_id)
    authorize(policies.can_grant_waiver(user, cand), "only coordinators revoke waivers")
    records_ops.revoke_waiver(user, cand, waiver, body())
    return {"status": "revoked"}


# --- approvals ---------------------------------------------------------------------------


def _pending_json(item: Any) -> dict[str, Any]:
    return {**item.as_json(), "version": item.row.version}


@op("GET", "/approvals", operation_id="listApprovals", tag="approvals",
    summary="The pending entries you may decide (coordinators: hours; mentors: internships)",
    answer=list[answers.PendingEntry], paged=True, errors=(403,))  # fmt: skip
def approvals_list() -> Any:
    user = _user()
    authorize(policies.can_see_approvals(user), "only coordinators and mentors decide entries")
    return Listing(approval_queries.pending_for(user), _pending_json)


def _load_entry(source: str, entry_id: int) -> HoursEntry:
    user = _user()
    label = "internship" if source == "internship" else "experience entry"
    model = KINDS["internships" if source == "internship" else "experience"].model
    entry: HoursEntry = load_record(user, model, entry_id, label)
    authorize(can_decide(user, entry), f"you may not decide this {label}")
    return entry


@op("POST", "/experience/<int:entry_id>/approve", operation_id="approveExperience",
    tag="approvals", summary="Approve employment hours", body=ApproveIn,
    answer=answers.Decided, errors=(403, 404, 409))  # fmt: skip
def approve_experience(entry_id: int) -> Any:
    entry = _load_entry("employment", entry_id)
    approvals.approve(_user(), entry, body())
    return {"status": "approved"}


@op("POST", "/experience/<int:entry_id>/reject", operation_id="rejectExperience",
    tag="approvals", summary="Reject employment hours, with a reason", body=RejectIn,
    answer=answers.Decided, errors=(403, 404, 409))  # fmt: skip
def reject_experience(entry_id: int) -> Any:
    entry = _load_entry("employment", entry_id)
    approvals.reject(_user(), entry, body())
    return {"status": "rejected"}


@op("POST", "/internships/<int:internship_id>/signoff", operation_id="signOffInternship",
    tag="approvals", summary="Sign off an internship (its mentor)", body=SignOffIn,
    answer=answers.Decided, errors=(403, 404, 409))  # fmt: skip
def signoff_internship(internship_id: int) -> Any:
    entry = _load_entry("internship", internship_id)
    approvals.approve(_user(), entry, body())
    return {"status": "approved"}


@op("POST", "/internships/<int:internship_id>/reject", operation_id="returnInternship",
    tag="approvals", summary="Return an internship to the candidate, with a reason",
    body=RejectIn, answer=answers.Decided, errors=(403, 404, 409))  # fmt: skip
def reject_internship(internship_id: int) -> Any:
    entry = _load_entry("internship", internship_id)
    approvals.reject(_user(), entry, body())
    return {"status": "rejected"}


@op("POST", "/approvals/decide", operation_id="decideApprovals", tag="approvals",
    summary="Decide several entries at once; each is decided on its own",
    body=DecideIn, answer=list[answers.DecisionOutcome], errors=(403,))  # fmt: skip
def decide_many() -> Any:
    user = _user()
    authorize(policies.can_see_approvals(user), "only coordinators and mentors decide entries")
    out = []
    for item in body().decisions:
        source = "internship" if item.type == "internship" else "employment"
        savepoint = db.session.begin_nested()
        try:
            entry = _load_entry(source, item.id)
            fields = DecisionBody(version=item.version).model_dump()
            if item.action == "approve":
                approvals.approve(user, entry, fields)
            else:
                approvals.reject(user, entry, {**fields, "reason": item.reason})
            savepoint.commit()
            out.append(
                {"type": item.type, "id": item.id, "status": EntryStatus(entry.status).value}
            )
        except TrackerError as exc:
            savepoint.rollback()
            out.append({"type": item.type, "id": item.id,
                        "error": {"code": exc.code, "message": exc.message}})  # fmt: skip
    return out


# --- progress, audit, catalogue, mentors, cohort ---------------------------------------------


class ProgressQuery(Query):
    credential: CredentialId = Field(description="the credential's id")
    as_of: Day | None = Field(None, description="default: today")
    pathway: Pathway | None = Field(None, description="default: the enrolment's")
    version: RulesVersion | None = Field(None, description="a loaded version of the credential")
    lang: Literal["en", "pl"] | None = Field(
        None, description="the language of titles and details (default: the user's)"
    )


@op("GET", "/candidates/<int:candidate_id>/progress", operation_id="getProgress",
    tag="progress", summary="Where the candidate stands (the result JSON of the format, §4)",
    query=ProgressQuery, answer=answers.Progress, errors=(404,))  # fmt: skip
def progress(candidate_id: int) -> Any:
    cand = load_candidate(_user(), candidate_id)
    args: ProgressQuery = query()
    catalog = current_catalog()
    if args.version is not None and not catalog.has_version(args.credential, args.version):
        raise ValidationError("version", f"{args.credential} has no loaded version "
                              f"{args.version!r}")  # fmt: skip
    return evaluate_candidate(catalog, cand, args.credential, args.as_of or today(),
                              args.pathway, lang=_language(args.lang),
                              version=args.version)  # fmt: skip


def _language(asked: str | None) -> str:
    """?lang= when the installation offers it (400 naming `lang` otherwise), else the request's
    language (the user's choice, then Accept-Language, then English)."""
    from flask import current_app

    from tracker.i18n import current_language, languages

    if asked is None:
        return current_language()
    offered = languages(current_app)
    if asked.lower() not in offered:
        raise ValidationError(
            "lang", f"unknown language {asked!r}; use one of {', '.join(offered)}"
        )
    return asked.lower()


@op("POST", "/candidates/<int:candidate_id>/what-if", operation_id="whatIf", tag="progress",
    summary="Progress with planned records added (nothing is saved)", body=WhatIfIn,
    answer=answers.Progress, errors=(404,))  # fmt: skip
def what_if(candidate_id: int) -> Any:
    cand = load_candidate(_user(), candidate_id)
    plan: WhatIfIn = body()
    planned = {k: v for k, v in plan.planned.model_dump().items() if v}
    return evaluate_what_if(current_catalog(), cand, plan.credential, today(), planned,
                            pathway=plan.pathway, version=plan.version,
                            lang=_language(None))  # fmt: skip


class AuditQuery(ListQuery):
    candidate_id: int | None = Field(None, ge=1, le=MAX_ID)


@op("GET", "/audit", operation_id="listAuditEvents", tag="audit",
    summary="The audit log, newest first (coordinators: their organization)", query=AuditQuery,
    answer=list[answers.AuditEvent], paged=True, errors=(403, 404))  # fmt: skip
def audit() -> Any:
    user = _user()
    authorize(policies.can_view_audit(user), "only coordinators and admins read the audit log")
    cand = None
    args: AuditQuery = query()
    if args.candidate_id is not None:
        cand = load_candidate(user, args.candidate_id)
        authorize(policies.can_view_audit(user, cand))
    return Listing(audit_queries.events_query(user, cand), _audit_json)


AUDIT_KEYS = ("at", "actor_id", "action", "target", "before", "after")


def _audit_json(event: Any) -> dict[str, Any]:
    """The contract's event shape, exactly."""
    data = audit_queries.event_json(event)
    return {key: data[key] for key in AUDIT_KEYS}


def _credential_json(definition: Any) -> dict[str, Any]:
    vocabulary = definition.vocabulary()
    return {
        "id": definition.id,
        "version": definition.version,
        "name": definition.name,
        "issuer": definition.issuer,
        "pathways": dict(definition.pathways),
        "categories": vocabulary.get("categories", []),
        "exam_codes": vocabulary.get("exam_codes", []),
        "attestation_kinds": vocabulary.get("attestation_kinds", []),
        "course_topics": vocabulary.get("topics", []),
    }


def _requirement_json(node: Any) -> dict[str, Any]:
    return {
        "id": node.id,
        "title": node.title,
        "kind": node.kind,
        "waivable": bool(getattr(node, "waivable", True)),
        "children": [_requirement_json(child) for child in node.children],
    }


@op("GET", "/credentials", operation_id="listCredentials", tag="credentials",
    summary="The credentials on offer (their current versions)",
    answer=list[answers.CredentialSummary], paged=True)  # fmt: skip
def credentials() -> Any:
    catalog = current_catalog()
    items = sorted(catalog.definitions.values(), key=lambda d: d.id)
    return Listing(items, _credential_json)


@op("GET", "/credentials/<credential_id>", operation_id="getCredential", tag="credentials",
    summary="One credential with its versions and requirement tree",
    answer=answers.CredentialDetail, errors=(404,))  # fmt: skip
def credential(credential_id: str) -> Any:
    catalog = current_catalog()
    definition = catalog.get(credential_id)
    if definition is None:
        raise NotFoundError(f"no credential {credential_id!r}")
    return {
        **_credential_json(definition),
        "versions": [
            {
                "version": d.version,
                "effective_from": d.effective_from.isoformat() if d.effective_from else None,
            }
            for d in catalog.library.versions(credential_id)
        ],
        "requirements": [_requirement_json(n) for n in definition.requirements],
    }


@op("GET", "/mentors", operation_id="listMentors", tag="internships",
    summary="The mentors an internship may name", answer=list[answers.Mentor], paged=True,
    errors=(403,))  # fmt: skip
def mentors() -> Any:
    user = _user()
    authorize(policies.can_list_mentors(user), "mentors do not record internships")
    stmt = candidate_queries.mentors_query(user.organization_id,
                                           every_org=policies.is_admin(user))  # fmt: skip
    return Listing(stmt, lambda m: {"id": m.id, "name": m.name, "email": m.email})


class CohortQuery(ListQuery):
    credential: CredentialId | None = Field(None, description="only this credential's rows")


@op("GET", "/cohort", operation_id="listCohort", tag="cohort",
    summary="Every enrolment of your candidates with its status (Accept: text/csv for CSV)",
    query=CohortQuery, answer=list[answers.CohortRow], paged=True, csv=True,
    errors=(403, 404))  # fmt: skip
def cohort() -> Any:
    user = _user()
    authorize(policies.can_see_cohort(user), "only coordinators and admins see the cohort")
    args: CohortQuery = query()
    if args.credential is not None and current_catalog().get(args.credential) is None:
        raise NotFoundError(f"credential {args.credential!r} is not loaded")
    stmt = cohort_select(
        candidate_queries.visible_candidates_query(user), credential=args.credential
    )
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        text, total = cohort_csv(stmt)
        return Response(text, mimetype="text/csv", headers={"X-Total-Count": str(total)})
    return Listing(
        stmt, cohort_record, batch=lambda page: [cohort_record(r) for r in rows_of(page)],
        scalars=False,
    )  # fmt: skip


@op("GET", "/openapi.json", operation_id="getOpenApi", tag="meta", public=True,
    summary="This document", answer=answers.Document)  # fmt: skip
def openapi() -> Any:
    from tracker.api.openapi import spec

    return spec(current_catalog().vocabulary_of())
