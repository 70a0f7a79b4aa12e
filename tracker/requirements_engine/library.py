"""Every loaded version of every credential, and which version is current on a date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from .errors import DefinitionError, EngineError, Problem
from .model import Definition


class VersionError(EngineError):
    """A credential or version that is not loaded, or not in effect on the date asked for."""

    def __init__(self, credential: str, version: str | None, reason: str) -> None:
        self.credential = credential
        self.version = version
        self.reason = reason
        super().__init__(reason)


def _effective(definition: Definition) -> date:
    return definition.effective_from or date.min


def _when(definition: Definition) -> str:
    if definition.effective_from is None:
        return "from the beginning (no effective_from)"
    return f"from {definition.effective_from.isoformat()}"


def version_problems(definitions: Iterable[Definition]) -> list[Problem]:
    """Two files with one (id, version), or two versions of an id in effect from one date.

    Each clash is reported on both files, each naming the other, so neither replaces the other.
    """
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Definition] = {}
    starts: dict[tuple[str, date], Definition] = {}
    for definition in definitions:
        pair = (definition.id, definition.version)
        other = seen.get(pair)
        if other is not None:
            reason = f"duplicate credential id '{definition.id}' version '{definition.version}'"
            problems.append(Problem(definition.source, "id", f"{reason} (also in {other.source})"))
            problems.append(Problem(other.source, "id", f"{reason} (also in {definition.source})"))
            continue
        seen[pair] = definition
        start = (definition.id, _effective(definition))
        other = starts.get(start)
        if other is not None:
            path = "effective_from" if definition.effective_from else "version"
            reason = (
                f"versions '{other.version}' and '{definition.version}' of '{definition.id}' "
                f"both take effect {_when(definition)}"
            )
            problems.append(Problem(definition.source, path, f"{reason} (also {other.source})"))
            problems.append(Problem(other.source, path, f"{reason} (also {definition.source})"))
            continue
        starts[start] = definition
    return problems


class Library:
    """The loaded versions of each credential id, oldest `effective_from` first.

    `get(id, version)` names one version; `get(id, on=day)` is the version current on that
    day (the latest `effective_from` on or before it; none means from the beginning).
    """

    def __init__(self, definitions: Iterable[Definition] = ()) -> None:
        items = list(definitions)
        problems = version_problems(items)
        if problems:
            raise DefinitionError(problems)
        self._versions: dict[str, list[Definition]] = {}
        for definition in items:
            self._versions.setdefault(definition.id, []).append(definition)
        for versions in self._versions.values():
            versions.sort(key=_effective)

    def __contains__(self, credential_id: object) -> bool:
        return credential_id in self._versions

    def __iter__(self) -> Iterator[Definition]:
        """Every version of every credential, by id, oldest first."""
        for credential_id in sorted(self._versions):
            yield from self._versions[credential_id]

    def __len__(self) -> int:
        return sum(len(v) for v in self._versions.values())

    def ids(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, credential_id: str) -> tuple[Definition, ...]:
        """The loaded versions of a credential, oldest `effective_from` first (none: empty)."""
        return tuple(self._versions.get(credential_id, ()))

    def get(
        self, credential_id: str, version: str | None = None, *, on: date | None = None
    ) -> Definition:
        """One version: the one named, else the one current `on` a day, else the newest.

        Raises VersionError when the credential or version is not loaded, or when no version
        is in effect on the day.
        """
        versions = self._versions.get(credential_id)
        if not versions:
            raise VersionError(credential_id, version, f"no credential '{credential_id}' is loaded")
        if version is not None:
            for definition in versions:
                if definition.version == version:
                    return definition
            loaded = ", ".join(d.version for d in versions)
            raise VersionError(
                credential_id,
                version,
                f"{credential_id}@{version} is not loaded (loaded versions: {loaded})",
            )
        if on is None:
            return versions[-1]
        current = self.current_version(credential_id, on)
        if current is None:
            first = versions[0]
            assert first.effective_from is not None  # a version without it is always current
            raise VersionError(
                credential_id,
                None,
                f"no version of '{credential_id}' is in effect on {on.isoformat()} (the first, "
                f"{first.version}, takes effect {first.effective_from.isoformat()})",
            )
        return current

    def current_version(self, credential_id: str, on: date) -> Definition | None:
        """The version current on a day, or None (not loaded, or none in effect yet)."""
        current = None
        for definition in self._versions.get(credential_id, ()):
            if _effective(definition) <= on:
                current = definition
        return current

    def current(self, on: date) -> dict[str, Definition]:
        """Each credential's version current on a day (ids with none in effect are left out)."""
        found = {cid: self.current_version(cid, on) for cid in self.ids()}
        return {cid: d for cid, d in found.items() if d is not None}

    def latest(self) -> dict[str, Definition]:
        """Each credential's version with the latest `effective_from`."""
        return {cid: self._versions[cid][-1] for cid in self.ids()}


def split_reference(reference: str) -> tuple[str, str | None]:
    """`cfp@2021` -> ("cfp", "2021"); `cfp` -> ("cfp", None)."""
    credential_id, at, version = reference.partition("@")
    return credential_id, (version if at else None)


__all__ = ["Library", "VersionError", "split_reference", "version_problems"]
