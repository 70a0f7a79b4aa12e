"""The credential definitions of the installation, loaded from TRACKER_CREDENTIALS_DIR.

Definitions are validated by the engine at load time. A broken file does not take the
others down: it is listed with its problems (admins see them) and left out of the catalog.
The catalog is reloaded when a file in the directory changes.

Withdrawn versions (moved to the directory's `withdrawn/` folder by an admin, see
publishing.py) stay in the library, so that the enrolments under them keep their rules,
but are never current: new enrolments cannot get them.
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
    Library,
    VersionError,
    load_definition,
    load_library,
)
from tracker.schema import Vocabulary
from tracker.timeutil import today

OTHER_PROVIDER = "other"
WITHDRAWN_DIR = "withdrawn"
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
    """The rules' content and the day (results computed under other rules are stale)."""
    files: tuple[DefinitionFile, ...]
    definitions: dict[str, Definition] = field(default_factory=dict)
    """Each credential's version current today: what new enrolments get."""
    library: Library = field(default_factory=Library)
    """Every loaded version of every credential, withdrawn ones too: enrolments keep theirs."""
    withdrawn: frozenset[tuple[str, str]] = frozenset()
    """(id, version) of the withdrawn versions: loaded, never offered."""
    stamp: str = ""
    """File names, times and sizes: the cache reloads when it changes."""
    _vocabulary: dict[str, Vocabulary] = field(default_factory=dict, compare=False, repr=False)

    def get(self, credential_id: str, version: str | None = None) -> Definition | None:
        """The current definition of an id, or the given version of it (None: not loaded)."""
        if version is None:
            return self.definitions.get(credential_id)
        try:
            return self.library.get(credential_id, version)
        except VersionError:
            return None

    def versions_of(self, credential_id: str) -> list[str]:
        """The loaded versions of a credential, oldest `effective_from` first."""
        return [d.version for d in self.library.versions(credential_id)]

    def has_version(self, credential_id: str, version: str) -> bool:
        return version in self.versions_of(credential_id)

    def vocabulary_of(self) -> Vocabulary:
        """What record input is checked against (cached: the catalog is immutable)."""
        cached = self._vocabulary.get("value")
        if cached is None:
            definitions = list(self.definitions.values())
            cached = Vocabulary(
                **{key: frozenset(self.vocabulary(key)) for key in VOCABULARY_KEYS},
                extra={
                    "definitions": frozenset(d.id for d in definitions),
                    "pathways": frozenset(p for d in definitions for p in d.pathways),
                    "versions": frozenset(d.version for d in definitions),
                    "requirements": frozenset(n for d in definitions for n in d.node_titles() if n),
                },
            )
            self._vocabulary["value"] = cached
        return cached

    def choices(self, lang: str | None = None) -> list[tuple[str, str]]:
        """(id, name) of the current definitions by name, names in `lang` (None: English)."""
        named = [(d.id, d.name_in(lang)) for d in self.definitions.values()]
        return sorted(named, key=lambda pair: pair[1].lower())

    def vocabulary(self, key: str) -> list[str]:
        values: set[str] = set()
        for definition in self.definitions.values():
            values.update(definition.vocabulary().get(key, []))
        return sorted(values)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _stamp(directory: Path) -> str:
    """Changes with any file (name, time, size) and with the day: when to reload."""
    h = hashlib.sha256(f"{directory}|{today().isoformat()}".encode())
    for path in [*_files(directory), *_files(directory / WITHDRAWN_DIR)]:
        st = path.stat()
        h.update(f"{path.name}:{st.st_mtime_ns}:{st.st_size};".encode())
    return h.hexdigest()


def _fingerprint(directory: Path) -> str:
    """The rules themselves (every file's content) and the day (a version may take effect
    today): stored with each result as its rules version. Content, not file times, so that
    hosts sharing the directory, or a copy of it, agree on what is current."""
    h = hashlib.sha256(today().isoformat().encode())
    for folder in ("", WITHDRAWN_DIR):
        for path in _files(directory / folder if folder else directory):
            h.update(f"{folder}/{path.name}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def load_catalog(directory: Path) -> Catalog:
    stamp, fingerprint = _stamp(directory), _fingerprint(directory)
    active, active_files = _load_files(directory)
    withdrawn, withdrawn_files = _load_files(directory / WITHDRAWN_DIR)
    try:
        library = Library([*active, *withdrawn])
    except DefinitionError as exc:  # a withdrawn file clashing with a published one
        withdrawn_files = tuple(
            DefinitionFile(f.path, None, tuple(str(p) for p in exc.problems))
            for f in withdrawn_files
        )
        library, withdrawn = Library(active), []
    return Catalog(
        directory,
        fingerprint,
        active_files + withdrawn_files,
        Library(active).current(today()),
        library,
        frozenset((d.id, d.version) for d in withdrawn),
        stamp,
    )


def _load_files(directory: Path) -> tuple[list[Definition], tuple[DefinitionFile, ...]]:
    """The definitions of one folder and a line per file (with its problems, if any)."""
    paths = _files(directory)
    try:
        library = load_library(directory) if paths else Library()
        definitions = list(library)
        files = tuple(
            DefinitionFile(p, next((d for d in definitions if Path(d.source) == p), None), ())
            for p in paths
        )
        return definitions, files
    except DefinitionError as whole:
        # Fall back to file by file so that one bad file does not hide the good ones (two
        # files with one id and version are both left out: neither replaces the other).
        good: list[Definition] = []
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
                good.append(definition)
                files_list.append(DefinitionFile(path, definition, ()))
        return good, tuple(files_list)


_lock = threading.Lock()
_cache: dict[Path, Catalog] = {}


def catalog_for(directory: Path) -> Catalog:
    """The catalog of a directory, reloaded only when one of its files changed."""
    stamp = _stamp(directory)
    cached = _cache.get(directory)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _lock:
        catalog = load_catalog(directory)
        _cache[directory] = catalog
        return catalog


def current_catalog() -> Catalog:
    return catalog_for(Path(current_app.config["CREDENTIALS_DIR"]))
