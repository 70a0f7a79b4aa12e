"""The parsed, validated form of a credential definition."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .texts import best_match

ID_RE = re.compile(r"[a-z0-9-]+")
LEVELS: tuple[str, ...] = ("associate", "bachelor", "master", "doctorate")
COMPOSITE_KINDS: tuple[str, ...] = ("all", "any", "at_least")
LEAF_KINDS: tuple[str, ...] = ("degree", "courses", "exam", "hours", "attestation", "credential")
KINDS: tuple[str, ...] = COMPOSITE_KINDS + LEAF_KINDS
ENTRY_STATUSES: tuple[str, ...] = ("approved", "pending", "rejected")
SOURCES: tuple[str, ...] = ("employment", "internship")


@dataclass(frozen=True)
class Text:
    """A text in one or more languages: (tag, text) pairs in the order given.

    A plain string in a definition has the tag "" and serves every language. `get` picks
    the language asked for (or one with the same primary tag), else English, else the first.
    """

    items: tuple[tuple[str, str], ...]

    @classmethod
    def plain(cls, text: str) -> Text:
        return cls((("", text),))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(tag for tag, _ in self.items if tag)

    def get(self, lang: str | None = None) -> str:
        if len(self.items) == 1:
            return self.items[0][1]
        wanted = lang or "en"
        for tag, text in self.items:
            if tag == wanted:
                return text
        found = dict(self.items)
        for tag in (lang or "en", "en"):
            match = best_match(tag, found)
            if match is not None:
                return found[match]
        return self.items[0][1]


@dataclass(frozen=True)
class Window:
    """Dates that count: around an anchor node's met date, the last n years, or the current
    renewal cycle (`cycle_months` long, the first starting when node `cycle_from` was met)."""

    anchor: str | None = None
    years_before: int | None = None
    years_after: int | None = None
    last_years: int | None = None
    cycle_months: int | None = None
    cycle_from: str | None = None
    month_end: bool = False

    @property
    def is_cycle(self) -> bool:
        return self.cycle_months is not None


@dataclass(frozen=True)
class Due:
    after: str
    years: int


@dataclass(frozen=True)
class DegreeSpec:
    min_level: str
    accredited: bool = False
    fields: tuple[str, ...] | None = None
    verified: bool = False


@dataclass(frozen=True)
class CoursesSpec:
    providers: tuple[str, ...] | None = None
    topics: tuple[str, ...] = ()
    min_credits: float | None = None
    min_count: int | None = None
    window: Window | None = None
    verified: bool = False


@dataclass(frozen=True)
class ExamSpec:
    code: str
    valid_years: int | None = None
    verified: bool = False
    renewed_by: str | None = None
    """A registration kind: while registered the pass does not lapse (see `registrations`)."""


@dataclass(frozen=True)
class HoursSpec:
    min: float
    statuses: tuple[str, ...] = ("approved",)
    sources: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    supervised: bool = False
    max_per_week: float | None = None
    max_per_year: float | None = None
    min_months: int | None = None
    window: Window | None = None


@dataclass(frozen=True)
class AttestationSpec:
    kind: str
    valid_years: int | None = None
    verified: bool = False


@dataclass(frozen=True)
class CredentialSpec:
    id: str
    verified: bool = False
    current_at: str | None = None
    """A node id: the credential must be current on the day that node was met."""


Spec = DegreeSpec | CoursesSpec | ExamSpec | HoursSpec | AttestationSpec | CredentialSpec


@dataclass(frozen=True)
class Node:
    """One requirement: a composite (`all`, `any`, `at_least`) or a leaf with its `spec`."""

    id: str
    kind: str
    title: str
    path: str
    description: str = ""
    spec: Spec | None = None
    children: tuple[Node, ...] = ()
    count: int = 0
    pathway: str | None = None
    before: str | None = None
    due: Due | None = None
    waivable: bool = True
    titles: Text | None = None
    """The title in every language given (`title` is the English one)."""
    descriptions: Text | None = None

    @property
    def is_leaf(self) -> bool:
        return self.kind in LEAF_KINDS

    def title_in(self, lang: str | None = None) -> str:
        return self.titles.get(lang) if self.titles is not None else self.title

    def description_in(self, lang: str | None = None) -> str:
        return self.descriptions.get(lang) if self.descriptions is not None else self.description

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first, in file order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, eq=False)
class Definition:
    """A credential definition, fully validated when it was loaded."""

    id: str
    name: str
    version: str
    requirements: tuple[Node, ...]
    source: str = "<string>"
    issuer: str = ""
    description: str = ""
    pathways: dict[str, str] = field(default_factory=dict)
    """Pathway key -> English name (see `pathway_name` for other languages)."""
    names: Text | None = None
    descriptions: Text | None = None
    pathway_names: dict[str, Text] = field(default_factory=dict)
    effective_from: date | None = None
    """The first day these rules are the current version of `id` (None: from the beginning)."""

    def name_in(self, lang: str | None = None) -> str:
        return self.names.get(lang) if self.names is not None else self.name

    def description_in(self, lang: str | None = None) -> str:
        return self.descriptions.get(lang) if self.descriptions is not None else self.description

    def pathway_name(self, pathway: str, lang: str | None = None) -> str:
        text = self.pathway_names.get(pathway)
        return text.get(lang) if text is not None else self.pathways.get(pathway, pathway)

    def languages(self) -> tuple[str, ...]:
        """Every language tag the definition's texts use, in order of first use."""
        texts = [self.names, self.descriptions, *self.pathway_names.values()]
        for node in self.nodes():
            texts += [node.titles, node.descriptions]
        tags: dict[str, None] = {}
        for text in texts:
            if text is not None:
                tags.update(dict.fromkeys(text.languages))
        return tuple(tags)

    def nodes(self) -> Iterator[Node]:
        """Every node, depth first, in file order."""
        for node in self.requirements:
            yield from node.walk()

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes() if n.id == node_id), None)

    def node_titles(self, lang: str | None = None) -> dict[str, str]:
        """Every node id with its title, in file order (for waiver pickers)."""
        return {n.id: n.title_in(lang) for n in self.nodes()}

    def vocabulary(self) -> dict[str, list[str]]:
        """The codes, kinds, categories, topics, providers and credential ids used anywhere."""
        vocab: dict[str, list[str]] = {
            "exam_codes": [],
            "attestation_kinds": [],
            "categories": [],
            "topics": [],
            "providers": [],
            "credential_ids": [],
        }

        def add(key: str, values: tuple[str, ...] | None) -> None:
            for value in values or ():
                if value not in vocab[key]:
                    vocab[key].append(value)

        for node in self.nodes():
            spec = node.spec
            if isinstance(spec, ExamSpec):
                add("exam_codes", (spec.code,))
            elif isinstance(spec, AttestationSpec):
                add("attestation_kinds", (spec.kind,))
            elif isinstance(spec, HoursSpec):
                add("categories", spec.categories)
            elif isinstance(spec, CoursesSpec):
                add("topics", spec.topics)
                add("providers", spec.providers)
            elif isinstance(spec, CredentialSpec):
                add("credential_ids", (spec.id,))
        return vocab
