"""Candidate pages: progress, records and evidence, enrolment and what-if, cohort, waivers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Any, get_args

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from sqlalchemy import select

from tracker.accounts import policies
from tracker.accounts.auth import actor, roles_required
from tracker.accounts.models import Role, User
from tracker.candidates import evidence as evidence_ops
from tracker.candidates import forms
from tracker.candidates import operations as ops
from tracker.candidates.cohort import cohort_csv as cohort_csv_text
from tracker.candidates.cohort import cohort_page, cohort_select, not_enrolled
from tracker.candidates.labels import (
    leaves_left,
    next_due,
    record_labels,
    waived_requirements,
)
from tracker.credentials.catalog import Catalog, current_catalog
from tracker.credentials.evaluation import (
    enrolment_for,
    evaluate_cached_pathways,
    evaluate_cohort,
)
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.extensions import db
from tracker.i18n import current_language
from tracker.i18n import gettext as _
from tracker.records.adapter import for_credential, load_records
from tracker.records.kinds import (
    CANDIDATE_KINDS,
    KINDS,
    VERIFIABLE_KINDS,
    RecordKind,
    waiver_status,
)
from tracker.records.loading import authorize, load_candidate, load_record
from tracker.records.models import Enrolment, EvidenceFile, Waiver
from tracker.records.queries import internships_of, mentors_of_org, visible_candidates_query
from tracker.records.schemas import REGISTRATION_CODES
from tracker.records.words import (
    ATTESTATION_KINDS,
    CATEGORIES,
    EXAM_CODES,
    HELD_CREDENTIALS,
    PROVIDERS,
    REGISTRATION_KINDS,
    TOPICS,
    word_for,
)
from tracker.timeutil import today
from tracker.web.form_errors import apply_errors
from tracker.web.paging import page_number
from tracker.web.schema_forms import form_data, row_data, show_errors

bp = Blueprint("candidates", __name__)
bp.add_app_template_global(waived_requirements, "waived_requirements")

INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
# The kinds the records page lists in its own sections (internships have their own table).
PAGE_KINDS = tuple(name for name in CANDIDATE_KINDS if name != "internships")


def _kind(name: str) -> RecordKind:
    kind = KINDS.get(name)
    if kind is None or name not in CANDIDATE_KINDS:
        raise NotFoundError(f"unknown record type {name!r}")
    return kind


def _choices(
    values: list[str], words: Mapping[str, Any], *, readable: bool = True
) -> list[tuple[str, str]]:
    """(value, label) for each value, in order: its word (records/words.py), else the code
    read as words ("risk-management" → "Risk management") unless `readable` is off."""
    return [(v, word_for(words, v) if readable or v in words else v) for v in dict.fromkeys(values)]


def _prepare(form: Any, kind: str, catalog: Catalog, candidate: User) -> None:
    """Fill select choices from the definitions' vocabulary (what the schema accepts)."""
    vocabulary = catalog.vocabulary_of()
    if kind == "degrees":
        form.level.choices = forms.LEVEL_CHOICES
    elif kind == "courses":
        providers = sorted(vocabulary.providers)
        known = [p for p in PROVIDERS if p in providers]  # the usual ones first
        form.provider.choices = _choices(known + providers, PROVIDERS)
        form.topics.choices = _choices(sorted(vocabulary.topics), TOPICS)
    elif kind == "exams":
        form.code.choices = _choices(catalog.vocabulary("exam_codes"), EXAM_CODES, readable=False)
    elif kind == "attestations":
        form.kind.choices = _choices(catalog.vocabulary("attestation_kinds"), ATTESTATION_KINDS)
    elif kind == "credentials":
        form.credential_id.choices = _choices(
            list(HELD_CREDENTIALS) + catalog.vocabulary("credential_ids"),
            HELD_CREDENTIALS,
            readable=False,
        )
    elif kind in ("experience", "internships"):
        form.category.choices = _choices(catalog.vocabulary("categories"), CATEGORIES)
    elif kind == "registrations":
        form.kind.choices = _choices(list(get_args(REGISTRATION_CODES)), REGISTRATION_KINDS)
    if kind == "internships":
        form.mentor_id.choices = [("", _("Choose a mentor…"))] + [
            (str(m.id), f"{m.name} ({m.email})") for m in mentors_of_org(candidate.organization_id)
        ]


# --- who am I -----------------------------------------------------------------------


@bp.get("/me/records")
@roles_required(Role.CANDIDATE)
def my_records() -> Any:
    return redirect(url_for("candidates.records", candidate_id=actor().id))


# --- profile and progress -----------------------------------------------------------


@bp.get("/candidates/<int:candidate_id>")
@login_required
def profile(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    catalog = current_catalog()
    progress = evaluate_cohort(catalog, [candidate], today())
    waiver_form = None
    if policies.can_grant_waiver(user, candidate):
        waiver_form = _waiver_form(catalog, progress)
    return _profile_page(candidate, catalog, progress, waiver_form)


def _profile_page(
    candidate: User, catalog: Catalog, progress: list[Any], waiver_form: Any, status: int = 200
) -> Any:
    return render_template(
        "candidates/profile.html",
        candidate=candidate,
        progress=progress,
        catalog=catalog,
        waiver_form=waiver_form,
        internships=internships_of(candidate),
        next_due=next_due,
    ), status


def _waiver_form(catalog: Catalog, progress: list[Any]) -> forms.WaiverForm:
    form = forms.WaiverForm()
    enrolled = [d for p in progress if (d := catalog.get(p.enrolment.credential)) is not None]
    lang = current_language()
    form.credential.choices = [(d.id, d.name_in(lang)) for d in enrolled]
    # Requirements the issuer never waives are shown, greyed out, so nobody looks for them.
    requirement_choices: list[Any] = []
    for definition in enrolled:
        name = definition.name_in(lang)
        for node in definition.nodes():
            title = f"{name}: {node.title_in(lang)}"
            if node.waivable:
                requirement_choices.append((node.id, title))
            else:
                never = _("%(requirement)s (never waived)", requirement=title)
                requirement_choices.append((node.id, never, {"disabled": True}))
    form.requirement.choices = requirement_choices
    return form


class _Shown:
    """What a progress page shows of the evaluation, computed when first asked for: a page
    whose fragment is cached (tracker/web/fragments.py) loads and evaluates nothing."""

    def __init__(self, catalog: Catalog, candidate: User, definition: Any,
                 pathways: list[str | None], as_of: date, lang: str) -> None:  # fmt: skip
        self.catalog, self.candidate, self.definition = catalog, candidate, definition
        self.pathways, self.as_of, self.lang = pathways, as_of, lang

    @cached_property
    def records(self) -> dict[str, Any]:
        return load_records([self.candidate.id])[self.candidate.id]

    @cached_property
    def results(self) -> dict[str | None, dict[str, Any]]:
        # The pathway shown and the others beside it, evaluated together.
        return evaluate_cached_pathways(
            self.catalog, self.candidate, self.definition.id, self.as_of, self.pathways,
            self.records, version=self.definition.version, lang=self.lang,
        )  # fmt: skip

    @property
    def result(self) -> dict[str, Any]:
        return self.results[self.pathways[0]]

    @property
    def alternatives(self) -> dict[str | None, dict[str, Any]]:
        return {name: self.results[name] for name in self.pathways[1:]}

    @cached_property
    def labels(self) -> Any:
        return record_labels(for_credential(self.records, self.definition.id))

    @cached_property
    def left(self) -> list[dict[str, Any]]:
        return leaves_left(self.result["requirements"])

    @cached_property
    def next_due(self) -> str | None:
        return next_due(self.result["requirements"])


@bp.get("/candidates/<int:candidate_id>/progress/<credential>")
@login_required
def progress(candidate_id: int, credential: str) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    catalog = current_catalog()
    enrolment = enrolment_for(candidate, credential)
    version = request.args.get("version") or (enrolment.version if enrolment else None)
    definition = catalog.get(credential, version)
    if definition is None:
        raise NotFoundError(f"credential {credential!r} is not loaded in version {version!r}")
    enrolled_pathway = enrolment.pathway if enrolment else None
    pathway = request.args.get("pathway") or enrolled_pathway
    if pathway and pathway not in definition.pathways:
        raise ValidationError("pathway", _("unknown pathway %(pathway)s", pathway=repr(pathway)))
    as_of = today()
    lang = current_language()  # the engine's titles and details in the page's language
    others = [name for name in definition.pathways if name != pathway]
    shown = _Shown(catalog, candidate, definition, [pathway, *others], as_of, lang)
    pathway_form = None
    if enrolment is not None and policies.can_enrol(user, candidate) and definition.pathways:
        pathway_form = forms.PathwayForm(pathway=pathway)
        pathway_form.pathway.choices = list(definition.pathways.items())
    what_if = enrolment is not None and (
        pathway != enrolled_pathway or definition.version != enrolment.version
    )
    # Everything the page's cached fragment shows (the per-user parts are its holes): the
    # candidate's records and name, the enrolment, the rules, the pathway and the day.
    enrolled = (enrolment.pathway, enrolment.version) if enrolment else None
    key = (candidate.id, candidate.records_version, candidate.name, credential,
           definition.version, pathway, enrolled, as_of, catalog.fingerprint)  # fmt: skip
    return render_template(
        "candidates/progress.html",
        candidate=candidate,
        definition=definition,
        shown=shown,
        progress_key=key,
        enrolment=enrolment,
        pathway=pathway,
        what_if=what_if,
        pathway_form=pathway_form,
    )


# --- records --------------------------------------------------------------------------


@bp.get("/candidates/<int:candidate_id>/records")
@login_required
def records(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    rows = {
        name: db.session.scalars(
            select(KINDS[name].model)
            .where(KINDS[name].model.candidate_id == candidate.id)
            .order_by(KINDS[name].model.id.desc())
        ).all()
        for name in PAGE_KINDS
    }
    verifier_ids = {
        r.verified_by_id
        for name in VERIFIABLE_KINDS
        for r in rows[name]
        if r.verified_by_id is not None
    }
    verifiers = (
        {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(verifier_ids)))}
        if verifier_ids
        else {}
    )
    return render_template(
        "candidates/records.html",
        verifiers=verifiers,
        verifiable=VERIFIABLE_KINDS,
        can_verify=policies.can_verify_records(user, candidate),
        locked=lambda kind, row: KINDS[kind].locked(row),
        candidate=candidate,
        rows=rows,
        kinds={name: KINDS[name].shown_title for name in PAGE_KINDS},
        types=KINDS,
        internships=internships_of(candidate),
        evidence=evidence_ops.for_candidate(candidate.id),
        can_edit=policies.can_edit_records(user, candidate),
        delete_form=forms.DeleteForm(),
        show_all=request.args.get("all") == "1",
    )


@bp.route("/candidates/<int:candidate_id>/records/<kind>/new", methods=["GET", "POST"])
@login_required
def new_record(candidate_id: int, kind: str) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    if _kind(kind).name == "internships":
        return redirect(url_for("mentoring.new_internship", candidate_id=candidate.id))
    authorize(policies.can_edit_records(user, candidate), "only the candidate may add records")
    return _record_form_page(user, candidate, kind, current_catalog(), None)


@bp.route(
    "/candidates/<int:candidate_id>/records/<kind>/<int:record_id>/edit", methods=["GET", "POST"]
)
@login_required
def edit_record(candidate_id: int, kind: str, record_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    rkind = _kind(kind)
    row = _load_row(user, candidate, rkind, record_id)
    authorize(policies.can_edit_records(user, candidate), "only the candidate may change records")
    catalog = current_catalog()
    return _record_form_page(user, candidate, kind, catalog, row)


def _record_form_page(user: User, candidate: User, kind: str, catalog: Catalog, row: Any) -> Any:
    """The add (row None) and edit form of one record: validate, act, redirect or re-render."""
    rkind = KINDS[kind]
    form_cls = forms.RECORD_FORMS[kind]
    if row is None or request.method == "POST":
        form = form_cls()
    else:
        form = form_cls(data=row_data(rkind.values(row), rkind.schema))
    _prepare(form, kind, catalog, candidate)
    if form.validate_on_submit():
        data = form_data(form, rkind.schema)
        try:
            if row is None:
                ops.add_record(user, candidate, kind, data, catalog=catalog)
            else:
                ops.update_record(user, candidate, kind, row, data, catalog=catalog)
        except ValidationError as exc:
            show_errors(form, exc, rkind.schema)
        except ConflictError as exc:
            flash(exc.message, "error")
            return redirect(url_for("candidates.records", candidate_id=candidate.id))
        else:
            done = (
                _("The %(label)s was added.", label=rkind.shown_label)
                if row is None
                else _("The %(label)s was updated.", label=rkind.shown_label)
            )
            flash(done, "success")
            return redirect(url_for("candidates.records", candidate_id=candidate.id) + f"#{kind}")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "candidates/record_form.html",
        form=form,
        candidate=candidate,
        kind=kind,
        rtype=rkind,
        row=row,
    ), status


def _load_row(user: User, candidate: User, rkind: RecordKind, record_id: int) -> Any:
    row = load_record(user, rkind.model, record_id, rkind.label)
    if row.candidate_id != candidate.id:
        raise NotFoundError(f"{rkind.label} {record_id} not found")
    return row


@bp.post("/candidates/<int:candidate_id>/records/<kind>/<int:record_id>/delete")
@login_required
def delete_record(candidate_id: int, kind: str, record_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    rkind = _kind(kind)
    row = _load_row(user, candidate, rkind, record_id)
    authorize(policies.can_edit_records(user, candidate), "only the candidate may delete records")
    form = forms.DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.delete_record(user, candidate, kind, row)
    except ConflictError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The %(label)s was deleted.", label=rkind.shown_label), "success")
    return redirect(url_for("candidates.records", candidate_id=candidate.id) + f"#{kind}")


@bp.post("/candidates/<int:candidate_id>/records/<kind>/<int:record_id>/verify")
@login_required
def verify_record(candidate_id: int, kind: str, record_id: int) -> Any:
    """A coordinator confirms a self-reported record against its evidence (then it is locked)."""
    user = actor()
    candidate = load_candidate(user, candidate_id)
    rkind = _kind(kind)
    row = _load_row(user, candidate, rkind, record_id)
    authorize(
        policies.can_verify_records(user, candidate),
        "only a coordinator of the candidate's organization may verify records",
    )
    if not forms.DeleteForm().validate_on_submit():
        abort(400)
    try:
        ops.verify_record(user, candidate, kind, row)
    except (ConflictError, ValidationError) as exc:
        flash(exc.message, "error")
    else:
        flash(
            _("The %(label)s was verified; it is now locked.", label=rkind.shown_label), "success"
        )
    return redirect(url_for("candidates.records", candidate_id=candidate.id) + f"#{kind}")


@bp.post("/candidates/<int:candidate_id>/records/<kind>/<int:record_id>/withdraw")
@login_required
def withdraw_entry(candidate_id: int, kind: str, record_id: int) -> Any:
    """The candidate takes back a pending entry or internship request (kept, marked withdrawn)."""
    user = actor()
    candidate = load_candidate(user, candidate_id)
    rkind = _kind(kind)
    row = _load_row(user, candidate, rkind, record_id)
    authorize(user.id == candidate.id, "only the candidate may withdraw their entries")
    if not forms.DeleteForm().validate_on_submit():
        abort(400)
    try:
        ops.withdraw_entry(user, candidate, kind, row)
    except (ConflictError, ValidationError) as exc:
        flash(exc.message, "error")
    else:
        flash(_("The %(label)s was withdrawn; it stays on your records and counts for nothing.",
                label=rkind.shown_label), "success")  # fmt: skip
    return redirect(url_for("candidates.records", candidate_id=candidate.id) + f"#{kind}")


# --- evidence -------------------------------------------------------------------------


@bp.route(
    "/candidates/<int:candidate_id>/records/<kind>/<int:record_id>/evidence",
    methods=["GET", "POST"],
)
@login_required
def upload_evidence(candidate_id: int, kind: str, record_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    rkind = _kind(kind)
    label = rkind.shown_label
    row = _load_row(user, candidate, rkind, record_id)
    authorize(policies.can_edit_records(user, candidate), "only the candidate may add evidence")
    form = forms.EvidenceForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            evidence_ops.attach(
                user,
                candidate,
                kind,
                row,
                upload.stream,
                upload.filename,
                current_app.config["UPLOAD_DIR"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The evidence file was uploaded."), "success")
            return redirect(url_for("candidates.records", candidate_id=candidate.id) + f"#{kind}")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "candidates/evidence_form.html",
        form=form,
        candidate=candidate,
        kind=kind,
        label=label,
        row=row,
    ), status


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence_file(evidence_id: int) -> Any:
    user = actor()
    item = load_record(user, EvidenceFile, evidence_id, "evidence file")
    path = current_app.config["UPLOAD_DIR"] / item.stored_name
    if not path.is_file():
        raise NotFoundError("the evidence file is missing from storage")
    # ?inline=1 opens a PDF or image in place (the approval queue shows it in a frame of
    # this site only); anything else, and every file by default, downloads.
    inline = request.args.get("inline") == "1" and item.content_type in INLINE_TYPES
    response = send_file(
        path,
        mimetype=item.content_type,
        as_attachment=not inline,
        download_name=evidence_ops.download_name(item.original_name, item.content_type),
        max_age=0,
    )
    if inline:
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        # The browser's own PDF viewer needs its default policy; an image needs nothing.
        response.headers["Content-Security-Policy"] = (
            "frame-ancestors 'self'"
            if item.content_type == "application/pdf"
            else "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'"
        )
    return response


@bp.post("/evidence/<int:evidence_id>/delete")
@login_required
def delete_evidence(evidence_id: int) -> Any:
    user = actor()
    item = load_record(user, EvidenceFile, evidence_id, "evidence file")
    candidate = load_candidate(user, item.candidate_id)
    authorize(policies.can_edit_records(user, candidate), "only the candidate may remove evidence")
    if not forms.DeleteForm().validate_on_submit():
        abort(400)
    try:
        evidence_ops.remove(user, candidate, item)
    except ConflictError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The evidence file was removed."), "success")
    return redirect(url_for("candidates.records", candidate_id=candidate.id))


# --- enrolment and pathways --------------------------------------------------------


def _enrol_form(catalog: Catalog) -> forms.EnrolForm:
    form = forms.EnrolForm()
    form.credential.choices = catalog.choices(current_language())
    lang = current_language()
    # Each pathway names its credential (data-credential): static/js/enrol.js offers only
    # the chosen credential's; the server checks the pair either way.
    form.pathway.choices = [("", _("Default pathway"))] + [
        (name, f"{d.name_in(lang)}: {d.pathway_name(name, lang)}", {"data-credential": d.id})
        for d in catalog.definitions.values()
        for name in d.pathways
    ]
    return form


@bp.get("/enrol")
@roles_required(Role.CANDIDATE)
def enrol_page() -> Any:
    return redirect(url_for("candidates.enrol", candidate_id=actor().id))


@bp.route("/candidates/<int:candidate_id>/enrolments", methods=["GET", "POST"])
@login_required
def enrol(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_enrol(user, candidate))
    catalog = current_catalog()
    form = _enrol_form(catalog)
    enrolled = {
        e.credential
        for e in db.session.scalars(select(Enrolment).where(Enrolment.candidate_id == candidate.id))
    }
    # Credentials not yet enrolled in come first; the others stay choosable only to be told so.
    form.credential.choices = sorted(
        ((cid, _("%(name)s (already enrolled)", name=name) if cid in enrolled else name)
         for cid, name in catalog.choices(current_language())),
        key=lambda choice: choice[0] in enrolled,
    )  # fmt: skip
    if form.validate_on_submit():
        data = {"credential": form.credential.data, "pathway": form.pathway.data or None}
        try:
            ops.enrol(user, candidate, catalog, data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.credential.errors = [exc.message]
        else:
            flash(_("Enrolled. Here is where you stand."), "success")
            return redirect(
                url_for(
                    "candidates.progress", candidate_id=candidate.id, credential=data["credential"]
                )
            )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "candidates/enrol.html", form=form, candidate=candidate, catalog=catalog, enrolled=enrolled
    ), status


@bp.post("/candidates/<int:candidate_id>/progress/<credential>/pathway")
@login_required
def switch_pathway(candidate_id: int, credential: str) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    enrolment = enrolment_for(candidate, credential)
    if enrolment is None:
        raise NotFoundError(f"not enrolled in {credential}")
    authorize(policies.can_enrol(user, candidate))
    catalog = current_catalog()
    definition = catalog.get(credential)
    if definition is None:
        raise NotFoundError(f"credential {credential!r} is not loaded")
    form = forms.PathwayForm()
    form.pathway.choices = list(definition.pathways.items())
    if not form.validate_on_submit():
        flash(_("Choose one of the credential's pathways."), "error")
        return redirect(
            url_for("candidates.progress", candidate_id=candidate.id, credential=credential)
        )
    ops.switch_pathway(user, candidate, enrolment, catalog, form.pathway.data)
    flash(
        _(
            "Pathway changed to %(pathway)s.",
            pathway=definition.pathway_name(form.pathway.data, current_language()),
        ),
        "success",
    )
    return redirect(
        url_for("candidates.progress", candidate_id=candidate.id, credential=credential)
    )


# --- waivers --------------------------------------------------------------------------


@bp.get("/candidates/<int:candidate_id>/waivers")
@login_required
def waivers(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    catalog = current_catalog()
    form = None
    if policies.can_grant_waiver(user, candidate):
        form = _waiver_form(catalog, evaluate_cohort(catalog, [candidate], today()))
    return _waivers_page(user, candidate, catalog, form)


def _waivers_page(
    user: User,
    candidate: User,
    catalog: Catalog,
    form: Any,
    revoke_forms: dict[int, Any] | None = None,
    status: int = 200,
) -> Any:
    rows = db.session.scalars(
        select(Waiver).where(Waiver.candidate_id == candidate.id).order_by(Waiver.id.desc())
    ).all()
    may_revoke = policies.can_grant_waiver(user, candidate)
    forms_by_id = dict(revoke_forms or {})
    for row in rows:
        if may_revoke and row.revoked_on is None and row.id not in forms_by_id:
            forms_by_id[row.id] = forms.RevokeForm(prefix=f"w{row.id}")
    on = today()
    return render_template(
        "candidates/waivers.html",
        candidate=candidate,
        waivers=rows,
        status_of={row.id: waiver_status(row, on) for row in rows},
        titles={
            (row.credential, row.requirement): _requirement_title(catalog, row) for row in rows
        },
        waiver_form=form,
        revoke_forms=forms_by_id,
        revoked_by={
            row.id: db.session.get(User, row.revoked_by_id) for row in rows if row.revoked_by_id
        },
    ), status


def _requirement_title(catalog: Catalog, row: Waiver) -> str:
    definition = catalog.get(row.credential)
    if definition is None:
        return f"{row.credential}: {row.requirement}"
    lang = current_language()
    title = definition.node_titles(lang).get(row.requirement, row.requirement)
    return f"{definition.name_in(lang)}: {title}"


@bp.post("/candidates/<int:candidate_id>/waivers")
@login_required
def grant_waiver(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_grant_waiver(user, candidate), "only coordinators grant waivers")
    catalog = current_catalog()
    progress = evaluate_cohort(catalog, [candidate], today())
    form = _waiver_form(catalog, progress)
    status = 400
    if form.validate_on_submit():
        try:
            ops.grant_waiver(
                user,
                candidate,
                catalog,
                {
                    "credential": form.credential.data,
                    "requirement": form.requirement.data,
                    "reason": form.reason.data,
                    "expires_on": form.expires_on.data.isoformat()
                    if form.expires_on.data
                    else None,
                },
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.requirement.errors = [*form.requirement.errors, exc.message]
            status = 409
        else:
            flash(_("The waiver was granted."), "success")
            return redirect(url_for("candidates.waivers", candidate_id=candidate.id))
    if request.form.get("from") == "waivers":
        return _waivers_page(user, candidate, catalog, form, status=status)
    return _profile_page(candidate, catalog, progress, form, status=status)


@bp.post("/candidates/<int:candidate_id>/waivers/<int:waiver_id>/revoke")
@login_required
def revoke_waiver(candidate_id: int, waiver_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    waiver = load_record(user, Waiver, waiver_id, "waiver")
    if waiver.candidate_id != candidate.id:
        raise NotFoundError(f"waiver {waiver_id} not found")
    authorize(policies.can_grant_waiver(user, candidate), "only coordinators revoke waivers")
    form = forms.RevokeForm(prefix=f"w{waiver.id}")
    status = 400
    if form.validate_on_submit():
        try:
            ops.revoke_waiver(user, candidate, waiver, {"reason": form.reason.data})
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.reason.errors = [*form.reason.errors, exc.message]
            status = 409
        else:
            flash(_("The waiver was revoked."), "success")
            return redirect(url_for("candidates.waivers", candidate_id=candidate.id))
    catalog = current_catalog()
    grant = _waiver_form(catalog, evaluate_cohort(catalog, [candidate], today()))
    return _waivers_page(user, candidate, catalog, grant, {waiver.id: form}, status=status)


# --- cohort ---------------------------------------------------------------------------

COHORT_PAGE_SIZE = 100
SORT_KEYS = ("name", "credential", "status", "progress", "due", "pending")


@bp.get("/cohort")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort() -> Any:
    user = actor()
    visible = visible_candidates_query(user)
    sort = request.args.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    page = cohort_page(
        visible,
        sort=sort,
        descending=direction == "desc",
        page=page_number(request.args.get("page")),
        per_page=COHORT_PAGE_SIZE,
    )
    return render_template(
        "candidates/cohort.html",
        page=page,
        # The whole table is a cached fragment under its order and its rows' keys.
        table_key=(sort, direction, tuple(row["cache_key"] for row in page.rows)),
        sort=sort,
        direction=direction,
        not_enrolled=not_enrolled(visible),
    )


@bp.get("/cohort.csv")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_csv() -> Any:
    """The same CSV as the API's cohort (the columns of CohortRow, every cell made safe)."""
    text, _total = cohort_csv_text(cohort_select(visible_candidates_query(actor())))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=cohort-{today().isoformat()}.csv"},
    )
