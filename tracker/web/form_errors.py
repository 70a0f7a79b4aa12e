"""Showing an operation's ValidationError on the page form that sent the input."""

from __future__ import annotations

from typing import Any

from tracker.errors import ValidationError

_FRAGMENTS = ("is ", "must ", "cannot ", "does ", "contains ", "may ", "has ")


def sentence(message: str, label: str) -> str:
    """Operations word errors to follow the field's name ("is required"): make them read."""
    if message.startswith(_FRAGMENTS):
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def apply_errors(form: Any, exc: ValidationError) -> None:
    """Put each error on the field it names; errors naming no visible field go on the form."""
    for name, message in exc.errors.items():
        field = form._fields.get(name)
        if field is not None and field.type not in ("CSRFTokenField", "HiddenField"):
            field.errors = [*field.errors, sentence(message, field.label.text)]
        else:
            form.form_errors.append(sentence(message, name.replace("_", " ").capitalize()))
