"""One form per administration use case. The operations validate; the forms collect."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Length

from tracker.accounts.models import Organization, Role
from tracker.accounts.operations import ROLE_TITLES
from tracker.i18n import lazy_gettext as _l

ROLE_CHOICES = [(r.value, ROLE_TITLES[r]) for r in Role]
NO_ORG = ""


class UserFilterForm(FlaskForm):
    """The users list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    org = SelectField(_l("Organization"), id="filter-org", validate_choice=False)
    role = SelectField(
        _l("Role"),
        id="filter-role",
        choices=[("", _l("All roles")), *ROLE_CHOICES],
        validate_choice=False,
    )


class CreateUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[Length(max=254)], render_kw={"autocomplete": "off"}
    )
    name = StringField(_l("Name"), validators=[Length(max=200)], render_kw={"autocomplete": "off"})
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.CANDIDATE.value)
    org = SelectField(_l("Organization"), validate_choice=False)
    password = PasswordField(
        _l("Initial password"),
        validators=[Length(max=256)],
        description=_l(
            "At least 12 characters; not a common password. "
            "Leave it empty to mail the user an invitation to set one."
        ),
        render_kw={"autocomplete": "new-password"},
    )


class ChangeRoleForm(FlaskForm):
    role = SelectField(_l("New role"), choices=ROLE_CHOICES)


class DeactivateForm(FlaskForm):
    """Deactivating ends the user's sessions and refuses their API tokens."""


class ReactivateForm(FlaskForm):
    pass


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[Length(max=256)],
        description=_l("At least 12 characters; not a common password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("Does not match the new password."))],
        render_kw={"autocomplete": "new-password"},
    )


class IssueTokenForm(FlaskForm):
    pass


class RevokeTokenForm(FlaskForm):
    pass


class CreateOrganizationForm(FlaskForm):
    name = StringField(_l("Organization name"), validators=[Length(max=200)])


def organization_choices(orgs: Iterable[Organization], *, blank: str) -> list[tuple[str, str]]:
    return [(NO_ORG, blank), *((str(o.id), o.name) for o in orgs)]


class UploadForm(FlaskForm):
    file = FileField(_l("Definition file (YAML)"), validators=[FileRequired()])


class ActionForm(FlaskForm):
    """CSRF only: preview, publish, discard and withdraw are plain POSTs."""
