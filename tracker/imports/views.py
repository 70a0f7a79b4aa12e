"""The import page (admins, coordinators): upload a CSV, see a preview or every bad row,
then confirm; the same operation as `flask --app tracker import`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length

from tracker.accounts.auth import actor
from tracker.accounts.models import Organization, Role, User
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.imports.operations import columns, import_csv
from tracker.records.loading import authorize

bp = Blueprint("imports", __name__)
PREVIEW_ROWS = 20


class ImportForm(FlaskForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[("experience", _l("Experience hours")), ("users", _l("Users"))],
    )
    org = SelectField(_l("Organization"), validate_choice=False)
    approved_by = StringField(
        _l("Import the hours as approved by (e-mail, admins only)"), validators=[Length(max=254)]
    )
    file = FileField(_l("CSV file"))
    csv_text = HiddenField()  # the previewed file, carried to the confirmation
    confirm = HiddenField()


def _may_import(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.COORDINATOR)


def _form(user: User) -> ImportForm:
    form = ImportForm()
    if user.role is Role.ADMIN:
        orgs = db.session.scalars(select(Organization).order_by(Organization.name))
        form.org.choices = [(str(o.id), o.name) for o in orgs]
    else:
        form.org.choices = [(str(user.organization_id), user.organization.name)]  # type: ignore[union-attr]
    return form


def _render(form: ImportForm, status: int = 200, **context: Any) -> Any:
    return render_template(
        "imports/import.html",
        form=form,
        columns={kind: columns(kind) for kind in ("users", "experience")},
        **context,
    ), status


@bp.get("/import")
@login_required
def page() -> Any:
    user = actor()
    authorize(_may_import(user), _("only admins and coordinators import"))
    return _render(_form(user))


@bp.post("/import")
@login_required
def upload() -> Any:
    user = actor()
    authorize(_may_import(user), _("only admins and coordinators import"))
    form = _form(user)
    if not form.validate_on_submit():
        return _render(form, 400)
    raw: bytes
    if form.confirm.data and form.csv_text.data:
        raw = form.csv_text.data.encode("utf-8")
    elif form.file.data:
        raw = form.file.data.read()
    else:
        form.file.errors = [_("Choose a CSV file.")]
        return _render(form, 400)
    org_id = int(form.org.data) if (form.org.data or "").isdigit() else None
    approver = None
    if form.approved_by.data:
        approver = db.session.scalar(
            select(User).where(User.email == form.approved_by.data.strip().lower())
        )
        if approver is None:
            form.approved_by.errors = [_("No user has this e-mail.")]
            return _render(form, 400)
    try:
        report = import_csv(user, form.kind.data, raw, org_id=org_id, approver=approver)
    except ValidationError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _render(form, 400)
    if report.errors or not form.confirm.data:
        db.session.rollback()  # a preview writes nothing
        if not report.errors:
            try:
                form.csv_text.data = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.csv_text.data = ""
        return _render(
            form,
            400 if report.errors else 200,
            errors=report.lines(),
            preview=report.rows[:PREVIEW_ROWS],
            total=report.written,
        )
    flash(_("Imported %(count)s rows.", count=report.written), "success")
    return redirect(url_for("imports.page"))
