"""The audit page's filters (GET, no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from tracker.i18n import lazy_gettext as _l


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    candidate = SelectField(_l("Candidate"), validate_choice=False)
    action = SelectField(_l("Action"), validate_choice=False)
