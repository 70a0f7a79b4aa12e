"""The /verify form: a statement code typed from paper."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.i18n import lazy_gettext as _l


class VerifyForm(FlaskForm):
    code = StringField(
        _l("Statement code"),
        validators=[
            DataRequired(message=_l("Type the code printed on the statement.")),
            Length(max=120),
        ],
        description=_l(
            "Printed under “Statement code”; letters in any case, dashes and spaces are ignored."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
