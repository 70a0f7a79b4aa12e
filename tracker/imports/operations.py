"""CSV import: every row is checked by the schema of its kind (UserIn, ExperienceIn) and
written by the same operations as a form would; any bad row writes nothing.

Columns come from the schemas, never restated here: users are UserIn's fields plus an
optional `password`; experience is ExperienceIn's fields (without the ones a new entry
ignores) plus `email`, the candidate's. Cells are text: a column's JSON type in the
schema decides how a cell becomes a value (numbers take a decimal comma, `37,5`;
booleans are `true`/`false`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.schemas import UserIn
from tracker.audit.operations import record as audit
from tracker.errors import ForbiddenError, TrackerError, ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.notices import operations as notices
from tracker.records.kinds import KINDS
from tracker.records.models import EntryStatus
from tracker.records.schemas import ExperienceIn
from tracker.schema import Schema, parse
from tracker.timeutil import utcnow

KIND_SCHEMAS: dict[str, type[Schema]] = {"users": UserIn, "experience": ExperienceIn}
EXTRA_COLUMNS = {"users": ("password",), "experience": ("email",)}
REQUIRED_EXTRA = {"users": (), "experience": ("email",)}


@dataclass
class Report:
    """What an import found: errors as (line, field, reason), and rows written."""

    errors: list[tuple[int, str, str]] = field(default_factory=list)
    written: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            _("line %(line)s: %(field)s: %(reason)s", line=line, field=name, reason=reason)
            for line, name, reason in sorted(self.errors)
        ]


def _properties(schema: type[Schema]) -> dict[str, Any]:
    return dict(schema.model_json_schema(by_alias=True).get("properties", {}))


def columns(kind: str) -> tuple[list[str], list[str]]:
    """(every column, the required ones) of a kind, from its schema."""
    schema = KIND_SCHEMAS[kind]
    ignored = set(getattr(schema, "ignored", ()))
    names = [name for name in _properties(schema) if name not in ignored]
    required = [n for n, f in schema.model_fields.items() if f.is_required() and n not in ignored]
    return [*EXTRA_COLUMNS[kind], *names], [*REQUIRED_EXTRA[kind], *required]


def _json_type(prop: dict[str, Any]) -> str:
    if "type" in prop:
        return str(prop["type"])
    for option in prop.get("anyOf", []):
        if option.get("type") not in (None, "null"):
            return str(option["type"])
    return "string"


def _value(cell: str, kind: str) -> Any:
    """A cell as the JSON value its column takes; left as text when it is not one (the
    schema then says what is wrong)."""
    if kind in ("number", "integer"):
        text = cell.replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # Polish decimal comma
        try:
            number = float(text)
        except ValueError:
            return cell
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "boolean":
        lowered = cell.lower()
        return {"true": True, "false": False}.get(lowered, cell)
    return cell


def read_rows(data: bytes, kind: str, report: Report) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, JSON-typed values) of each row; header problems go to the report."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append((1, _("file"), _("is not UTF-8 text")))
        return
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        report.errors.append((1, _("file"), _("is empty (expected a header line)")))
        return
    names = [h.strip().lower() for h in header]
    known, required = columns(kind)
    for name in names:
        if name not in known:
            report.errors.append(
                (
                    1,
                    name or _("(empty)"),
                    _("unknown column; expected %(columns)s", columns=", ".join(known)),
                )
            )
    for name in required:
        if name not in names:
            report.errors.append((1, name, _("column is missing")))
    if len(set(names)) != len(names):
        report.errors.append((1, _("header"), _("a column appears twice")))
    if report.errors:
        return
    props = _properties(KIND_SCHEMAS[kind])
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names):
            report.errors.append(
                (
                    line,
                    _("row"),
                    _(
                        "has %(cells)s cells, the header %(header)s",
                        cells=len(cells),
                        header=len(names),
                    ),
                )
            )
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(names, cells, strict=False):
            cell = cell.strip()
            if cell == "":
                continue
            values[name] = _value(cell, _json_type(props.get(name, {})))
        yield line, values


def _org_users(org_id: int | None) -> dict[str, User]:
    stmt = select(User)
    if org_id is not None:
        stmt = stmt.where(User.organization_id == org_id)
    return {u.email: u for u in db.session.scalars(stmt)}


def import_csv(
    actor: User | None,
    kind: str,
    data: bytes,
    *,
    org_id: int | None,
    approver: User | None = None,
) -> Report:
    """Check every row, then write them all (flushed, not committed) — or, with any bad
    row, nothing: the caller rolls back when report.errors is not empty."""
    if kind not in KIND_SCHEMAS:
        raise ValidationError("kind", _("must be users or experience"))
    if actor is not None and actor.role is not Role.ADMIN:
        if actor.role is not Role.COORDINATOR or org_id != actor.organization_id:
            raise ForbiddenError(_("only admins and the organization's coordinators may import"))
        if approver is not None:
            raise ForbiddenError(_("only an admin may import hours as approved"))
    if approver is not None and approver.role not in (Role.COORDINATOR, Role.ADMIN):
        raise ValidationError("approved_by", _("must name a coordinator or an admin"))
    report = Report()
    rows = list(read_rows(data, kind, report))
    if report.errors:
        return report
    write = _user_row if kind == "users" else _experience_row
    people = _org_users(org_id) if kind == "experience" else {}
    seen: set[str] = set()
    waiting: dict[int, Any] = {}
    for line, values in rows:
        try:
            # Each row is checked in full before it is added, so a bad row leaves the session
            # clean (no savepoint: tasks asked for inside one would run at its release).
            entry = write(actor, dict(values), org_id, approver, people, seen)
        except ValidationError as exc:
            report.errors.extend((line, name, message) for name, message in exc.errors.items())
            continue
        except TrackerError as exc:
            report.errors.append((line, _("row"), exc.message))
            continue
        report.written += 1
        report.rows.append({k: v for k, v in values.items() if k != "password"})
        if entry is not None and entry.status == EntryStatus.PENDING:
            waiting.setdefault(entry.candidate_id, entry)
    if not report.errors:
        for entry in waiting.values():
            notices.entry_waiting(entry)  # one digest for the deciders, not one per row
    return report


def _user_row(actor: User | None, values: dict[str, Any], org_id: int | None, _approver: Any,
              _people: Any, seen: set[str]) -> None:  # fmt: skip
    from tracker.accounts.operations import create_user

    password = values.pop("password", None)
    clean = parse(UserIn, values)
    if clean.email in seen:
        raise ValidationError("email", _("%(email)s appears twice in the file", email=clean.email))
    seen.add(clean.email)
    if clean.role != Role.ADMIN.value and org_id is None:
        raise ValidationError("role", _needs_organization(clean.role))
    create_user(actor, email=clean.email, name=clean.name, role=clean.role,
                password=str(password) if password is not None else None,
                organization_id=None if clean.role == Role.ADMIN.value else org_id)  # fmt: skip


def _needs_organization(role: str) -> str:
    """A user row without --org: one sentence per role (a language agrees it with the role)."""
    if role == Role.CANDIDATE.value:
        return _("a candidate needs an organization (--org)")
    if role == Role.MENTOR.value:
        return _("a mentor needs an organization (--org)")
    if role == Role.COORDINATOR.value:
        return _("a coordinator needs an organization (--org)")
    return _("a %(role)s needs an organization (--org)", role=role)


def _experience_row(actor: User | None, values: dict[str, Any], org_id: int | None,
                    approver: User | None, people: dict[str, User], _seen: Any) -> Any:  # fmt: skip
    from tracker.candidates.operations import context

    email = str(values.pop("email", "")).strip().lower()
    candidate = people.get(email)
    if candidate is None or candidate.role is not Role.CANDIDATE:
        raise ValidationError(
            "email", _("%(email)s is not a candidate of this organization", email=email)
        )
    kind = KINDS["experience"]
    clean = parse(kind.schema, values, context())
    row_values = kind.columns(clean)
    status = EntryStatus.APPROVED if approver is not None else EntryStatus.PENDING
    row = kind.model(
        candidate_id=candidate.id,
        created_by_id=actor.id if actor is not None else None,
        status=status,
        **row_values,
    )
    if approver is not None:
        if approver.id == candidate.id:
            raise ValidationError("approved_by", _("no one approves their own hours"))
        row.decided_by_id = approver.id
        row.decided_at = utcnow()
    db.session.add(row)
    db.session.flush()
    from tracker.candidates.operations import describe

    audit(
        actor,
        "experience.import",
        f"experience:{row.id}",
        candidate=candidate,
        after={**describe(kind, row), **({"approved_by": approver.email} if approver else {})},
    )
    return row
