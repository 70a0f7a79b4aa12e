"""What a progress statement shows, assembled as plain data (dicts, lists, strings, numbers).

The renderer (pdf.py) and the worker processes of a cohort download only ever see this
data: no ORM object leaves this module. Loading is bulk so that a whole cohort costs a
constant number of queries.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import Organization, User
from tracker.accounts.operations import role_title
from tracker.credentials.catalog import Catalog
from tracker.credentials.evaluation import evaluate_cached
from tracker.errors import NotFoundError, TrackerError
from tracker.extensions import db
from tracker.i18n import current_language, ngettext
from tracker.i18n import gettext as _
from tracker.records.adapter import fingerprint, for_credential, load_records
from tracker.records.kinds import KINDS, VERIFIABLE_KINDS
from tracker.records.models import Enrolment, EntryStatus, HoursEntry
from tracker.records.words import (
    ATTESTATION_KINDS,
    CATEGORIES,
    DEGREE_LEVELS,
    PROVIDERS,
    word_for,
)
from tracker.requirements_engine import Definition
from tracker.web.filters import fmt_date, fmt_hours

# A statement is written in the language current when its content is built and rendered
# (the request's; outside a request, the one forced around both): the sentences here, the
# headings in templates/statements/statement.html.


def _kind(name: str) -> str:
    """A record kind as a statement names it: the kind's label (records/kinds.py)."""
    return KINDS[name].shown_label.capitalize()


@dataclass(frozen=True)
class Prepared:
    """A statement's content and the fingerprint of the records it was computed from."""

    content: dict[str, Any]
    records_sha256: str


@dataclass(frozen=True)
class Extras:
    """What the records JSON leaves out but a statement shows: employers, approvers, reasons."""

    by_record: dict[str, dict[str, Any]]
    people: dict[str, str]
    """E-mail → name, for waiver approvers."""


def load_extras(candidate_ids: Iterable[int]) -> Extras:
    """Employer, decision and approver of every experience entry and internship (bulk)."""
    ids = sorted(set(candidate_ids))
    by_record: dict[str, dict[str, Any]] = {}
    if not ids:
        return Extras(by_record, {})
    rows = db.session.execute(
        select(
            HoursEntry.id,
            HoursEntry.source,
            HoursEntry.workplace,
            HoursEntry.note,
            HoursEntry.status,
            HoursEntry.mentor_id,
            HoursEntry.decided_by_id,
            HoursEntry.decided_at,
        ).where(HoursEntry.candidate_id.in_(ids))
    ).all()
    people = {uid for row in rows for uid in (row.decided_by_id, row.mentor_id) if uid}
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people)))}
        if people
        else {}
    )

    def person(user_id: int | None) -> dict[str, str] | None:
        user = users.get(user_id) if user_id is not None else None
        if user is None:
            return None
        return {"name": user.name, "role": role_title(user.role)}

    for row in rows:
        internship = row.source == "internship"
        extra: dict[str, Any] = {
            "where": row.workplace or "",
            "reason": (row.note or "") if row.status == EntryStatus.REJECTED else "",
            "decided_by": person(row.decided_by_id),
            "decided_on": row.decided_at.date().isoformat() if row.decided_at else None,
        }
        if internship:
            extra["mentor"] = person(row.mentor_id)
        by_record[f"{'i' if internship else 'x'}{row.id}"] = extra
    _load_verifications(ids, by_record)
    return Extras(by_record, {})


def _load_verifications(ids: list[int], by_record: dict[str, dict[str, Any]]) -> None:
    """Who verified each verified record, and when (one query per verifiable kind)."""
    found: list[tuple[str, int, date]] = []
    for name in VERIFIABLE_KINDS:
        model = KINDS[name].model
        rows = db.session.execute(
            select(model.id, model.verified_by_id, model.verified_on).where(
                model.candidate_id.in_(ids), model.verified_by_id.is_not(None)
            )
        ).all()
        found += [(f"{model.record_prefix}{r.id}", r.verified_by_id, r.verified_on) for r in rows]
    if not found:
        return
    people = {uid for _, uid, _ in found}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
    for rid, uid, on in found:
        by_record.setdefault(rid, {})["verified"] = {
            "by": names.get(uid, ""),
            "on": on.isoformat() if on else None,
        }


def _people_by_email(emails: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    rows = db.session.execute(select(User.email, User.name).where(User.email.in_(wanted)))
    return {email: name for email, name in rows}


# ---------------------------------------------------------------- records described


def _record_index(records: dict[str, Any], extras: Extras) -> dict[str, dict[str, Any]]:
    """Every record by id, described for a reader: kind, what, date."""
    index: dict[str, dict[str, Any]] = {}
    for d in records["degrees"]:
        degree = {
            "level": word_for(DEGREE_LEVELS, d["level"]),
            "field": d["field"],
            "institution": d["institution"],
        }
        what = (
            _("%(level)s, %(field)s, %(institution)s", **degree)
            if d.get("accredited", True)
            else _("%(level)s, %(field)s, %(institution)s (not accredited)", **degree)
        )
        index[d["id"]] = {"kind": _kind("degrees"), "what": what, "on": d.get("conferred_on")}
    for c in records["courses"]:
        course = {
            "title": c["title"],
            "provider": word_for(PROVIDERS, c["provider"]),
        }
        what = (
            _("%(title)s (%(provider)s)", **course)
            if c.get("passed", True)
            else _("%(title)s (%(provider)s), not passed", **course)
        )
        index[c["id"]] = {"kind": _kind("courses"), "what": what, "on": c.get("completed_on")}
    for e in records["exams"]:
        index[e["id"]] = {
            "kind": _kind("exams"),
            "what": (
                _("%(code)s, passed", code=e["code"])
                if e["passed"]
                else _("%(code)s, not passed", code=e["code"])
            ),
            "on": e["taken_on"],
        }
    for x in records["experience"]:
        extra = extras.by_record.get(x["id"], {})
        parts = [word_for(CATEGORIES, x["category"])]
        if extra.get("where"):
            parts.append(extra["where"])
        kind = _kind("internships" if x.get("source") == "internship" else "experience")
        index[x["id"]] = {
            "kind": kind,
            "about": ", ".join(parts),
            "hours": float(x["hours"]),
            "on": x["start"],
            "until": x["end"],
        }
    for a in records["attestations"]:
        index[a["id"]] = {
            "kind": _kind("attestations"),
            "what": word_for(ATTESTATION_KINDS, a["kind"]),
            "on": a.get("signed_on"),
        }
    for h in records["credentials"]:
        index[h["id"]] = {
            "kind": _kind("credentials"),
            "what": h["id"].upper(),
            "on": h.get("awarded_on"),
        }
    for r in records.get("registrations", []):
        index[r["id"]] = {
            "kind": _kind("registrations"),
            "what": (
                _(
                    "%(kind)s registration until %(day)s",
                    kind=r["kind"].upper(),
                    day=fmt_date(r["end"]),
                )
                if r["end"]
                else _("%(kind)s registration until today", kind=r["kind"].upper())
            ),
            "on": r["start"],
        }
    for w in records["waivers"]:
        index[w["id"]] = {
            "kind": _kind("waivers"),
            "what": _("Waiver of %(requirement)s", requirement=w["requirement"]),
            "on": w.get("approved_on"),
        }
    return index


# The record kinds each kind of requirement reads (credential-format.md §2).
KINDS_READ = {"degree": "degrees", "courses": "courses", "exam": "exams",
              "attestation": "attestations", "credential": "credentials"}  # fmt: skip


def kinds_used(definition: Definition) -> set[str]:
    """The self-reported record kinds a credential's requirements read: a statement lists
    only those (a FINRA statement shows no CFP courses)."""
    return {KINDS_READ[n.kind] for n in definition.nodes() if n.kind in KINDS_READ}


def _checked_records(
    records: dict[str, Any],
    index: dict[str, dict[str, Any]],
    extras: Extras,
    used: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Each self-reported record of the kinds the credential reads, "verified by NAME on
    DATE" or self-reported."""
    out = []
    for key in VERIFIABLE_KINDS:
        if used is not None and key not in used:
            continue
        for rec in records.get(KINDS[key].engine_key, []):
            described = index.get(rec["id"], {})
            verified = extras.by_record.get(rec["id"], {}).get("verified")
            out.append(
                {
                    "id": rec["id"],
                    "kind": described.get("kind", _kind(key)),
                    "what": described.get("what", rec["id"]),
                    "on": described.get("on"),
                    "verified": bool(rec.get("verified")),
                    "verified_by": verified["by"] if verified else None,
                    "verified_on": verified["on"] if verified else None,
                }
            )
    return out


# ---------------------------------------------------------------- requirements


def _walk(nodes: list[dict[str, Any]], depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    for node in nodes:
        yield depth, node
        yield from _walk(node.get("children") or [], depth + 1)


def _requirements(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for depth, node in _walk(result["requirements"]):
        row = {
            "id": node["id"],
            "depth": depth,
            "title": node["title"],
            "status": node["status"],
            "waived": bool(node.get("waived")),
            "progress": round(float(node["progress"]), 4),
            "met_on": node.get("met_on"),
            "due": node.get("due"),
            "projected_on": node.get("projected_on"),
            "detail": node.get("detail") or "",
        }
        if node.get("cycle"):  # a renewal cycle (credential-format.md §6.4)
            row["cycle"] = {"start": node["cycle"]["start"], "end": node["cycle"]["end"]}
        if "required_hours" in node:
            row["hours"] = {
                "counted": node["counted_hours"],
                "pending": node["pending_hours"],
                "capped": node["capped_hours"],
                "required": node["required_hours"],
            }
        rows.append(row)
    return rows


def _not_counted(
    result: dict[str, Any], index: dict[str, dict[str, Any]], extras: Extras
) -> list[dict[str, Any]]:
    """Records that did not count, each with the requirements that refused it and why.

    A record that counted somewhere is left out when elsewhere it merely did not match:
    a CPA licence does not "fail" the CFA-charter alternative it was never meant for.
    """
    counted: set[str] = set()
    refusals: dict[str, list[dict[str, str]]] = defaultdict(list)
    for _depth, node in _walk(result["requirements"]):
        counted.update(node.get("evidence") or [])
    for _depth, node in _walk(result["requirements"]):
        if node["status"] == "not_applicable":
            continue
        for item in node.get("excluded") or []:
            rid, reason = item["id"], item["reason"]
            if reason == "not_matching" and rid in counted:
                continue
            entry = {"requirement": node["title"], "reason": reason}
            if entry not in refusals[rid]:
                refusals[rid].append(entry)
    rows: list[dict[str, Any]] = []
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rid, items in refusals.items():
        if any(i["reason"] != "not_matching" for i in items):
            items = [i for i in items if i["reason"] != "not_matching"]
        record = index.get(rid, {"kind": _("Record"), "what": rid, "on": None})
        note = extras.by_record.get(rid, {}).get("reason", "")
        if "hours" not in record:
            rows.append({"id": rid, **record, "refusals": items, "note": note, "entries": 1})
            continue
        # Hours entries refused alike (typically a run of monthly entries) share one row.
        key = (record["kind"], record["about"], note, tuple(tuple(i.items()) for i in items))
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "id": rid,
                "kind": record["kind"],
                "about": record["about"],
                "hours": 0.0,
                "on": record["on"],
                "until": record["until"],
                "refusals": items,
                "note": note,
                "entries": 0,
            }
            rows.append(group)
        group["entries"] += 1
        group["hours"] += record["hours"]
        group["on"] = min(group["on"], record["on"])
        group["until"] = max(group["until"], record["until"])
    for row in rows:
        if "about" in row:
            hours, about = fmt_hours(round(row.pop("hours"), 2)), row.pop("about")
            row["what"] = (
                _("%(hours)s h, %(about)s", hours=hours, about=about)
                if row["entries"] == 1
                else ngettext("%(num)d entry, %(hours)s h, %(about)s",
                              "%(num)d entries, %(hours)s h, %(about)s",
                              row["entries"], hours=hours, about=about)
            )  # fmt: skip
    rows.sort(key=lambda r: (r["on"] or "", r["id"]))
    return rows


# ---------------------------------------------------------------- hours by year


def _hours_table(result: dict[str, Any]) -> dict[str, Any]:
    """Hours by year of each applicable hours requirement, as the engine counted them
    (`by_year`, credential-format.md §6.8): nothing here spreads or counts hours again."""
    tables = []
    for _depth, node in _walk(result["requirements"]):
        if node["kind"] != "hours" or node["status"] == "not_applicable":
            continue
        rows = [
            {
                "year": row["year"],
                "counted": row["counted"],
                "capped": row["capped"],
                "pending": row["pending"],
            }
            for row in node.get("by_year", [])
        ]
        if not rows:
            continue
        totals = {
            key: round(sum(row[key] for row in rows), 2) for key in ("counted", "capped", "pending")
        }
        tables.append(
            {"title": node["title"], "required": node.get("required_hours"), "rows": rows,
             "totals": totals, "projected_on": node.get("projected_on")}
        )  # fmt: skip
    return {"tables": tables}


# ---------------------------------------------------------------- approvals and waivers


def _approvals(records: dict[str, Any], extras: Extras) -> list[dict[str, Any]]:
    """Approved hours grouped by who approved them (coordinators) or signed them off (mentors)."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for x in records["experience"]:
        if x["status"] != "approved":
            continue
        extra = extras.by_record.get(x["id"], {})
        who = extra.get("decided_by") or {"name": _("Not recorded"), "role": ""}
        source = (
            _("Internship sign-off") if x.get("source") == "internship" else _("Employment hours")
        )
        key = (who["name"], who["role"], source)
        group = groups.setdefault(
            key,
            {
                "name": who["name"],
                "role": who["role"],
                "source": source,
                "entries": 0,
                "hours": 0.0,
                "first": x["start"],
                "last": x["end"],
                "decided_last": extra.get("decided_on"),
            },
        )
        group["entries"] += 1
        group["hours"] = round(group["hours"] + float(x["hours"]), 2)
        group["first"] = min(group["first"], x["start"])
        group["last"] = max(group["last"], x["end"])
        decided = extra.get("decided_on")
        if decided and (group["decided_last"] is None or decided > group["decided_last"]):
            group["decided_last"] = decided
    return sorted(groups.values(), key=lambda g: (g["first"], g["name"]))


def _waivers(
    records: dict[str, Any], titles: dict[str, str], people: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "requirement": titles.get(w["requirement"], w["requirement"]),
            "reason": w["reason"],
            "approved_by": people.get(w["approved_by"], w["approved_by"]),
            "approved_on": w["approved_on"],
            "expires_on": w.get("expires_on"),
        }
        for w in records["waivers"]
    ]


# ---------------------------------------------------------------- the statement


def content_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def build_content(
    catalog: Catalog,
    candidate: User,
    credential: str,
    as_of: date,
    *,
    records: dict[str, Any],
    extras: Extras,
    pathway: str | None,
    organization: str,
    version: str | None = None,
) -> Prepared:
    """The statement's content for one candidate and credential, under the enrolment's
    rules version: plain data only."""
    definition = catalog.get(credential, version)
    if definition is None:
        raise NotFoundError(_("credential %(id)s is not loaded", id=repr(credential)))
    lang = current_language()  # the engine's titles and details in the statement's language
    result = evaluate_cached(catalog, candidate, credential, as_of, pathway, records,
                             version=definition.version, lang=lang)  # fmt: skip
    mine = for_credential(records, credential)
    index = _record_index(mine, extras)
    people = extras.people or _people_by_email(w["approved_by"] for w in mine["waivers"])
    chosen = result["pathway"]
    content = {
        "candidate": {"id": candidate.id, "name": candidate.name, "email": candidate.email},
        "organization": organization,
        "credential": {
            "id": definition.id,
            "name": definition.name_in(lang),
            "issuer": definition.issuer,
            "version": definition.version,
            "pathway": chosen,
            "pathway_title": definition.pathway_name(chosen, lang) if chosen else None,
        },
        "as_of": result["as_of"],
        "status": result["status"],
        "waived": bool(result.get("waived")),
        "progress": result["progress"],
        "met_on": result["met_on"],
        "requirements": _requirements(result),
        "hours": _hours_table(result),
        "not_counted": _not_counted(result, index, extras),
        "waivers": _waivers(mine, definition.node_titles(lang), people),
        "records": _checked_records(mine, index, extras, kinds_used(definition)),
        "approvals": _approvals(mine, extras),
    }
    return Prepared(content, fingerprint(mine))


def summary_of(content: dict[str, Any]) -> dict[str, Any]:
    """What the public verify page repeats: enough to match the paper, no record detail."""
    return {
        "candidate_name": content["candidate"]["name"],
        "organization": content["organization"],
        "credential_name": content["credential"]["name"],
        "pathway_title": content["credential"]["pathway_title"],
        "version": content["credential"]["version"],
        "status": content["status"],
        "progress": content["progress"],
        "met_on": content["met_on"],
        "requirements": [
            {"title": r["title"], "status": r["status"]}
            for r in content["requirements"]
            if r["depth"] == 0
        ],
    }


def organization_name(candidate: User) -> str:
    if candidate.organization_id is None:
        return ""
    org = db.session.get(Organization, candidate.organization_id)
    return org.name if org is not None else ""


def prepare_statement(catalog: Catalog, candidate: User, credential: str, as_of: date) -> Prepared:
    """One candidate's statement content, with the enrolment's pathway."""
    if catalog.get(credential) is None:
        raise NotFoundError(_("credential %(id)s is not loaded", id=repr(credential)))
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.candidate_id == candidate.id, Enrolment.credential == credential
        )
    )
    records = load_records([candidate.id])[candidate.id]
    return build_content(
        catalog,
        candidate,
        credential,
        as_of,
        records=records,
        extras=load_extras([candidate.id]),
        pathway=enrolment.pathway if enrolment else None,
        organization=organization_name(candidate),
        version=enrolment.version if enrolment else None,
    )


def prepare_cohort(
    catalog: Catalog, candidates: list[User], as_of: date
) -> Iterator[tuple[User, str, Prepared | None, str | None]]:
    """Every enrolment of every candidate (bulk loads): (candidate, credential, prepared, error)."""
    people = {c.id: c for c in candidates}
    if not people:
        return
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.candidate_id.in_(people))
        .order_by(Enrolment.candidate_id, Enrolment.id)
    ).all()
    records = load_records(people)
    extras = load_extras(people)
    emails = [w["approved_by"] for r in records.values() for w in r["waivers"]]
    extras = Extras(extras.by_record, _people_by_email(emails))
    orgs = {
        o.id: o.name
        for o in db.session.scalars(
            select(Organization).where(Organization.id.in_({c.organization_id for c in candidates}))
        )
    }
    for enrolment in enrolments:
        candidate = people[enrolment.candidate_id]
        try:
            prepared = build_content(
                catalog,
                candidate,
                enrolment.credential,
                as_of,
                records=records[candidate.id],
                extras=extras,
                pathway=enrolment.pathway,
                version=enrolment.version,
                organization=orgs.get(candidate.organization_id or 0, ""),
            )
        except TrackerError as exc:
            yield candidate, enrolment.credential, None, exc.message
            continue
        yield candidate, enrolment.credential, prepared, None
