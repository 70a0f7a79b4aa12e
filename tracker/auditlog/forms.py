"""The audit page's filters (GET, no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    candidate = SelectField(_l("Candidate"), validate_choice=False)
    action = SelectField(_l("Action"), validate_choice=False)
