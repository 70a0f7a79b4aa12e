"""CSV cells that a spreadsheet program will not run as formulas (API, pages, cohort ZIP)."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "|", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from running a cell as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
