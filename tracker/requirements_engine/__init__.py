"""Credential requirements engine: load definitions, evaluate candidate records.

Pure Python (standard library and PyYAML): no web framework, no database, no clock and
no I/O inside `evaluate`. Every error derives from `EngineError`.
"""

from __future__ import annotations

from .errors import DefinitionError, EngineError, Problem, RecordProblem, RecordsError
from .evaluate import evaluate
from .loader import load_definition, load_directory, parse_definition
from .model import LEVELS, Definition, Node
from .records import validate_records
from .render import render_text

__all__ = [
    "LEVELS",
    "Definition",
    "DefinitionError",
    "EngineError",
    "Node",
    "Problem",
    "RecordProblem",
    "RecordsError",
    "evaluate",
    "load_definition",
    "load_directory",
    "parse_definition",
    "render_text",
    "validate_records",
]
