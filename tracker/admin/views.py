"""Administration pages: users, organizations, API tokens and credential definitions.

Every route of this blueprint is for admins only: the check runs before any view
(anonymous → login, other roles → 403), so no view can forget it.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.accounts import operations as accounts
from tracker.accounts import policies
from tracker.accounts.auth import actor
from tracker.accounts.models import Role, User
from tracker.admin import forms, queries
from tracker.credentials.catalog import current_catalog
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.extensions import login_manager
from tracker.i18n import gettext as _
from tracker.mail import public_url
from tracker.records.loading import authorize
from tracker.web.form_errors import apply_errors
from tracker.web.paging import row_id

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    authorize(policies.can_manage_users(actor()), _("only administrators manage the installation"))
    return None


# --- users -----------------------------------------------------------------------------------


def _create_user_form() -> forms.CreateUserForm:
    form = forms.CreateUserForm()
    form.org.choices = forms.organization_choices(
        queries.organizations(), blank=_("None (administrators only)")
    )
    return form


def _users_page(create_form: forms.CreateUserForm, status: int = 200) -> Any:
    orgs = queries.organizations()
    flt = forms.UserFilterForm(request.args)
    flt.org.choices = forms.organization_choices(orgs, blank=_("All organizations"))
    org_id = row_id(flt.org.data)
    role = Role(flt.role.data) if flt.role.data in {r.value for r in Role} else None
    people = queries.users(org_id, role)
    return render_template(
        "admin/users.html",
        title=_("Users"),
        users=people,
        filter_form=flt,
        filtered=org_id is not None or role is not None,
        form=create_form,
    ), status


def _org_id(raw: str | None) -> int | None:
    """The chosen organization; a value that is no id at all is one that does not exist (0)."""
    if not raw:
        return None
    return row_id(raw) or 0


@bp.get("/users")
def users() -> Any:
    return _users_page(_create_user_form())


@bp.post("/users")
def create_user() -> Any:
    form = _create_user_form()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data or None,
                organization_id=_org_id(form.org.data),
                invite_base_url=public_url(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(
                _("%(name)s (%(email)s) can now log in.", name=user.name, email=user.email)
                if form.password.data
                else _("%(name)s (%(email)s) was mailed an invitation to set a password.",
                       name=user.name, email=user.email),
                "success",
            )  # fmt: skip
            return redirect(url_for("admin.user", user_id=user.id))
    return _users_page(form, 400)


def _user_page(user: User, status: int = 200, **overrides: Any) -> Any:
    context: dict[str, Any] = {
        "role_form": forms.ChangeRoleForm(formdata=None, role=user.role.value),
        "active_form": forms.DeactivateForm() if user.active else forms.ReactivateForm(),
        "password_form": forms.ResetPasswordForm(formdata=None),
        "issue_form": forms.IssueTokenForm(),
        "revoke_form": forms.RevokeTokenForm(),
        "new_token": None,
    }
    context.update(overrides)
    return render_template(
        "admin/user.html",
        title=user.name,
        user=user,
        tokens=queries.tokens_of(user),
        is_self=user.id == actor().id,
        **context,
    ), status


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> Any:
    return _user_page(queries.get_user(user_id))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int) -> Any:
    user = queries.get_user(user_id)
    form = forms.ChangeRoleForm()
    if form.validate_on_submit():
        try:
            before = user.role
            accounts.change_role(actor(), user, form.role.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(
                _("%(name)s is now %(role)s (was %(before)s).", name=user.name,
                  role=accounts.role_title(user.role), before=accounts.role_title(before)),
                "success",
            )  # fmt: skip
            return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, 400, role_form=form)


def _set_active(user_id: int, form: Any, active: bool) -> Any:
    user = queries.get_user(user_id)
    if form.validate_on_submit():
        try:
            accounts.set_active(actor(), user, active)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if active:
                flash(_("%(name)s is active again and can log in.", name=user.name), "success")
            else:
                flash(
                    _("%(name)s is deactivated; their sessions have ended.", name=user.name),
                    "success",
                )
            return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, 400, active_form=form)


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Any:
    return _set_active(user_id, forms.DeactivateForm(), False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Any:
    return _set_active(user_id, forms.ReactivateForm(), True)


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int) -> Any:
    user = queries.get_user(user_id)
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(actor(), user, form.password.data or "")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(
                _("The password of %(name)s was changed; their sessions have ended.",
                  name=user.name),
                "success",
            )  # fmt: skip
            return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, 400, password_form=form)


@bp.post("/users/<int:user_id>/invitation")
def resend_invitation(user_id: int) -> Any:
    """Mail the user a new set-your-password link (the earlier one keeps working until used)."""
    user = queries.get_user(user_id)
    form = forms.IssueTokenForm()  # a form with only the CSRF token
    if not form.validate_on_submit():
        return _user_page(user, 400)
    if not user.active:
        raise ConflictError(_("%(name)s is deactivated; reactivate them first.", name=user.name))
    accounts.send_invitation(actor(), user, public_url())
    flash(_("An invitation to set a password was mailed to %(email)s.", email=user.email),
          "success")  # fmt: skip
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens")
def issue_token(user_id: int) -> Any:
    """Answers with the page itself (200): the clear token is shown once, never stored."""
    user = queries.get_user(user_id)
    form = forms.IssueTokenForm()
    if form.validate_on_submit():
        try:
            token, raw = accounts.issue_token(actor(), user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(
                _("Token %(prefix)s… issued. Copy it now: it is shown only once.",
                  prefix=token.prefix),
                "success",
            )  # fmt: skip
            return _user_page(user, new_token=raw)
    return _user_page(user, 400, issue_form=form)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token(user_id: int, token_id: int) -> Any:
    user = queries.get_user(user_id)
    token = queries.get_token(user, token_id)
    form = forms.RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.revoke_token(actor(), token)
    except ConflictError as exc:
        flash(
            _("Token %(prefix)s…: %(problem)s.", prefix=token.prefix, problem=exc.message), "info"
        )
    else:
        flash(
            _("Token %(prefix)s… revoked; it no longer opens the API.", prefix=token.prefix),
            "success",
        )
    return redirect(url_for("admin.user", user_id=user.id))


# --- organizations ---------------------------------------------------------------------------


def _organizations_page(form: forms.CreateOrganizationForm, status: int = 200) -> Any:
    return render_template(
        "admin/organizations.html",
        title=_("Organizations"),
        summaries=queries.organization_summaries(),
        form=form,
    ), status


@bp.get("/organizations")
def organizations() -> Any:
    return _organizations_page(forms.CreateOrganizationForm())


@bp.post("/organizations")
def create_organization() -> Any:
    form = forms.CreateOrganizationForm()
    if form.validate_on_submit():
        try:
            org = accounts.create_organization(actor(), form.name.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Organization %(name)s created.", name=org.name), "success")
            return redirect(url_for("admin.organizations"))
    return _organizations_page(form, 400)


# --- credential definitions (read-only) -------------------------------------------------------


@bp.get("/credentials")
def definitions() -> Any:
    catalog = current_catalog()
    return render_template(
        "admin/definitions.html",
        title=_("Credential definitions"),
        catalog=catalog,
        broken=sum(1 for f in catalog.files if not f.ok),
    )


@bp.get("/credentials/<credential_id>")
def definition(credential_id: str) -> Any:
    catalog = current_catalog()
    found = catalog.get(credential_id)
    if found is None:
        raise NotFoundError(_("credential definition %(id)s not found", id=credential_id))
    file = next((f for f in catalog.files if f.definition is found), None)
    return render_template(
        "admin/definition.html",
        title=found.name,
        definition=found,
        file=file,
        node_count=len(found.node_titles()),
    )


# --- background tasks: failed ones (the dead-letter list) and recent long jobs ---------------


def _task_backend() -> Any:
    from tracker import tasks

    return tasks.backend_for(current_app._get_current_object())  # type: ignore[attr-defined]


@bp.get("/tasks")
def tasks_page() -> Any:
    backend = _task_backend()
    return render_template(
        "admin/tasks.html",
        title=_("Background tasks"),
        failed=backend.failed(),
        on_redis=bool(current_app.config.get("REDIS_URL")),
        jobs=queries.recent_jobs(),
    )


def _failed_task_id(task_id: str) -> str:
    from tracker.tasks.storage import JOB_ID

    if not JOB_ID.match(task_id.replace("-", "_")):
        raise NotFoundError(_("no failed task %(id)s", id=task_id))
    return task_id


@bp.post("/tasks/<task_id>/retry")
def retry_task(task_id: str) -> Any:
    if not _task_backend().retry_failed(_failed_task_id(task_id)):
        raise NotFoundError(_("no failed task %(id)s", id=task_id))
    flash(_("Task %(id)s queued again.", id=task_id), "success")
    return redirect(url_for("admin.tasks_page"), code=303)


@bp.post("/tasks/<task_id>/delete")
def delete_task(task_id: str) -> Any:
    if not _task_backend().delete_failed(_failed_task_id(task_id)):
        raise NotFoundError(_("no failed task %(id)s", id=task_id))
    flash(_("Task %(id)s deleted.", id=task_id), "success")
    return redirect(url_for("admin.tasks_page"), code=303)
