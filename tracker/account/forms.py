"""The account page's forms, one per use case."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.i18n import lazy_gettext as _l
from tracker.notices.texts import KINDS

LANGUAGE_NAMES = {"en": "English", "pl": "Polski"}


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])

    def offer(self, languages: list[str]) -> LanguageForm:
        self.language.choices = [("", _l("As my browser asks"))] + [
            (tag, LANGUAGE_NAMES.get(tag, tag)) for tag in languages
        ]
        return self


class NoticesForm(FlaskForm):
    """Ticked kinds are sent; unticked ones are turned off."""

    wanted = SelectMultipleField(
        _l("Tell me about"),
        choices=list(KINDS.items()),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class RenewCalendarForm(FlaskForm):
    """Only the CSRF token: renewing needs no input."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(_l("New password again"), validators=[DataRequired()])


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(_l("New password again"), validators=[DataRequired()])
