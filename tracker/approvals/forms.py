from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    candidate = SelectField("Candidate", validators=[Optional()], validate_choice=False)
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    category = SelectField("Kind of work", validators=[Optional()], validate_choice=False)


class DecisionForm(FlaskForm):
    """CSRF for approve and bulk-approve."""


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason for rejecting", validators=[DataRequired(), Length(max=2000)])


class BulkForm(FlaskForm):
    action = SelectField(
        "Action", choices=[("approve", "Approve selected")], validators=[DataRequired()]
    )
