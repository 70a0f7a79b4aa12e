from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.i18n import lazy_gettext as _l


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    candidate = SelectField(_l("Candidate"), validators=[Optional()], validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    category = SelectField(_l("Kind of work"), validators=[Optional()], validate_choice=False)


class Pinned(FlaskForm):
    """A decision names the version of the entry the decider saw (and what it said), so that
    a decision on a changed entry is refused and the page can say what changed."""

    version = HiddenField()
    seen_hours = HiddenField()
    seen_start = HiddenField()
    seen_end = HiddenField()

    def pinned_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def seen(self) -> dict[str, str]:
        return {
            "hours": self.seen_hours.data or "",
            "start": self.seen_start.data or "",
            "end": self.seen_end.data or "",
        }


class DecisionForm(Pinned):
    """CSRF and the entry's version for approve."""


class RejectForm(Pinned):
    reason = TextAreaField(
        _l("Reason for rejecting"), validators=[DataRequired(), Length(max=2000)]
    )


class BulkForm(FlaskForm):
    action = SelectField(
        _l("Action"),
        choices=[("approve", _l("Approve selected")), ("reject", _l("Reject selected"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason for rejecting the selected entries"), validators=[Length(max=2000)]
    )
