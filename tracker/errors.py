"""Domain errors raised by operations; pages and the API translate them the same way."""

from __future__ import annotations


class TrackerError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(TrackerError):
    """Bad input: names the field (or fields) at fault; nothing was stored."""

    code = "invalid"

    def __init__(self, field: str, message: str, *, errors: dict[str, str] | None = None) -> None:
        self.field = field
        self.errors = errors or {field: message}
        super().__init__(f"{field}: {message}")

    @classmethod
    def from_errors(cls, errors: dict[str, str]) -> ValidationError:
        field, message = next(iter(errors.items()))
        err = cls(field, message, errors=errors)
        err.message = "; ".join(f"{f}: {m}" for f, m in errors.items())
        err.args = (err.message,)
        return err


class NotFoundError(TrackerError):
    status = 404
    code = "not_found"


class ForbiddenError(TrackerError):
    status = 403
    code = "forbidden"


class ConflictError(TrackerError):
    status = 409
    code = "conflict"


class DuplicateError(ValidationError):
    """The input is well formed but repeats what exists (an active waiver of that requirement,
    a credential already recorded): a conflict (409) that forms still show on the field."""

    status = 409
    code = "conflict"
