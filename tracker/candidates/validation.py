"""Parsers for user input shared by forms, the API and the seed loader.

Each raises ValidationError naming the field; none touches the database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.errors import ValidationError

EARLIEST = date(1950, 1, 1)
# Far enough for any plan; the engine adds validity periods and grace years to dates, so
# a date near 9999-12-31 would overflow the calendar there.
LATEST = date(2199, 12, 31)
DEGREE_LEVELS = ("associate", "bachelor", "master", "doctorate")
SOURCES = ("employment", "internship")
MAX_ID = 2**31 - 1

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Plain decimals; a comma only as a thousands separator (so "1,5" is refused, not read as 15).
_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?", re.ASCII)
_SLUG = re.compile(r"[a-z0-9-]+", re.ASCII)


def parse_date(value: Any, field: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError(field, "is required")
        return None
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            parsed = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(field, f"{value!r} is not a date (use YYYY-MM-DD)") from None
    else:
        raise ValidationError(field, "must be a date (YYYY-MM-DD)")
    if parsed < EARLIEST:
        raise ValidationError(field, f"must be on or after {EARLIEST.isoformat()}")
    if parsed > LATEST:
        raise ValidationError(field, f"must be on or before {LATEST.isoformat()}")
    return parsed


def parse_number(
    value: Any, field: str, *, minimum: float = 0, maximum: float = 1e6, allow_zero: bool = True
) -> float:
    if isinstance(value, bool) or value in (None, ""):
        raise ValidationError(field, "is required" if value in (None, "") else "must be a number")
    if isinstance(value, str):
        text = value.strip()
        if not text.strip("+-") or not _DECIMAL.fullmatch(text):
            raise ValidationError(field, f"{value!r} is not a number")
        value = float(text.replace(",", ""))
    if not isinstance(value, int | float):
        raise ValidationError(field, "must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        raise ValidationError(field, f"must be at most {maximum:g}") from None
    if not math.isfinite(number):
        raise ValidationError(field, "must be a number")
    number = round(number, 2) + 0.0  # what is stored; 0.001 must not pass as "greater than 0"
    if number < minimum or (not allow_zero and number == 0):
        raise ValidationError(
            field,
            "must be at least 0.01"
            if not allow_zero and minimum <= 0
            else f"must be at least {minimum:g}",
        )
    if number > maximum:
        raise ValidationError(field, f"must be at most {maximum:g}")
    return number


def parse_bool(value: Any, field: str, *, default: bool | None = None) -> bool:
    if value in (None, ""):
        if default is None:
            raise ValidationError(field, "is required")
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "y", "1", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "n", "0", "off"):
        return False
    raise ValidationError(field, "must be true or false")


def parse_text(value: Any, field: str, *, required: bool = True, max_len: int = 200) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    value = value.strip()
    if "\x00" in value or not _encodable(value):
        raise ValidationError(field, "contains a character that is not allowed")
    if required and not value:
        raise ValidationError(field, "is required")
    if len(value) > max_len:
        raise ValidationError(field, f"must be at most {max_len} characters")
    return value


def _encodable(text: str) -> bool:
    """False for lone surrogates ("\\ud800" in JSON), which no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_slug(value: Any, field: str, *, choices: Iterable[str] | None = None) -> str:
    """Identifiers matched against definitions' ids: ASCII letters, digits and '-'."""
    text = parse_text(value, field, max_len=64).lower()
    if not _SLUG.fullmatch(text):
        raise ValidationError(field, f"{text!r} may hold only letters a-z, digits and '-'")
    if choices is not None:
        allowed = sorted(set(choices))
        if allowed and text not in allowed:
            raise ValidationError(field, f"unknown value {text!r}; use one of {', '.join(allowed)}")
    return text


def parse_id(value: Any, field: str) -> int:
    """A row id: a whole number (or its digits as text, as forms send it), never 2.5 read as 2."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value in (None, ""):
        raise ValidationError(field, "is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "must be a whole number (an id)")
    if not 1 <= value <= MAX_ID:
        raise ValidationError(field, f"must be between 1 and {MAX_ID}")
    return value


def parse_choice(value: Any, field: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    text = parse_text(value, field, max_len=64).lower()
    if text not in allowed:
        raise ValidationError(field, f"unknown value {text!r}; use one of {', '.join(allowed)}")
    return text


def parse_topics(value: Any, field: str = "topics") -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",")]
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list of topics")
    topics = [
        parse_slug(item, field)
        for item in value
        if not (isinstance(item, str) and not item.strip())
    ]
    if len(topics) > 30:
        raise ValidationError(field, "at most 30 topics")
    return sorted(set(topics))


@dataclass(frozen=True)
class Field:
    name: str
    parse: Callable[[Any, str], Any]
    required: bool = True


def parse_fields(
    spec: Iterable[Field], data: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Parse every field of the spec, collecting all errors before raising."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = set()
    for f in spec:
        known.add(f.name)
        if partial and f.name not in data:
            continue
        try:
            clean[f.name] = f.parse(data.get(f.name), f.name)
        except ValidationError as exc:
            errors.update(exc.errors)
    unknown = sorted(set(data) - known - {"id", "csrf_token", "submit", "status"})
    for name in unknown:
        errors.setdefault(name, "is not a field of this record")
    if errors:
        raise ValidationError.from_errors(errors)
    return clean
