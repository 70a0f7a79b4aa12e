"""Page forms for candidate records: built from the schemas; they give CSRF and widgets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.i18n import lazy_gettext as _l
from tracker.records.kinds import CANDIDATE_KINDS, KINDS
from tracker.records.schemas import DEGREE_LEVELS as SCHEMA_LEVELS
from tracker.records.words import DEGREE_LEVELS
from tracker.web.schema_forms import SchemaForm, form_class

# The schema's levels (records/schemas.py), each with its word.
LEVEL_CHOICES = [(level, DEGREE_LEVELS[level]) for level in SCHEMA_LEVELS]

# One form per record kind, built from the kind's schema (records/schemas.py).
RECORD_FORMS: dict[str, type[SchemaForm]] = {
    name: form_class(kind.schema) for name, kind in KINDS.items() if name in CANDIDATE_KINDS
}


class EvidenceForm(FlaskForm):
    file = FileField(
        _l("Evidence file (PDF, PNG or JPEG, up to 10 MB)"), validators=[FileRequired()]
    )


class EnrolForm(FlaskForm):
    credential = SelectField(_l("Credential"), validators=[DataRequired()])
    pathway = SelectField(_l("Pathway"), validators=[Optional()], validate_choice=False)


class PathwayForm(FlaskForm):
    pathway = SelectField(_l("Pathway"), validators=[DataRequired()])


class WaiverForm(FlaskForm):
    credential = SelectField(_l("Credential"), validators=[DataRequired()])
    requirement = SelectField(_l("Requirement"), validators=[DataRequired()], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    expires_on = DateField(_l("Expires on (optional)"), validators=[Optional()])


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the waiver is revoked"), validators=[DataRequired(), Length(max=2000)]
    )


class DeleteForm(FlaskForm):
    """CSRF only."""
