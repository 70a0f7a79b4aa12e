"""The audit page's filters (GET, no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    candidate = SelectField("Candidate", validate_choice=False)
    action = SelectField("Action", validate_choice=False)
