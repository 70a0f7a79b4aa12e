"""Credential requirements engine: load definitions, evaluate candidate records.

Pure Python (standard library and PyYAML): no web framework, no database, no clock and
no I/O inside `evaluate`. Every error derives from `EngineError`.
"""

from __future__ import annotations

from .errors import DefinitionError, EngineError, Problem, RecordProblem, RecordsError
from .evaluate import evaluate, evaluate_pathways
from .library import Library, VersionError
from .loader import load_definition, load_directory, load_library, parse_definition
from .model import LEVELS, Definition, Node, Text
from .records import entry_record, validate_records
from .render import render_text

__all__ = [
    "LEVELS",
    "Definition",
    "DefinitionError",
    "EngineError",
    "Library",
    "Node",
    "Problem",
    "RecordProblem",
    "RecordsError",
    "Text",
    "VersionError",
    "entry_record",
    "evaluate",
    "evaluate_pathways",
    "load_definition",
    "load_directory",
    "load_library",
    "parse_definition",
    "render_text",
    "validate_records",
]
