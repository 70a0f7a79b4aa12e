"""The approval queue in a real browser: warnings shown, evidence opened in place, bulk reject,
and the page usable 375 px wide. Uses the demo's pending entries of Farid Haddad: a 60-hour
week and the same week logged twice (seed/demo.yaml)."""

from __future__ import annotations

import re
import tempfile
import zlib
from pathlib import Path
from struct import pack
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, logout, nav

pytestmark = pytest.mark.e2e

CANDIDATE = "farid.haddad@demo.tracker"
COORDINATOR = "coordinator@demo.tracker"
HEAVY = "Haddad Tax & Planning (tax season)"


def _png(width: int = 40, height: int = 30) -> bytes:
    """A small valid PNG (a grey rectangle): evidence the browser can really draw."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _attach_timesheet(page: Any) -> None:
    login(page, CANDIDATE)
    nav(page, "My records")
    row = page.get_by_role("row").filter(has_text=HEAVY)
    row.get_by_role("link", name="Attach evidence").click()
    path = Path(tempfile.mkdtemp()) / "timesheet-week-45.png"
    path.write_bytes(_png())
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name=re.compile("Upload")).click()
    expect(page.locator(".flash-success")).to_contain_text("uploaded")
    logout(page)


def test_queue_flags_opens_evidence_and_rejects_in_bulk(page: Any, shot: Any) -> None:
    _attach_timesheet(page)
    login(page, COORDINATOR)
    nav(page, "Approvals")
    page.goto(page.url.split("?")[0] + "?candidate=" + _farid_id(page))
    heavy = page.locator("tr.flagged").filter(has_text=HEAVY)
    expect(heavy).to_contain_text("Over weekly cap")
    expect(heavy).to_contain_text("60 h logged, above the 40 h a week")
    duplicates = page.locator("tr.flagged").filter(has_text="Likely duplicate")
    expect(duplicates).to_have_count(2)
    expect(page.locator(".flag-summary")).to_be_visible()
    expect(heavy).to_contain_text("h approved")
    shot(page, "1-flags")

    evidence = heavy.locator("details.evidence")
    image = evidence.locator("img")
    expect(image).to_be_hidden()
    evidence.locator("summary").click()
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 40", arg=image.element_handle()
    )
    shot(page, "2-evidence-open")

    for i in range(2):
        duplicates.nth(i).locator('input[name="entry_id"]').check()
    page.locator("details.bulk-reject summary").click()
    page.get_by_label("Reason for rejecting the selected entries").fill(
        "The same week was logged twice; keep one entry"
    )
    shot(page, "3-bulk-reject")
    page.get_by_role("button", name="Reject selected with this reason").click()
    expect(page.locator(".flash-success")).to_contain_text("Rejected 2 entries.")
    expect(page.locator("tr").filter(has_text="Likely duplicate")).to_have_count(0)
    expect(page.locator("tr").filter(has_text=HEAVY)).to_have_count(1)
    shot(page, "4-rejected")
    logout(page)

    login(page, CANDIDATE)
    nav(page, "My records")
    expect(page.get_by_role("row").filter(has_text="The same week was logged twice")).to_have_count(
        2
    )


def test_queue_at_375_px(page: Any, shot: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, COORDINATOR)
    nav(page, "Approvals")
    expect(page.locator("tr.flagged").first).to_be_visible()
    # The page itself never scrolls sideways; the wide table scrolls inside its wrapper.
    shot(page, "375px")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > 376 && !e.closest('.table-wrap'))
             .slice(0, 8).map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= 375, (width, wide)
    button = page.get_by_role("button", name="Approve selected")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box


def _farid_id(page: Any) -> str:
    option = page.locator("#candidate option").filter(has_text="Farid Haddad")
    value = option.get_attribute("value")
    assert value and value.isdigit()
    return value
