"""Keyboard only: skip link, log in, reach "Log hours" by Tab, fill the form and submit with Enter."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CANDIDATE = "ben.okafor@demo.tracker"
PASSWORD = "tracker-demo-2026"
MAX_TABS = 60

ACTIVE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id || "", name: el.getAttribute("name") || "",
    text: (el.innerText || el.value || "").trim(), href: el.getAttribute("href") || "",
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor, boxShadow: style.boxShadow,
    visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < innerWidth && box.top < innerHeight,
  };
}"""


def active(page: Any) -> dict[str, Any]:
    return page.evaluate(ACTIVE)


def assert_focus_visible(page: Any) -> dict[str, Any]:
    """The focused element is on screen and drawn with a focus ring of at least 2px."""
    el = active(page)
    assert el["visible"], f"focused element is off screen: {el}"
    ring = el["outlineStyle"] != "none" and el["outlineWidth"] >= 2
    assert ring or el["boxShadow"] != "none", f"no visible focus indicator: {el}"
    return el


def tab_to(page: Any, matches: Any, what: str) -> dict[str, Any]:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        el = active(page)
        if matches(el):
            return assert_focus_visible(page)
    raise AssertionError(f"{what} not reached within {MAX_TABS} Tab presses")


def test_keyboard_only_login_and_log_hours(page: Any, shot: Any) -> None:
    employer = f"Keyboard Desk {secrets.token_hex(3)}"
    page.goto("/login")

    # The first Tab stop is the skip link: visible when focused, and it moves focus to <main>.
    page.keyboard.press("Tab")
    el = assert_focus_visible(page)
    assert el["href"] == "#main" and el["text"] == "Skip to content", el
    shot(page, "1-skip-link")
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    assert active(page)["name"] == "email", "after the skip link, Tab should reach the e-mail"

    page.keyboard.type(CANDIDATE)
    tab_to(page, lambda e: e["name"] == "password", "the password field")
    page.keyboard.type(PASSWORD)
    shot(page, "2-login-filled")
    page.keyboard.press("Enter")
    # The redirect keeps the skip link's #main fragment.
    page.wait_for_url(re.compile(r"://[^/]+/(#main)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ben Okafor")
    shot(page, "3-home")

    tab_to(page, lambda e: e["tag"] == "a" and e["text"] == "My records", "My records")
    shot(page, "4-nav-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/candidates/\d+/records"))
    tab_to(page, lambda e: e["tag"] == "a" and e["text"] == "Log hours", "Log hours")
    shot(page, "5-log-hours-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/records/experience/new"))

    tab_to(page, lambda e: e["id"] == "start", "First day")
    page.keyboard.type("11032025")
    # Tab passes the date field's calendar button (still inside the field), then moves on.
    tab_to(page, lambda e: e["id"] == "end", "Last day")
    page.keyboard.type("11142025")
    tab_to(page, lambda e: e["id"] == "hours", "Hours")
    page.keyboard.type("12.5")
    tab_to(page, lambda e: e["id"] == "category", "Kind of work")
    tab_to(page, lambda e: e["id"] == "employer", "Employer")
    page.keyboard.type(employer)
    expect(page.locator("#start")).to_have_value("2025-11-03")
    expect(page.locator("#end")).to_have_value("2025-11-14")
    shot(page, "6-form-filled")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/candidates/\d+/records"))
    expect(page.locator(".flash-success")).to_contain_text("was added")
    row = page.get_by_role("row").filter(has_text=employer)
    expect(row).to_contain_text("12.5")
    expect(row).to_contain_text("Pending")
    shot(page, "7-saved")
