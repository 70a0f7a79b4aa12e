"""Phones (issue 14): at 375×812, in English and Polish, no page of any role scrolls
sideways; the approval queue's actions stay on screen.

The pages are the ones each role reaches from its home page (every link of the navigation
and of the home page, downloads aside), so the check grows with the app.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e

ROLES = {
    "candidate": "alice.carter@demo.tracker",
    "coordinator": "coordinator@demo.tracker",
    "mentor": "mentor.lee@demo.tracker",
    "admin": "admin@demo.tracker",
}
SKIP = ("/logout", "/static/", "/api/")
DOWNLOADS = (".pdf", ".csv", ".ics", ".zip")
MAX_PAGES = 30


def _reachable(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    paths = {h.split("#")[0] for h in hrefs if h and not h.startswith(SKIP)}
    return sorted(p for p in paths if not p.split("?")[0].endswith(DOWNLOADS))[:MAX_PAGES]


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_scrolls_sideways_on_a_phone(browser: Any, live_server: str, role: str,
                                             lang: str) -> None:  # fmt: skip
    ctx = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 812},
                              locale={"en": "en-US", "pl": "pl-PL"}[lang])  # fmt: skip
    try:
        page = ctx.new_page()
        login(page, ROLES[role])
        page.goto("/")
        wide = []
        for path in ["/", *_reachable(page)]:
            response = page.goto(path)
            assert response is not None and response.status < 400, path
            page.wait_for_load_state("load")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide.append(f"{path} (+{overflow}px)")
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                name = path.strip("/").replace("/", "_") or "home"
                page.screenshot(path=str(ARTIFACTS / f"phone-{role}-{lang}-{name}.png"),
                                full_page=True)  # fmt: skip
        assert not wide, f"{role} ({lang}): pages wider than 375 px: {wide}"
    finally:
        ctx.close()


def test_the_queue_actions_stay_on_screen(browser: Any, live_server: str) -> None:
    ctx = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 812},
                              locale="pl-PL")  # fmt: skip
    try:
        page = ctx.new_page()
        login(page, ROLES["coordinator"])
        page.goto("/approvals")
        for selector in ("form[action*='/approve'] button", "a[href$='/reject']"):
            action = page.locator(f"main table {selector}").first
            action.scroll_into_view_if_needed()
            box = action.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    finally:
        ctx.close()


def test_the_enrol_form_offers_only_the_chosen_credentials_pathways(
    browser: Any, live_server: str
) -> None:
    ctx = browser.new_context(base_url=live_server, locale="en-US")
    try:
        page = ctx.new_page()
        login(page, "daniel.kim@demo.tracker")
        page.goto("/enrol")
        visible = "els => els.filter(o => !o.hidden).map(o => o.value)"
        page.select_option("#credential", "cfp")
        assert set(page.eval_on_selector_all("#pathway option", visible)) == {
            "", "standard", "apprenticeship"
        }  # fmt: skip
        page.select_option("#credential", "cfa")
        assert page.eval_on_selector_all("#pathway option", visible) == [""]
    finally:
        ctx.close()
