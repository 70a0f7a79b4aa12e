"""Page forms for internships. The operations validate; the forms collect and carry CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length


class InternshipForm(FlaskForm):
    mentor_id = SelectField("Mentor", validate_choice=False)
    host = StringField("Host firm", validators=[Length(max=200)])
    start = StringField("Start", render_kw={"type": "date"})
    end = StringField("End", render_kw={"type": "date"})
    hours = StringField(
        "Hours", render_kw={"type": "number", "min": "0", "step": "0.25", "inputmode": "decimal"}
    )


class SignOffForm(FlaskForm):
    comment = TextAreaField("Comment (optional)", validators=[Length(max=2000)])


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[Length(max=2000)],
        description="Required: the candidate sees it and can log a corrected internship.",
    )
