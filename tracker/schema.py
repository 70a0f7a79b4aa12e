"""The schema layer: strict types, field types with their limits, and parsing.

Every record kind, request body and answer is declared once as a schema (records/schemas.py,
accounts/schemas.py, api/answers.py) with the building blocks here. Input is read with
JSON's types, strictly: a string is not a number, ``"yes"`` is not a boolean, dates are
``YYYY-MM-DD`` strings. Python callers (forms, the seed loader, tests) pass dates as
``date`` objects or ISO strings; ``parse`` turns both into JSON first, so every caller gets
exactly the API's rules, and every error names the field (its API name).

Vocabulary (categories, exam codes, attestation kinds, course providers and topics) is
checked against the loaded definitions, given in the validation context as a
``Vocabulary``; so are "not in the future" checks, against the context's ``today``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic import ValidationError as SchemaError
from pydantic.fields import FieldInfo

from tracker.errors import ValidationError

EARLIEST = date(1950, 1, 1)
# Far enough for any plan; the engine adds validity periods and grace years to dates, so a
# date near 9999-12-31 would overflow the calendar there.
LATEST = date(2199, 12, 31)
MAX_ID = 2**31 - 1
MAX_HOURS = 100_000
# What the JSON Schema says of a date, beyond `format: date`: the years the server takes.
DATE_PATTERN = r"^(19[5-9][0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
SLUG_PATTERN = r"^[a-z0-9-]+$"
# Text holds at least one character that is not white space, and no NUL (PostgreSQL
# cannot store it). Python's \s is str.isspace(), what strip() removes.
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
OPTIONAL_TEXT_PATTERN = r"^[^\x00]*$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


# --- the vocabulary of the loaded definitions -------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The values the loaded definitions use; an empty set accepts any value."""

    categories: frozenset[str] = frozenset()
    exam_codes: frozenset[str] = frozenset()
    attestation_kinds: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    credential_ids: frozenset[str] = frozenset()
    extra: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def allowed(self, key: str) -> frozenset[str]:
        value = getattr(self, key, None)
        if value is None:
            value = self.extra.get(key, frozenset())
        return frozenset(value)


@dataclass(frozen=True)
class Context:
    """What validation checks against besides the input itself."""

    vocabulary: Vocabulary | None = None
    today: date | None = None


def context_of(info: ValidationInfo) -> Context:
    ctx = info.context
    return ctx if isinstance(ctx, Context) else Context()


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Marks a schema's title or description for translation (pages translate it when they
    show it; the API documents the English text)."""
    return text


# --- field types --------------------------------------------------------------------------


def _clean_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON): no database stores it
        raise ValueError("contains a character that is not allowed") from None
    return value.strip()


def _in_vocabulary(key: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        vocabulary = context_of(info).vocabulary
        allowed = vocabulary.allowed(key) if vocabulary is not None else frozenset()
        if allowed and value not in allowed:
            raise ValueError(f"unknown value {value!r}; use one of {', '.join(sorted(allowed))}")
        return value

    return AfterValidator(check)


def _text(max_length: int, required: bool) -> FieldInfo:
    pattern = TEXT_PATTERN if required else OPTIONAL_TEXT_PATTERN
    info: FieldInfo = Field(min_length=1 if required else 0, max_length=max_length, pattern=pattern)
    return info


def _vocabulary(key: str, pattern: str | None = SLUG_PATTERN, max_length: int = 64) -> FieldInfo:
    """A value the loaded definitions use; `x-vocabulary` names the list (an enum when served)."""
    info: FieldInfo = Field(
        min_length=1,
        max_length=max_length,
        pattern=pattern,
        json_schema_extra={"x-vocabulary": key},
    )
    return info


# Spelled out as Annotated[...] (not built by a function) so that type checkers see str.
_CLEAN = AfterValidator(_clean_text)
Text = Annotated[str, _text(200, True), _CLEAN]
LongText = Annotated[str, _text(2000, True), _CLEAN]
OptionalText = Annotated[str, _text(200, False), _CLEAN]
OptionalLongText = Annotated[str, _text(2000, False), _CLEAN]


def _iso_day(value: Any) -> Any:
    """A day is written YYYY-MM-DD: not a Unix timestamp ("0"), which pydantic would take."""
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("must be a date (YYYY-MM-DD)")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("is not a date (use YYYY-MM-DD)") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value


Day = Annotated[
    date,
    Field(ge=EARLIEST, le=LATEST, json_schema_extra={"pattern": DATE_PATTERN}),
    BeforeValidator(_iso_day),
]
Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=SLUG_PATTERN)]


def _integral(value: Any) -> Any:
    """JSON has one number type: 7.0 is the integer 7 (as JSON Schema's `integer` says)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_INTEGRAL = BeforeValidator(_integral)
# An integer in JSON's sense: 7 or 7.0, never "7", 7.5 or true.
Integer = Annotated[int, _INTEGRAL]
RowId = Annotated[int, Field(ge=1, le=MAX_ID), _INTEGRAL]
Category = Annotated[str, _vocabulary("categories"), _in_vocabulary("categories")]
Provider = Annotated[str, _vocabulary("providers"), _in_vocabulary("providers")]
Topic = Annotated[str, _vocabulary("topics"), _in_vocabulary("topics")]
ExamCode = Annotated[
    str, _vocabulary("exam_codes", r"^[A-Z0-9-]+$", 20), _in_vocabulary("exam_codes")
]
AttestationKind = Annotated[
    str, _vocabulary("attestation_kinds"), _in_vocabulary("attestation_kinds")
]
# The loaded definitions themselves: their ids, pathways, rules versions and requirement ids
# (which pathway, version or requirement belongs to which credential is checked by the
# operations; the document lists every value that any loaded credential has).
CredentialId = Annotated[str, _vocabulary("definitions"), _in_vocabulary("definitions")]
Pathway = Annotated[str, _vocabulary("pathways", pattern=None), _in_vocabulary("pathways")]
RulesVersion = Annotated[
    str, _vocabulary("versions", pattern=None, max_length=32), _in_vocabulary("versions")
]
RequirementId = Annotated[str, _vocabulary("requirements"), _in_vocabulary("requirements")]
Hours = Annotated[float, Field(ge=0.01, le=MAX_HOURS, allow_inf_nan=False)]


# --- the schema base ----------------------------------------------------------------------


def _nullable(prop: Mapping[str, Any]) -> bool:
    return prop.get("type") == "null" or any(_nullable(o) for o in prop.get("anyOf", ()))


def _only_real_defaults(schema: dict[str, Any]) -> None:
    """A field that may be left out but not null (filled in by a validator) shows no null
    default: the document would otherwise offer a value the server refuses."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and not _nullable(prop):
            del prop["default"]


class Schema(BaseModel):
    """Strict JSON types; unknown fields are refused (additionalProperties: false)."""

    model_config = ConfigDict(
        strict=True, extra="forbid", populate_by_name=True, json_schema_extra=_only_real_defaults
    )

    # Fields whose dates may not lie after today (the context's).
    past_dates: ClassVar[tuple[str, ...]] = ()
    # Fields accepted for compatibility but not stored.
    ignored: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _not_in_future(self, info: ValidationInfo) -> Any:
        today = context_of(info).today
        if today is not None:
            errors = {
                name: "cannot be in the future"
                for name in self.past_dates
                if (value := getattr(self, name, None)) is not None and value > today
            }
            if errors:
                raise ValidationError.from_errors(errors)
        return self


class Answer(BaseModel):
    """An answer's shape, for the OpenAPI document (answers are built by the views)."""

    model_config = ConfigDict(extra="forbid")


S = TypeVar("S", bound=BaseModel)


# --- parsing ------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this record",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "is not a date (use YYYY-MM-DD)",
    "date_from_datetime_parsing": "is not a date (use YYYY-MM-DD)",
    "date_from_datetime_inexact": "is not a date (use YYYY-MM-DD)",
    "list_type": "must be a list",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
}


def _number(value: Any) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_short":
        return "is required" if ctx.get("min_length") == 1 else error["msg"]
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} items"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern in (TEXT_PATTERN, OPTIONAL_TEXT_PATTERN):
            return (
                "is required"
                if "\x00" not in str(error.get("input"))
                else ("contains a character that is not allowed")
            )
        if pattern == EMAIL_PATTERN:
            return f"{error.get('input')!r} is not an e-mail address"
        if pattern == SLUG_PATTERN:
            return f"{error.get('input')!r} may hold only letters a-z, digits and '-'"
        return f"{error.get('input')!r} is not an allowed value"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return (
            f"must be on or after {bound}"
            if isinstance(bound, str)
            else (f"must be at least {_number(bound)}")
        )
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return (
            f"must be on or before {bound}"
            if isinstance(bound, str)
            else (f"must be at most {_number(bound)}")
        )
    if kind == "literal_error":
        return f"unknown value {error.get('input')!r}; use one of {ctx.get('expected')}"
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    if kind == "json_invalid":
        return "must be valid JSON"
    return str(error["msg"])


def _loc(error: Mapping[str, Any], schema: type[BaseModel]) -> str:
    parts = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
    if not parts:
        return "body"
    name = parts[0]
    info = schema.model_fields.get(name)
    return (
        (info.alias if info is not None and info.alias else name)
        if len(parts) == 1
        else (".".join(parts))
    )


def errors_of(exc: SchemaError, schema: type[BaseModel]) -> ValidationError:
    """A schema error as the app's ValidationError, every field named (its API name)."""
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        errors.setdefault(_loc(error, schema), _message(error))
    return ValidationError.from_errors(errors)


def parse(
    schema: type[S],
    data: S | Mapping[str, Any] | bytes | str,
    context: Context | None = None,
) -> S:
    """Validate input against a schema, with JSON's types; ValidationError names each field.

    A body already validated by this schema (the API's `body()`) is taken as it is."""
    if isinstance(data, schema):
        return data
    raw = data if isinstance(data, bytes | str) else json.dumps(data, default=_json_default)
    try:
        return schema.model_validate_json(raw, context=context or Context())
    except SchemaError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            _unstorable_text(raw, schema)
        raise errors_of(exc, schema) from None
    except RecursionError:
        raise ValidationError("body", "is nested too deeply") from None


def _unstorable_text(raw: bytes | str, schema: type[BaseModel]) -> None:
    """JSON may escape a lone surrogate ("\\ud800"), which no database stores: name the field."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return
    if not isinstance(document, dict):
        return

    def bad(value: Any) -> bool:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
            return False
        if isinstance(value, list):
            return any(bad(v) for v in value)
        return False

    errors = {str(k): "contains a character that is not allowed" for k, v in document.items()
              if bad(v)}  # fmt: skip
    if errors:
        raise ValidationError.from_errors(errors)


def patch(
    schema: type[S],
    current: Mapping[str, Any],
    body: Mapping[str, Any],
    context: Context | None = None,
) -> tuple[S, set[str]]:
    """A PATCH: the current values with the body's on top, validated as a whole."""
    unknown = sorted(set(body) - set(_api_names(schema)))
    if unknown:
        raise ValidationError.from_errors(
            {name: "is not a field of this record" for name in unknown}
        )
    merged = {**current, **body}
    return parse(schema, merged, context), set(body)


def _api_names(schema: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in schema.model_fields.items()]


def _no_defaults(schema: dict[str, Any]) -> None:
    """A PATCH field left out is unchanged, not set to a default: the document says none."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class PatchBody(Schema):
    model_config = ConfigDict(json_schema_extra=_no_defaults)


_PATCHES: dict[type[BaseModel], type[BaseModel]] = {}


def patch_schema(schema: type[S]) -> type[BaseModel]:
    """The body of a PATCH of this schema: every field optional, none nullable that was not."""
    if schema not in _PATCHES:
        fields: dict[str, Any] = {}
        for name, info in schema.model_fields.items():
            copy = FieldInfo.merge_field_infos(info, default=None)
            copy.default_factory = None
            fields[name] = (info.annotation, copy)
        _PATCHES[schema] = create_model(
            f"{schema.__name__.removesuffix('In')}Patch",
            __base__=PatchBody,
            __doc__=f"Changed fields of a {schema.__name__.removesuffix('In')}; the record "
            "is validated as a whole after the change.",
            **fields,
        )
    return _PATCHES[schema]
