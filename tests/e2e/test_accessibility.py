"""axe-core on the main pages, in English and in Polish: no violation of impact "serious"
or "critical".

Every page's full axe result (all impacts) is written to test-artifacts/e2e/axe-PAGE-LANG.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e

CANDIDATE = "alice.carter@demo.tracker"
COORDINATOR = "coordinator@demo.tracker"
MENTOR = "mentor.lee@demo.tracker"
ADMIN = "admin@demo.tracker"
BLOCKING = {"serious", "critical"}


def _progress(page: Any) -> None:
    page.goto("/")
    page.locator("main table a").first.click()
    page.wait_for_url(re.compile(r"/candidates/\d+/progress/"))


def _log_hours(page: Any) -> None:
    page.goto("/me/records")
    page.locator("main a[href$='/records/experience/new']").first.click()
    page.wait_for_url(re.compile(r"/records/experience/new"))


def _log_hours_errors(page: Any) -> None:
    """The form as it comes back with errors (aria-invalid, aria-describedby)."""
    _log_hours(page)
    page.locator("main form button[type=submit]").first.click()
    page.locator(".has-error").first.wait_for()


# page name -> (who logs in, a path or a function that navigates there)
PAGES: dict[str, tuple[str | None, str | Callable[[Any], None]]] = {
    "login": (None, "/login"),
    "candidate-home": (CANDIDATE, "/"),
    "progress": (CANDIDATE, _progress),
    "records": (CANDIDATE, "/me/records"),
    "log-hours": (CANDIDATE, _log_hours),
    "log-hours-errors": (CANDIDATE, _log_hours_errors),
    "approval-queue": (COORDINATOR, "/approvals"),
    "cohort": (COORDINATOR, "/cohort"),
    "mentor": (MENTOR, "/mentoring"),
    "admin-users": (ADMIN, "/admin/users"),
}


def _run_axe(page: Any) -> dict[str, Any]:
    from axe_playwright_python.sync_playwright import Axe

    return dict(Axe().run(page).response)


def _describe(violation: dict[str, Any]) -> str:
    targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:5]]
    return (
        f"{violation['impact']}: {violation['id']} ({violation['help']}), "
        f"{len(violation['nodes'])} node(s): {targets}"
    )


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(
    name: str, lang: str, browser: Any, live_server: str, shot: Any
) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                  locale={"en": "en-US", "pl": "pl-PL"}[lang])  # fmt: skip
    try:
        _check_page(name, lang, context.new_page(), shot)
    finally:
        context.close()


def _check_page(name: str, lang: str, page: Any, shot: Any) -> None:
    who, target = PAGES[name]
    if who:
        login(page, who)
    if callable(target):
        target(page)
    else:
        page.goto(target)
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang
    shot(page, "page")

    result = _run_axe(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}-{lang}.json").write_text(
        json.dumps(
            {"url": page.url, "violations": result["violations"]}, indent=2, ensure_ascii=False
        )
    )
    blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING]
    assert not blocking, f"{name} ({page.url}):\n" + "\n".join(map(_describe, blocking))
