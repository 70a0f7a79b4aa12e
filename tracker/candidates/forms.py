"""Page forms for candidate records. Operations re-validate; these give CSRF and widgets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

LEVEL_CHOICES = [
    ("associate", "Associate"),
    ("bachelor", "Bachelor's"),
    ("master", "Master's"),
    ("doctorate", "Doctorate"),
]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DegreeForm(FlaskForm):
    level = SelectField("Level", choices=LEVEL_CHOICES, validators=[DataRequired()])
    field = StringField("Field of study", validators=[DataRequired(), Length(max=200)])
    institution = StringField("Institution", validators=[DataRequired(), Length(max=200)])
    accredited = BooleanField("Accredited when the degree was awarded", default=True)
    conferred_on = DateField("Conferred on", validators=[Optional()])


class CourseForm(FlaskForm):
    title = StringField("Course title", validators=[DataRequired(), Length(max=200)])
    provider = SelectField("Provider", validators=[DataRequired()])
    topics = CheckboxesField("Topics covered", validators=[Optional()])
    other_topics = StringField(
        "Other topics (comma-separated)", validators=[Optional(), Length(max=500)]
    )
    credits = DecimalField(
        "Credits or CE hours", places=2, validators=[Optional(), NumberRange(min=0)]
    )
    completed_on = DateField("Completed on", validators=[Optional()])
    passed = BooleanField("Passed", default=True)


class ExamForm(FlaskForm):
    code = SelectField("Exam", validators=[DataRequired()])
    taken_on = DateField("Taken on", validators=[InputRequired()])
    passed = SelectField("Result", choices=[("true", "Passed"), ("false", "Not passed")])


class AttestationForm(FlaskForm):
    kind = SelectField("Attestation", validators=[DataRequired()])
    signed_on = DateField("Signed on", validators=[Optional()])
    statement = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])


class HeldCredentialForm(FlaskForm):
    credential_id = SelectField("Credential", validators=[DataRequired()])
    awarded_on = DateField("Awarded on", validators=[InputRequired()])
    expires_on = DateField(
        "Expires on (leave empty if it does not expire)", validators=[Optional()]
    )


class ExperienceForm(FlaskForm):
    start = DateField("First day", validators=[InputRequired()])
    end = DateField("Last day", validators=[InputRequired()])
    hours = DecimalField(
        "Hours worked in this period", places=2, validators=[InputRequired(), NumberRange(min=0.01)]
    )
    category = SelectField("Kind of work", validators=[DataRequired()])
    supervised = BooleanField(
        "Directly supervised by a CFP® professional who attests to these hours"
    )
    employer = StringField("Employer", validators=[Optional(), Length(max=200)])
    description = TextAreaField("What you did", validators=[Optional(), Length(max=2000)])


class EvidenceForm(FlaskForm):
    file = FileField("Evidence file (PDF, PNG or JPEG, up to 10 MB)", validators=[FileRequired()])


class EnrolForm(FlaskForm):
    credential = SelectField("Credential", validators=[DataRequired()])
    pathway = SelectField("Pathway", validators=[Optional()], validate_choice=False)


class PathwayForm(FlaskForm):
    pathway = SelectField("Pathway", validators=[DataRequired()])


class WaiverForm(FlaskForm):
    credential = SelectField("Credential", validators=[DataRequired()])
    requirement = SelectField("Requirement", validators=[DataRequired()], validate_choice=False)
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


class DeleteForm(FlaskForm):
    """CSRF only."""
