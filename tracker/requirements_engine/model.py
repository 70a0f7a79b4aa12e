"""The parsed, validated form of a credential definition."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

LEVELS: tuple[str, ...] = ("associate", "bachelor", "master", "doctorate")
COMPOSITE_KINDS: tuple[str, ...] = ("all", "any", "at_least")
LEAF_KINDS: tuple[str, ...] = ("degree", "courses", "exam", "hours", "attestation", "credential")
KINDS: tuple[str, ...] = COMPOSITE_KINDS + LEAF_KINDS
ENTRY_STATUSES: tuple[str, ...] = ("approved", "pending", "rejected")
SOURCES: tuple[str, ...] = ("employment", "internship")


@dataclass(frozen=True)
class Window:
    """Dates that count: around an anchor node's met date, or the last n years."""

    anchor: str | None = None
    years_before: int | None = None
    years_after: int | None = None
    last_years: int | None = None


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

    @property
    def is_leaf(self) -> bool:
        return self.kind in LEAF_KINDS

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

    def nodes(self) -> Iterator[Node]:
        """Every node, depth first, in file order."""
        for node in self.requirements:
            yield from node.walk()

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes() if n.id == node_id), None)

    def node_titles(self) -> dict[str, str]:
        """Every node id with its title, in file order (for waiver pickers)."""
        return {n.id: n.title for n in self.nodes()}

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
