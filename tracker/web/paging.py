"""Pages of long lists: one shape for the audit log, the cohort and the approval queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


MAX_ROW_ID = 2**31 - 1
"""The largest id an INTEGER column holds on PostgreSQL (tracker.schema.MAX_ID)."""


def row_id(raw: object) -> int | None:
    """A row id from a query string or form field; None for anything that cannot be one."""
    text = str(raw) if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means the first page."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def page_of(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """One page of an in-memory list; a page past the end shows the last one."""
    total = len(items)
    last = max(1, -(-total // per_page))
    page = min(max(page, 1), last)
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), page, per_page, total)
