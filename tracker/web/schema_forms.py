"""Page forms built from a schema: the schema declares the fields, WTForms renders them.

WTForms only converts what the browser sends (text) into typed values and carries CSRF;
the schema validates (the same rules as the API), and its errors are put back on the
fields they name. Vocabulary selects get their choices from the view.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import get_locale
from flask_wtf import FlaskForm
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.errors import ValidationError
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.web.form_errors import apply_errors

LONG_TEXT = 500


class SchemaForm(FlaskForm):
    """A form whose fields form_class adds from a schema: to type checkers, any attribute
    is one of them (at run time a name that is not a field still raises AttributeError)."""

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


# The words for the schemas' fixed choices (a Literal's values), in the page's language.
VALUE_LABELS = {
    "finra": _l("FINRA registration (Form U4 to Form U5)"),
    "experience": _l("Experience entry"),
    "internship": _l("Internship"),
    "approve": _l("Approve"),
    "reject": _l("Reject"),
}


def value_label(value: Any) -> Any:
    """Lazy where known (forms are built at import time, shown in each page's language)."""
    label = VALUE_LABELS.get(str(value))
    return label if label is not None else str(value).replace("-", " ").capitalize()


class LocalDecimalField(DecimalField):
    """A number as the page's language writes it: "37,5" (or "37.5") in Polish, "1,234.5" in
    English; shown back the same way."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        locale = get_locale()
        text = str(valuelist[0]).strip()
        if locale is not None and locale.language == "pl":
            text = text.replace(" ", "\u00a0")  # Polish groups thousands with a space
        try:
            self.data = parse_decimal(text, locale=locale or "en", strict=True)
        except (NumberFormatError, ValueError):
            self.data = None
            raise ValueError(_("Not a valid number.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return format_decimal(self.data, "0.##", locale=get_locale() or "en")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether None was allowed."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])[0], True
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation, False


def _extra(info: FieldInfo) -> Mapping[str, Any]:
    extra: dict[str, Any] = {}
    for item in info.metadata:
        found = getattr(item, "json_schema_extra", None)
        if isinstance(found, dict):
            extra.update(found)
    if isinstance(info.json_schema_extra, dict):
        extra.update(info.json_schema_extra)
    return extra


def _max_length(info: FieldInfo) -> int | None:
    for item in info.metadata:
        value = getattr(item, "max_length", None)
        if value is not None:
            return int(value)
    return None


def _field(name: str, info: FieldInfo, labels: Mapping[str, str]) -> Field:
    label: Any = labels.get(name) or (_l(info.title) if info.title else None)
    label = label or name.replace("_", " ").capitalize()
    description: Any = _l(info.description) if info.description else ""
    required = info.is_required()
    presence = [InputRequired()] if required else [Optional()]
    annotation, nullable = _unwrap(info.annotation)
    default = None if required or info.default_factory else info.default
    if annotation is bool:
        return BooleanField(label, default=bool(default), description=description)
    if annotation is date:
        return DateField(label, validators=presence, description=description)
    if annotation is float:
        return LocalDecimalField(
            label,
            places=2,
            validators=presence,
            description=description,
            render_kw={"inputmode": "decimal"},
        )
    if annotation is int:
        return SelectField(label, validators=presence, coerce=_int_or_none, validate_choice=False,
                           description=description)  # fmt: skip
    if typing.get_origin(annotation) is Literal:
        values = typing.get_args(annotation)
        choices = [(v, value_label(v)) for v in values]
        return SelectField(label, choices=choices, validators=presence, default=default,
                           description=description)  # fmt: skip
    if typing.get_origin(annotation) is list:
        return CheckboxesField(label, validators=[Optional()], description=description)
    if "x-vocabulary" in _extra(info):
        return SelectField(label, validators=presence, default=default, description=description)
    if (_max_length(info) or 0) > LONG_TEXT:
        return TextAreaField(label, validators=presence, default=default, description=description)
    return StringField(label, validators=presence, default=default, description=description)


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def form_class(
    schema: type[BaseModel],
    *,
    exclude: Iterable[str] = (),
    labels: Mapping[str, str] | None = None,
) -> type[SchemaForm]:
    """A FlaskForm with one field per schema field (Python names), in the schema's order."""
    skipped = set(exclude) | set(getattr(schema, "ignored", ()))
    attrs: dict[str, Any] = {
        name: _field(name, info, labels or {})
        for name, info in schema.model_fields.items()
        if name not in skipped
    }
    return type(f"{schema.__name__.removesuffix('In')}Form", (SchemaForm,), attrs)


def form_data(form: FlaskForm, schema: type[BaseModel]) -> dict[str, Any]:
    """What the form holds, as the schema's input (empty optional fields left out)."""
    data: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        if name not in form._fields:
            continue
        value = form._fields[name].data
        if isinstance(value, Decimal):
            value = float(value)
        if isinstance(value, str) and not value.strip() and not info.is_required():
            continue
        if value is None and not info.is_required():
            continue
        data[name] = value
    return data


def row_data(values: Mapping[str, Any], schema: type[BaseModel]) -> dict[str, Any]:
    """A record's values (API names, JSON) as form data (Python names, dates as dates)."""
    out: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        value = values.get(info.alias or name)
        annotation, _nullable = _unwrap(info.annotation)
        if annotation is date and isinstance(value, str):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def show_errors(form: FlaskForm, exc: ValidationError, schema: type[BaseModel]) -> None:
    """The schema's errors on the fields they name (API names mapped back to the form's)."""
    aliases = {info.alias: name for name, info in schema.model_fields.items() if info.alias}
    if aliases:
        renamed = {aliases.get(k, k): v for k, v in exc.errors.items()}
        exc = ValidationError.from_errors(renamed)
    apply_errors(form, exc)
