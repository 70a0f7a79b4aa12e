"""`python -m tracker.requirements_engine check|validate`: exit 0 on success, 2 on bad input."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .dates import parse_date
from .errors import DefinitionError, EngineError
from .evaluate import evaluate
from .library import Library, VersionError, split_reference
from .loader import definition_files, load_definition, load_library
from .model import Definition
from .render import render_text
from .texts import language_tag

BAD_INPUT = 2


class _Usage(Exception):
    """Bad input found by the command line itself; one line per problem."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _Usage(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m tracker.requirements_engine",
        description="Check candidate records against a credential, or validate definitions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="evaluate a candidate's records")
    check.add_argument(
        "definition", help="a definition file, or a credential id in --credentials-dir"
    )
    check.add_argument("records", help="the candidate's records (JSON file, or - for stdin)")
    check.add_argument("--as-of", dest="as_of", help="evaluation date YYYY-MM-DD (default: today)")
    check.add_argument(
        "--pathway", help="the pathway to evaluate (default: the records', else the first)"
    )
    check.add_argument("--json", action="store_true", help="print the result JSON")
    check.add_argument(
        "--lang", metavar="TAG", help="language of the result, e.g. pl (default: English)"
    )
    check.add_argument(
        "--with-planned",
        dest="planned",
        action="store_true",
        help='count records marked "planned": true as if done (a what-if)',
    )
    check.add_argument(
        "--credentials-dir",
        default=os.path.join("seed", "credentials"),
        help="where credential ids are looked up (default: seed/credentials)",
    )
    validate = commands.add_parser("validate", help="load definitions and report every problem")
    validate.add_argument("paths", nargs="+", metavar="DEFINITION_OR_DIRECTORY")
    return parser


def _library(directory: Path) -> Library:
    """Every version of every definition of the directory; a load error stops the check."""
    if not directory.is_dir():
        return Library()
    return load_library(directory)


def _definition(spec: str, directory: Path, library: Library, as_of: date) -> Definition:
    """A definition file, or `ID` / `ID@VERSION` looked up in the directory's library."""
    path = Path(spec)
    if path.is_file():
        return load_definition(path)
    if path.suffix in (".yaml", ".yml") or os.sep in spec or "/" in spec:
        raise _Usage(f"{spec}: no such file")
    credential_id, version = split_reference(spec)
    if credential_id not in library:
        raise _Usage(f"{spec}: no such file, and no credential '{credential_id}' in {directory}")
    try:
        return library.get(credential_id, version, on=as_of)
    except VersionError as exc:
        raise _Usage(f"{spec}: {exc.reason}") from None


def _records(spec: str) -> Any:
    try:
        if spec == "-":
            text = sys.stdin.read()
        else:
            text = Path(spec).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Usage(f"{spec}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _Usage(f"{spec}: cannot read the file: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Usage(
            f"{spec}: bad JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise _Usage(f"{spec}: the records must be a JSON object")
    return data


def _check(args: argparse.Namespace) -> int:
    if args.as_of is None:
        as_of = date.today()
    else:
        parsed = parse_date(args.as_of)
        if parsed is None:
            raise _Usage(f"--as-of: {args.as_of!r} is not a date (YYYY-MM-DD)")
        as_of = parsed
    if args.lang is not None and language_tag(args.lang) is None:
        raise _Usage(f"--lang: {args.lang!r} is not a language tag (e.g. en, pl)")
    directory = Path(args.credentials_dir)
    library = _library(directory)
    definition = _definition(args.definition, directory, library, as_of)
    records = _records(args.records)
    result = evaluate(
        definition,
        records,
        as_of,
        pathway=args.pathway,
        catalog=library,
        lang=args.lang,
        planned=args.planned,
    )
    if args.json:
        out = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    else:
        out = render_text(result)
    sys.stdout.write(out)
    return 0


def _validate(args: argparse.Namespace) -> int:
    failed = False
    for spec in args.paths:
        path = Path(spec)
        if path.is_dir():
            files = definition_files(path)
            if not files:
                print(f"{spec}: no *.yaml or *.yml files", file=sys.stderr)
                failed = True
                continue
            try:
                loaded = list(load_library(path))
                problems = []
            except DefinitionError as exc:
                loaded = []
                problems = exc.problems
            by_file: dict[str, list[str]] = {}
            for problem in problems:
                by_file.setdefault(problem.file, []).append(str(problem))
            ids = {d.source: d for d in loaded}
            for file in files:
                failed |= _report(str(file), ids.get(str(file)), by_file.get(str(file), []))
        elif path.is_file():
            try:
                definition = load_definition(path)
                failed |= _report(spec, definition, [])
            except DefinitionError as exc:
                failed |= _report(spec, None, [str(p) for p in exc.problems])
        else:
            print(f"{spec}: no such file or directory", file=sys.stderr)
            failed = True
    return BAD_INPUT if failed else 0


def _report(file: str, definition: Definition | None, problems: list[str]) -> bool:
    """Print one line for the file (stdout) and one per problem (stderr); True if it failed."""
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{file}: {len(problems)} {noun}")
        for line in problems:
            print(line, file=sys.stderr)
        return True
    if definition is None:
        print(f"{file}: OK")
    else:
        print(f"{file}: OK ({definition.id}, version {definition.version})")
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; never lets a traceback reach the user."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    try:
        args = _parser().parse_args(argv)
        if args.command == "check":
            return _check(args)
        return _validate(args)
    except _Usage as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
    except EngineError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(line, file=sys.stderr)
    except RecursionError:
        print("error: the definition nests too deeply", file=sys.stderr)
    except Exception as exc:  # the contract: a message, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return BAD_INPUT
