"""Loading and validating definitions: every problem is collected before raising."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .dates import parse_date
from .errors import DefinitionError, Problem
from .library import Library, version_problems
from .model import (
    COMPOSITE_KINDS,
    ENTRY_STATUSES,
    ID_RE,
    KINDS,
    LEVELS,
    SOURCES,
    AttestationSpec,
    CoursesSpec,
    CredentialSpec,
    Definition,
    DegreeSpec,
    Due,
    ExamSpec,
    HoursSpec,
    Node,
    Spec,
    Text,
    Window,
)
from .texts import LANGUAGES, language_tag, one_of, say

PATHWAY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
TOP_KEYS = (
    "id",
    "name",
    "issuer",
    "version",
    "effective_from",
    "description",
    "pathways",
    "requirements",
)
COMMON_KEYS = ("id", "title", "description", "pathway", "before", "due", "waivable")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "at_least": ("count", "of"),
    "degree": ("min_level", "accredited", "fields", "verified"),
    "courses": ("provider", "topics", "min_credits", "min_count", "window", "verified"),
    "exam": ("code", "valid_years", "renewed_by", "verified"),
    "hours": (
        "min",
        "status",
        "source",
        "categories",
        "supervised",
        "max_per_week",
        "max_per_year",
        "min_months",
        "window",
    ),
    "attestation": ("kind", "valid_years", "verified"),
    "credential": ("id", "current_at", "verified"),
}
VERIFIED_ON_HOURS = "is not allowed on hours: approving an entry is its verification"
VERIFIED_ON_GROUPS = (
    "is not allowed on a group: write verified: true inside the kind mapping of each leaf "
    "(degree, courses, exam, attestation, credential)"
)
WINDOW_KEYS = (
    "anchor",
    "years_before",
    "years_after",
    "last_years",
    "cycle_months",
    "from",
    "month_end",
)
CYCLE_KEYS = ("cycle_months", "from", "month_end")
DUE_KEYS = ("after", "years")
_MISSING = object()


def _type_name(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _fmt_hours(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers keys given twice in one mapping (typos hide there)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                loader.duplicates.append((key_node.start_mark.line + 1, str(key)))
            seen.add(key)
        except TypeError:
            pass
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _read_yaml(path: str | os.PathLike[str], file: str) -> tuple[object, list[Problem]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(file, "", "no such file")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, "", f"cannot read the file: {exc}")]
    loader = _UniqueKeyLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else ""
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, [Problem(file, where, f"bad YAML: {reason or exc}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, "", f"bad YAML: {exc}")]
    finally:
        loader.dispose()
    problems = [
        Problem(file, f"line {line}", f"key '{key}' is given twice")
        for line, key in loader.duplicates
    ]
    return data, problems


class _Parser:
    """Turns one parsed YAML document into a Definition, collecting every problem."""

    def __init__(self, source: str) -> None:
        self.file = source
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}
        self.nodes: list[tuple[Node, tuple[str, ...]]] = []
        self.pathways: dict[str, Text] = {}
        self.references: list[tuple[str, str, str]] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(self.file, path, reason))

    # --- scalar helpers ---------------------------------------------------------------

    def unknown_keys(self, data: Mapping[Any, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in data:
            if key in allowed:
                continue
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            where = f"{path}.{key}" if path else str(key)
            self.fail(where, f"unknown key '{key}'{hint}")

    def text(self, value: object, path: str, *, required: bool = False) -> str | None:
        if value is _MISSING or value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"must be non-empty text, not {_type_name(value)}")
            return None
        return value

    def localized(self, value: object, path: str, *, required: bool = False) -> Text | None:
        """Text, or a mapping from language tags to text (`{en: Exam passed, pl: ...}`)."""
        if not isinstance(value, Mapping):
            plain = self.text(value, path, required=required)
            return Text.plain(plain) if plain is not None else None
        if not value:
            self.fail(path, "must be text or a mapping from language tags to text, not {}")
            return None
        items: list[tuple[str, str]] = []
        for key, text in value.items():
            where = f"{path}.{key}"
            tag = language_tag(key)
            if tag is None:
                self.fail(where, f"'{key}' is not a language tag (e.g. en, pl, en-gb)")
            elif tag in dict(items):
                self.fail(where, f"language '{tag}' is given twice")
            elif self.text(text, where, required=True) is not None:
                items.append((tag, text))
        return Text(tuple(items)) if len(items) == len(value) else None

    def day(self, value: object, path: str) -> date | None:
        """A date: YAML's own (an unquoted 2024-01-01) or text YYYY-MM-DD."""
        if value is _MISSING or value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(path, f"must be a date YYYY-MM-DD, not {value!r}")
        return parsed

    def ident(self, value: object, path: str, *, required: bool = False) -> str | None:
        text = self.text(value, path, required=required)
        if text is not None and not ID_RE.fullmatch(text):
            self.fail(path, f"'{text}' is not a valid id (use a-z, 0-9 and '-')")
            return None
        return text

    def whole(self, value: object, path: str, minimum: int) -> int | None:
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"must be a whole number, not {_type_name(value)}")
            return None
        if isinstance(value, float) and not value.is_integer():
            self.fail(path, f"must be a whole number, not {value}")
            return None
        if value < minimum:
            if value < 0:
                self.fail(path, f"must not be negative (got {value:g})")
            else:
                self.fail(path, f"must be at least {minimum} (got {value:g})")
            return None
        return int(value)

    def amount(self, value: object, path: str, *, required: bool = False) -> float | None:
        if value is _MISSING or value is None:
            if required:
                self.fail(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"must be a number, not {_type_name(value)}")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(path, "must be a finite number")
            return None
        if value < 0:
            self.fail(path, f"must not be negative (got {value:g})")
            return None
        if value == 0:
            self.fail(path, "must be more than 0")
            return None
        return float(value)

    def flag(self, value: object, path: str) -> bool:
        if value is _MISSING or value is None:
            return False
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, not {_type_name(value)}")
            return False
        return value

    def words(
        self, value: object, path: str, *, choices: tuple[str, ...] | None = None
    ) -> tuple[str, ...] | None:
        """One text value or a non-empty list of them."""
        if value is _MISSING or value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail(path, f"must be text or a non-empty list of text, not {_type_name(value)}")
            return None
        result: list[str] = []
        for i, item in enumerate(items):
            where = path if isinstance(value, str) else f"{path}[{i}]"
            if not isinstance(item, str) or not item.strip():
                self.fail(where, f"must be non-empty text, not {_type_name(item)}")
            elif choices is not None and item not in choices:
                self.fail(where, f"'{item}' is not one of {', '.join(choices)}")
            elif item in result:
                self.fail(where, f"'{item}' is listed twice")
            else:
                result.append(item)
        return tuple(result) if len(result) == len(items) else None

    def mapping(self, value: object, path: str) -> Mapping[Any, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"must be a mapping, not {_type_name(value)}")
            return None
        return value

    def reference(self, kind: str, target: str | None, path: str) -> None:
        if target is not None:
            self.references.append((kind, target, path))

    # --- the document -----------------------------------------------------------------

    def definition(self, data: object) -> Definition | None:
        if not isinstance(data, Mapping):
            self.fail(
                "",
                f"must be a mapping with id, name, version and requirements, not "
                f"{_type_name(data)}",
            )
            return None
        self.unknown_keys(data, TOP_KEYS, "")
        cred_id = self.ident(data.get("id", _MISSING), "id", required=True)
        names = self.localized(data.get("name", _MISSING), "name", required=True)
        name = names.get() if names is not None else None
        version_raw = data.get("version", _MISSING)
        version: str | None = None
        if isinstance(version_raw, int | float) and not isinstance(version_raw, bool):
            version = f"{version_raw:g}"
        else:
            version = self.text(version_raw, "version", required=True)
        issuer = self.text(data.get("issuer", _MISSING), "issuer") or ""
        effective_from = self.day(data.get("effective_from", _MISSING), "effective_from")
        descriptions = self.localized(data.get("description", _MISSING), "description")
        self.parse_pathways(data.get("pathways", _MISSING))
        requirements = self.parse_requirements(data.get("requirements", _MISSING))
        self.check_references()
        self.check_cycles()
        self.check_pathway_nesting()
        if self.problems or cred_id is None or name is None or version is None:
            return None
        return Definition(
            id=cred_id,
            name=name,
            version=version,
            requirements=requirements,
            source=self.file,
            issuer=issuer,
            description=descriptions.get() if descriptions is not None else "",
            pathways={key: text.get() for key, text in self.pathways.items()},
            names=names,
            descriptions=descriptions,
            pathway_names=dict(self.pathways),
            effective_from=effective_from,
        )

    def parse_pathways(self, value: object) -> None:
        if value is _MISSING or value is None:
            return
        pathways = self.mapping(value, "pathways")
        if pathways is None:
            return
        for key, title in pathways.items():
            path = f"pathways.{key}"
            if not isinstance(key, str) or not PATHWAY_RE.fullmatch(key):
                self.fail(path, f"'{key}' is not a valid pathway key (use a-z, 0-9, '-' and '_')")
                continue
            text = self.localized(title, path, required=True)
            self.pathways[key] = text or Text.plain(key)

    def parse_requirements(self, value: object) -> tuple[Node, ...]:
        if value is _MISSING or value is None:
            self.fail("requirements", "is required")
            return ()
        if not isinstance(value, list) or not value:
            self.fail("requirements", f"must be a non-empty list of nodes, not {_type_name(value)}")
            return ()
        nodes = []
        for i, item in enumerate(value):
            node = self.node(item, f"requirements[{i}]", None, i, ())
            if node is not None:
                nodes.append(node)
        return tuple(nodes)

    # --- nodes ------------------------------------------------------------------------

    def node(
        self,
        data: object,
        path: str,
        parent_id: str | None,
        index: int,
        ancestors: tuple[str, ...],
    ) -> Node | None:
        if not isinstance(data, Mapping):
            self.fail(path, f"must be a mapping with one kind key, not {_type_name(data)}")
            return None
        kinds = [k for k in KINDS if k in data]
        if "verified" in data:
            if kinds and all(k in COMPOSITE_KINDS for k in kinds):
                self.fail(f"{path}.verified", VERIFIED_ON_GROUPS)
            elif kinds == ["hours"]:
                self.fail(f"{path}.verified", VERIFIED_ON_HOURS)
            else:
                self.fail(
                    f"{path}.verified",
                    "belongs inside the kind mapping, e.g. exam: {code: X, verified: true}",
                )
        self.unknown_keys(data, (*COMMON_KEYS, *KINDS, "verified"), path)
        if not kinds:
            self.fail(path, f"needs one kind key: one of {', '.join(KINDS)}")
        elif len(kinds) > 1:
            self.fail(
                path, f"has {len(kinds)} kind keys ({', '.join(kinds)}); a node has exactly one"
            )

        if "id" in data:
            node_id = self.ident(data["id"], f"{path}.id")
        elif parent_id is None:
            self.fail(path, "a top-level requirement needs an id")
            node_id = None
        else:
            node_id = f"{parent_id}.{index + 1}"
        if node_id is None:
            node_id = f"#{path}"
        elif node_id in self.ids:
            self.fail(f"{path}.id", f"duplicate id '{node_id}' (also at {self.ids[node_id]})")
        else:
            self.ids[node_id] = path

        titles = self.localized(data.get("title", _MISSING), f"{path}.title")
        descriptions = self.localized(data.get("description", _MISSING), f"{path}.description")
        pathway = self.text(data.get("pathway", _MISSING), f"{path}.pathway")
        if pathway is not None:
            self.references.append(("pathway", pathway, f"{path}.pathway"))
        before = self.text(data.get("before", _MISSING), f"{path}.before")
        self.reference("node", before, f"{path}.before")
        due = self.due(data.get("due", _MISSING), f"{path}.due")
        waivable = True
        if "waivable" in data:
            if isinstance(data["waivable"], bool):
                waivable = data["waivable"]
            else:
                self.fail(
                    f"{path}.waivable",
                    f"must be true or false, not {_type_name(data['waivable'])}",
                )

        if len(kinds) != 1:
            return None
        kind = kinds[0]
        value = data[kind]
        kpath = f"{path}.{kind}"
        children: tuple[Node, ...] = ()
        count = 0
        spec: Spec | None = None
        inner = (*ancestors, node_id)
        if kind in ("all", "any"):
            children = self.children(value, kpath, node_id, inner)
        elif kind == "at_least":
            at_least = self.mapping(value, kpath)
            if at_least is not None:
                if "verified" in at_least:
                    self.fail(f"{kpath}.verified", VERIFIED_ON_GROUPS)
                self.unknown_keys(at_least, (*KIND_KEYS[kind], "verified"), kpath)
                children = self.children(
                    at_least.get("of", _MISSING), f"{kpath}.of", node_id, inner
                )
                raw = at_least.get("count", _MISSING)
                if raw is _MISSING:
                    self.fail(f"{kpath}.count", "is required")
                parsed = self.whole(raw, f"{kpath}.count", 1)
                if parsed is not None:
                    count = parsed
                    listed = at_least.get("of")
                    n = len(listed) if isinstance(listed, list) else 0
                    if n and count > n:
                        self.fail(
                            f"{kpath}.count",
                            f"{count} is more than the {n} nodes in 'of': it can never be met",
                        )
        else:
            spec = self.spec(kind, value, kpath)
            window = getattr(spec, "window", None)
            if due is not None and isinstance(window, Window) and window.is_cycle:
                self.fail(
                    f"{path}.due",
                    "a node with a renewal cycle is due at the end of its cycle; remove due",
                )
        default = Text(tuple((lang, _default_title(kind, spec, count, lang)) for lang in LANGUAGES))
        node = Node(
            id=node_id,
            kind=kind,
            title=titles.get() if titles is not None else default.get(),
            path=path,
            description=descriptions.get() if descriptions is not None else "",
            spec=spec,
            children=children,
            count=count,
            pathway=pathway,
            before=before,
            due=due,
            waivable=waivable,
            titles=titles or default,
            descriptions=descriptions,
        )
        self.nodes.append((node, ancestors))
        return node

    def children(
        self, value: object, path: str, parent_id: str, ancestors: tuple[str, ...]
    ) -> tuple[Node, ...]:
        if value is _MISSING or value is None:
            self.fail(path, "is required: a non-empty list of nodes")
            return ()
        if not isinstance(value, list) or not value:
            self.fail(path, f"must be a non-empty list of nodes, not {_type_name(value)}")
            return ()
        nodes = []
        for i, item in enumerate(value):
            node = self.node(item, f"{path}[{i}]", parent_id, i, ancestors)
            if node is not None:
                nodes.append(node)
        return tuple(nodes)

    def due(self, value: object, path: str) -> Due | None:
        if value is _MISSING or value is None:
            return None
        data = self.mapping(value, path)
        if data is None:
            return None
        self.unknown_keys(data, DUE_KEYS, path)
        after = self.text(data.get("after", _MISSING), f"{path}.after", required=True)
        self.reference("node", after, f"{path}.after")
        raw = data.get("years", _MISSING)
        if raw is _MISSING:
            self.fail(f"{path}.years", "is required")
        years = self.whole(raw, f"{path}.years", 0)
        if after is None or years is None:
            return None
        return Due(after, years)

    def window(self, value: object, path: str) -> Window | None:
        if value is _MISSING or value is None:
            return None
        data = self.mapping(value, path)
        if data is None:
            return None
        self.unknown_keys(data, WINDOW_KEYS, path)
        if any(k in data for k in CYCLE_KEYS):
            return self.cycle(data, path)
        anchor = self.text(data.get("anchor", _MISSING), f"{path}.anchor")
        self.reference("node", anchor, f"{path}.anchor")
        before = self.whole(data.get("years_before", _MISSING), f"{path}.years_before", 0)
        after = self.whole(data.get("years_after", _MISSING), f"{path}.years_after", 0)
        last = self.whole(data.get("last_years", _MISSING), f"{path}.last_years", 1)
        has_around = any(k in data for k in ("anchor", "years_before", "years_after"))
        if "last_years" in data and has_around:
            self.fail(path, "use either last_years or anchor with years_before/years_after")
        elif "last_years" not in data and "anchor" not in data:
            self.fail(
                path,
                "needs either anchor (with years_before/years_after), last_years, or "
                "cycle_months with from",
            )
        elif "anchor" in data and "years_before" not in data and "years_after" not in data:
            self.fail(path, "an anchor needs years_before, years_after or both")
        return Window(anchor=anchor, years_before=before, years_after=after, last_years=last)

    def cycle(self, data: Mapping[Any, Any], path: str) -> Window | None:
        """`{cycle_months: n, from: ID, month_end: bool}`: the current renewal cycle."""
        others = [k for k in ("anchor", "years_before", "years_after", "last_years") if k in data]
        if others:
            self.fail(
                path,
                f"a renewal cycle (cycle_months, from) cannot be combined with {', '.join(others)}",
            )
        raw = data.get("cycle_months", _MISSING)
        if raw is _MISSING:
            self.fail(f"{path}.cycle_months", "is required with from")
        months = self.whole(raw, f"{path}.cycle_months", 1)
        start = self.text(data.get("from", _MISSING), f"{path}.from", required=True)
        self.reference("node", start, f"{path}.from")
        at_month_end = self.flag(data.get("month_end", _MISSING), f"{path}.month_end")
        if months is None or start is None or others:
            return None
        return Window(cycle_months=months, cycle_from=start, month_end=at_month_end)

    def spec(self, kind: str, value: object, path: str) -> Spec | None:
        data = self.mapping(value, path)
        if data is None:
            return None
        start = len(self.problems)
        if kind == "hours" and "verified" in data:
            self.fail(f"{path}.verified", VERIFIED_ON_HOURS)
        self.unknown_keys(data, (*KIND_KEYS[kind], "verified"), path)
        verified = self.flag(data.get("verified", _MISSING), f"{path}.verified")

        def get(key: str) -> object:
            return data.get(key, _MISSING)

        result: Spec | None = None
        if kind == "degree":
            level = self.text(get("min_level"), f"{path}.min_level", required=True)
            if level is not None and level not in LEVELS:
                self.fail(f"{path}.min_level", f"'{level}' is not one of {', '.join(LEVELS)}")
            fields = self.words(get("fields"), f"{path}.fields")
            accredited = self.flag(get("accredited"), f"{path}.accredited")
            if level is not None:
                result = DegreeSpec(level, accredited, fields, verified)
        elif kind == "courses":
            topics = self.words(get("topics"), f"{path}.topics") or ()
            credits = self.amount(get("min_credits"), f"{path}.min_credits")
            count = self.whole(get("min_count"), f"{path}.min_count", 1)
            if not any(k in data for k in ("topics", "min_credits", "min_count")):
                self.fail(path, "needs at least one of topics, min_credits, min_count")
            result = CoursesSpec(
                providers=self.words(get("provider"), f"{path}.provider"),
                topics=topics,
                min_credits=credits,
                min_count=count,
                window=self.window(get("window"), f"{path}.window"),
                verified=verified,
            )
        elif kind == "exam":
            code = self.text(get("code"), f"{path}.code", required=True)
            years = self.whole(get("valid_years"), f"{path}.valid_years", 1)
            renewed_by = self.text(get("renewed_by"), f"{path}.renewed_by")
            if "renewed_by" in data and "valid_years" not in data:
                self.fail(
                    f"{path}.renewed_by",
                    "needs valid_years: the years a pass stays valid after a registration ends",
                )
            if code is not None:
                result = ExamSpec(code, years, verified, renewed_by)
        elif kind == "attestation":
            akind = self.text(get("kind"), f"{path}.kind", required=True)
            years = self.whole(get("valid_years"), f"{path}.valid_years", 1)
            if akind is not None:
                result = AttestationSpec(akind, years, verified)
        elif kind == "credential":
            cred = self.ident(get("id"), f"{path}.id", required=True)
            current_at = self.text(get("current_at"), f"{path}.current_at")
            self.reference("node", current_at, f"{path}.current_at")
            if cred is not None:
                result = CredentialSpec(cred, verified, current_at)
        elif kind == "hours":
            result = self.hours(data, path)
        return result if len(self.problems) == start else None

    def hours(self, data: Mapping[Any, Any], path: str) -> HoursSpec | None:
        def get(key: str) -> object:
            return data.get(key, _MISSING)

        minimum = self.amount(get("min"), f"{path}.min", required=True)
        statuses = self.words(get("status"), f"{path}.status", choices=ENTRY_STATUSES)
        sources = self.words(get("source"), f"{path}.source", choices=SOURCES)
        categories = self.words(get("categories"), f"{path}.categories")
        supervised = self.flag(get("supervised"), f"{path}.supervised")
        weekly = self.amount(get("max_per_week"), f"{path}.max_per_week")
        yearly = self.amount(get("max_per_year"), f"{path}.max_per_year")
        months = self.whole(get("min_months"), f"{path}.min_months", 1)
        window = self.window(get("window"), f"{path}.window")
        if weekly is not None and weekly > 168:
            self.fail(f"{path}.max_per_week", f"{weekly:g} is more than the 168 hours of a week")
        if yearly is not None and yearly > 8784:
            self.fail(f"{path}.max_per_year", f"{yearly:g} is more than the hours of a year")
        if minimum is None:
            return None
        if window is not None:
            self.check_reachable(minimum, weekly, yearly, window, f"{path}.min")
        return HoursSpec(
            min=minimum,
            statuses=statuses or ("approved",),
            sources=sources,
            categories=categories,
            supervised=supervised,
            max_per_week=weekly,
            max_per_year=yearly,
            min_months=months,
            window=window,
        )

    def check_reachable(
        self,
        minimum: float,
        weekly: float | None,
        yearly: float | None,
        window: Window,
        path: str,
    ) -> None:
        """Reject a `min` no candidate could reach inside a bounded window under the caps."""
        if window.cycle_months is not None:
            # The longest cycle: n months, plus up to a month more with month_end.
            years = -(-(window.cycle_months + 1) // 12)
            days = 31 * (window.cycle_months + 1)
            span = f"{window.cycle_months}-month cycle"
        elif window.last_years is not None:
            years = window.last_years
            days = 366 * years + 1
            span = f"{years}-year window"
        elif window.years_before is not None and window.years_after is not None:
            years = window.years_before + window.years_after
            days = 366 * years + 1
            span = f"{years}-year window"
        else:
            return
        limits = [(24.0 * days, "24 hours a day")]
        if weekly is not None:
            limits.append((weekly * (days // 7 + 2), f"max_per_week {_fmt_hours(weekly)}"))
        if yearly is not None:
            limits.append((yearly * (years + 1), f"max_per_year {_fmt_hours(yearly)}"))
        most, why = min(limits)
        if minimum > most:
            self.fail(
                path,
                f"{_fmt_hours(minimum)} hours can never be reached: at most {_fmt_hours(most)} "
                f"fit in a {span} under {why}",
            )

    # --- checks across nodes ----------------------------------------------------------

    def check_references(self) -> None:
        for kind, target, path in self.references:
            if kind == "pathway":
                if not self.pathways:
                    self.fail(path, f"pathway '{target}' but the definition declares no pathways")
                elif target not in self.pathways:
                    known = ", ".join(self.pathways)
                    self.fail(path, f"unknown pathway '{target}' (declared: {known})")
            elif target not in self.ids:
                near = difflib.get_close_matches(target, list(self.ids), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.fail(path, f"refers to '{target}', which is not a node id here{hint}")

    def check_cycles(self) -> None:
        """A node may not depend, through children or references, on itself."""
        by_id = {node.id: (node, ancestors) for node, ancestors in self.nodes}
        deps: dict[str, list[str]] = {}
        for node, ancestors in self.nodes:
            targets = [c.id for c in node.children]
            refs = [node.before, node.due.after if node.due else None]
            spec = node.spec
            if isinstance(spec, HoursSpec | CoursesSpec) and spec.window is not None:
                refs += [spec.window.anchor, spec.window.cycle_from]
            if isinstance(spec, CredentialSpec):
                refs.append(spec.current_at)
            for ancestor in ancestors:
                if ancestor in by_id:
                    refs.append(by_id[ancestor][0].before)
            targets.extend(r for r in refs if r is not None and r in by_id)
            deps[node.id] = targets
        state: dict[str, int] = {}
        reported: set[str] = set()

        def visit(node_id: str, trail: list[str]) -> None:
            state[node_id] = 1
            trail.append(node_id)
            for dep in deps.get(node_id, []):
                if state.get(dep) == 1:
                    cycle = trail[trail.index(dep) :] + [dep]
                    if dep not in reported:
                        reported.add(dep)
                        self.fail(
                            by_id[dep][0].path,
                            f"circular reference: {' -> '.join(cycle)}",
                        )
                elif dep not in state:
                    visit(dep, trail)
            trail.pop()
            state[node_id] = 2

        for node, _ in self.nodes:
            if node.id not in state:
                visit(node.id, [])

    def check_pathway_nesting(self) -> None:
        by_id = {node.id: node for node, _ in self.nodes}
        for node, ancestors in self.nodes:
            outer = [by_id[a].pathway for a in ancestors if a in by_id and by_id[a].pathway]
            if node.pathway and outer and outer[-1] != node.pathway:
                self.fail(
                    f"{node.path}.pathway",
                    f"never applies: it is inside a node for pathway '{outer[-1]}'",
                )
            if node.kind == "at_least" and node.count and self.pathways:
                for pathway in self.pathways:
                    if node.pathway not in (None, pathway) or (outer and outer[-1] != pathway):
                        continue
                    applicable = [c for c in node.children if c.pathway in (None, pathway)]
                    if applicable and len(applicable) < node.count:
                        self.fail(
                            f"{node.path}.at_least.count",
                            f"can never be met on pathway '{pathway}': only {len(applicable)} "
                            f"of its nodes apply there",
                        )


def _default_title(kind: str, spec: Spec | None, count: int, lang: str) -> str:
    """The title of a node that has none, made from its rule, in `lang`."""
    if kind in COMPOSITE_KINDS:
        return say(lang, f"title.{kind}", count=count)
    if isinstance(spec, DegreeSpec):
        title = say(lang, f"title.level.{spec.min_level}")
        if spec.min_level != "doctorate":
            title = say(lang, "title.or_higher", title=title)
        if spec.accredited:
            title = say(lang, "title.accredited", title=title)
        if spec.fields:
            title = say(lang, "title.fields", title=title, fields=one_of(spec.fields, lang))
        return title
    if isinstance(spec, CoursesSpec):
        parts = []
        if spec.min_count is not None:
            parts.append(say(lang, "title.courses.count", count=spec.min_count))
        if spec.min_credits is not None:
            parts.append(say(lang, "title.courses.credits", credits=spec.min_credits))
        if spec.topics:
            parts.append(say(lang, "title.courses.topics", topics=", ".join(spec.topics)))
        title = (
            say(lang, "title.courses.parts", parts=", ".join(parts))
            if parts
            else say(lang, "title.courses")
        )
        if spec.providers:
            providers = one_of(spec.providers, lang)
            title = say(lang, "title.courses.providers", title=title, providers=providers)
        return title
    if isinstance(spec, ExamSpec):
        return say(lang, "title.exam", code=spec.code)
    if isinstance(spec, HoursSpec):
        return say(lang, "title.hours", minimum=spec.min)
    if isinstance(spec, AttestationSpec):
        return say(lang, "title.attestation", kind=spec.kind)
    if isinstance(spec, CredentialSpec):
        return say(lang, "title.credential", id=spec.id)
    return kind.replace("_", " ").capitalize()


def parse_definition(data: object, source: str = "<string>") -> Definition:
    """Validate an already-parsed definition mapping; raise DefinitionError with every problem."""
    parser = _Parser(source)
    definition = parser.definition(data)
    if parser.problems or definition is None:
        raise DefinitionError(parser.problems)
    return definition


def load_definition(path: str | os.PathLike[str]) -> Definition:
    """Read and validate one definition file; raise DefinitionError with every problem."""
    file = os.fspath(path)
    data, problems = _read_yaml(path, file)
    if problems and data is None:
        raise DefinitionError(problems)
    parser = _Parser(file)
    parser.problems.extend(problems)
    definition = parser.definition(data)
    if parser.problems or definition is None:
        raise DefinitionError(parser.problems)
    return definition


def definition_files(path: str | os.PathLike[str]) -> list[Path]:
    """The *.yaml and *.yml files directly inside a directory, sorted by name."""
    directory = Path(path)
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_library(path: str | os.PathLike[str]) -> Library:
    """Load every definition of a directory, every version of each credential.

    Rejects, naming both files, two files with one (id, version) and two versions of one id
    in effect from the same day; and cycles between credentials (through any versions).
    """
    directory = Path(path)
    if not directory.is_dir():
        raise DefinitionError([Problem(os.fspath(path), "", "no such directory")])
    problems: list[Problem] = []
    loaded: list[Definition] = []
    for file in definition_files(directory):
        try:
            loaded.append(load_definition(file))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    problems.extend(version_problems(loaded))
    problems.extend(credential_cycles(loaded))
    if problems:
        raise DefinitionError(problems)
    return Library(loaded)


def load_directory(path: str | os.PathLike[str]) -> dict[str, Definition]:
    """Load every definition of a directory; return the newest version of each credential id.

    The directory is validated as a whole, like `load_library` (which keeps every version).
    """
    return load_library(path).latest()


def credential_cycles(
    definitions: Mapping[str, Definition] | Iterable[Definition],
) -> list[Problem]:
    """A problem for every `credential:` node that leads back to its own credential.

    Every version counts: a reference to an id may reach any of its versions.
    """
    items = list(definitions.values()) if isinstance(definitions, Mapping) else list(definitions)
    ids = {definition.id for definition in items}
    edges: dict[str, list[tuple[str, Node]]] = {}
    for definition in items:
        edges.setdefault(definition.id, []).extend(
            (node.spec.id, node)
            for node in definition.nodes()
            if isinstance(node.spec, CredentialSpec) and node.spec.id in ids
        )
    problems: list[Problem] = []
    for definition in items:
        start = definition.id
        for node in definition.nodes():
            if not isinstance(node.spec, CredentialSpec) or node.spec.id not in ids:
                continue
            target = node.spec.id
            trail = _path_to(edges, target, start, [start, target])
            if trail is not None:
                problems.append(
                    Problem(
                        definition.source,
                        f"{node.path}.credential.id",
                        f"circular credential reference: {' -> '.join(trail)}",
                    )
                )
    return problems


def _path_to(
    edges: Mapping[str, list[tuple[str, Node]]], here: str, goal: str, trail: list[str]
) -> list[str] | None:
    if here == goal:
        return trail
    seen = {here}
    stack = [(here, trail)]
    while stack:
        current, so_far = stack.pop()
        for target, _ in edges.get(current, []):
            if target == goal:
                return [*so_far, target]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*so_far, target]))
    return None


__all__ = [
    "COMPOSITE_KINDS",
    "definition_files",
    "load_definition",
    "load_directory",
    "load_library",
    "parse_definition",
]
