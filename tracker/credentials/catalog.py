"""The credential definitions of the installation, loaded from TRACKER_CREDENTIALS_DIR.

Definitions are validated by the engine at load time. A broken file does not take the
others down: it is listed with its problems (admins see them) and left out of the catalog.
The catalog is reloaded when a file in the directory changes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from tracker.requirements_engine import (
    Definition,
    DefinitionError,
    load_definition,
    load_directory,
)
from tracker.schema import Vocabulary

OTHER_PROVIDER = "other"
VOCABULARY_KEYS = ("categories", "exam_codes", "attestation_kinds", "providers", "topics",
                   "credential_ids")  # fmt: skip


@dataclass(frozen=True)
class DefinitionFile:
    path: Path
    definition: Definition | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Catalog:
    directory: Path
    fingerprint: str
    files: tuple[DefinitionFile, ...]
    definitions: dict[str, Definition] = field(default_factory=dict)
    _vocabulary: dict[str, Vocabulary] = field(default_factory=dict, compare=False, repr=False)

    def get(self, credential_id: str, version: str | None = None) -> Definition | None:
        """The current definition of an id, or the given version of it."""
        definition = self.definitions.get(credential_id)
        if definition is not None and version is not None and definition.version != version:
            return None
        return definition

    def versions_of(self, credential_id: str) -> list[str]:
        definition = self.definitions.get(credential_id)
        return [definition.version] if definition is not None else []

    def has_version(self, credential_id: str, version: str) -> bool:
        return version in self.versions_of(credential_id)

    def vocabulary_of(self) -> Vocabulary:
        """What record input is checked against (cached: the catalog is immutable)."""
        cached = self._vocabulary.get("value")
        if cached is None:
            values = {key: frozenset(self.vocabulary(key)) for key in VOCABULARY_KEYS}
            cached = Vocabulary(
                categories=values["categories"],
                exam_codes=values["exam_codes"],
                attestation_kinds=values["attestation_kinds"],
                providers=values["providers"],
                topics=values["topics"],
                credential_ids=values["credential_ids"],
            )
            self._vocabulary["value"] = cached
        return cached

    def choices(self) -> list[tuple[str, str]]:
        return [(d.id, d.name) for d in sorted(self.definitions.values(), key=lambda d: d.name)]

    def vocabulary(self, key: str) -> list[str]:
        values: set[str] = set()
        for definition in self.definitions.values():
            values.update(definition.vocabulary().get(key, []))
        return sorted(values)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _fingerprint(directory: Path) -> str:
    h = hashlib.sha256(str(directory).encode())
    for path in _files(directory):
        st = path.stat()
        h.update(f"{path.name}:{st.st_mtime_ns}:{st.st_size};".encode())
    return h.hexdigest()


def load_catalog(directory: Path) -> Catalog:
    fingerprint = _fingerprint(directory)
    paths = _files(directory)
    try:
        definitions = load_directory(directory) if paths else {}
        files = tuple(
            DefinitionFile(
                p, next((d for d in definitions.values() if Path(d.source) == p), None), ()
            )
            for p in paths
        )
        return Catalog(directory, fingerprint, files, dict(definitions))
    except DefinitionError as whole:
        # Fall back to file by file so that one bad file does not hide the good ones.
        good: dict[str, Definition] = {}
        files_list: list[DefinitionFile] = []
        for path in paths:
            try:
                definition = load_definition(path)
            except DefinitionError as exc:
                files_list.append(DefinitionFile(path, None, tuple(str(p) for p in exc.problems)))
                continue
            problems = tuple(str(p) for p in whole.problems if Path(str(p.file)).name == path.name)
            if problems:
                files_list.append(DefinitionFile(path, None, problems))
            else:
                good[definition.id] = definition
                files_list.append(DefinitionFile(path, definition, ()))
        return Catalog(directory, fingerprint, tuple(files_list), good)


_lock = threading.Lock()
_cache: dict[Path, Catalog] = {}


def catalog_for(directory: Path) -> Catalog:
    """The catalog of a directory, reloaded only when one of its files changed."""
    fingerprint = _fingerprint(directory)
    cached = _cache.get(directory)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    with _lock:
        catalog = load_catalog(directory)
        _cache[directory] = catalog
        return catalog


def current_catalog() -> Catalog:
    return catalog_for(Path(current_app.config["CREDENTIALS_DIR"]))
