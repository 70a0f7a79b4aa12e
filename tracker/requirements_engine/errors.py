"""The engine's exceptions: one root, raised at load time or before evaluation."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Root of every error the requirements engine raises on bad input."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file: where it is and why."""

    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        if self.path:
            return f"{self.file}: {self.path}: {self.reason}"
        return f"{self.file}: {self.reason}"


class DefinitionError(EngineError):
    """A definition (or a directory of them) that does not load; lists every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class RecordProblem:
    """One bad candidate record: its list, id (when it has one), field and the reason."""

    kind: str
    record_id: str | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.kind
        if self.record_id is not None:
            where += f" {self.record_id}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.reason}"


class RecordsError(EngineError):
    """Candidate records that cannot be evaluated; names each bad record and field."""

    def __init__(self, problems: list[RecordProblem]) -> None:
        self.problems: list[RecordProblem] = list(problems)
        first = self.problems[0] if self.problems else RecordProblem("records", None, None, "")
        self.kind: str = first.kind
        self.record_id: str | None = first.record_id
        self.field: str | None = first.field
        self.reason: str = first.reason
        super().__init__("\n".join(str(p) for p in self.problems))
