"""Page forms for internships. The operations validate; the forms collect and carry CSRF."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length

from tracker.approvals.forms import Pinned
from tracker.i18n import lazy_gettext as _l
from tracker.records.schemas import InternshipIn
from tracker.web.schema_forms import form_class

# Built from the internship's schema; the kind of work and supervision keep their defaults.
InternshipForm = form_class(InternshipIn, exclude=("category", "supervised"))


class SignOffForm(Pinned):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=2000)])


class ReturnForm(Pinned):
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000)],
        description=_l("Required: the candidate sees it and can log a corrected internship."),
    )
