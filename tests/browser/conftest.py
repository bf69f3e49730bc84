"""Headless chromium for the journey tests: Debian's browser, never a downloaded one.

Every page visited is checked the same way (see `Pages.check`): no failed or 4xx/5xx requests, no
console errors, no horizontal scrolling, exactly one h1, a lang attribute, and no serious or critical
axe-core violations. A screenshot of each step goes to test-output/screenshots/.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}
# The policy production will send. Applied here to every page, so an inline script or style attribute
# shows up as a console error (a test failure) long before anyone turns the header on.
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's ORM (used by the
    # fixtures and assertions here) would otherwise refuse to run "from an async context".
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Pages:
    """One browser context plus the problems seen while using it."""

    page: Any
    base_url: str
    prefix: str
    javascript: bool = True
    problems: list[str] = field(default_factory=list)
    steps: int = 0

    def _request_failed(self, request: Any) -> None:
        """A request that failed is a problem; one the browser aborted because the page moved on is not
        (fonts still loading when a form is submitted). Server errors are caught by the response hook."""
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} {request.failure}")

    def __post_init__(self) -> None:
        self.page.on("requestfailed", self._request_failed)
        self.page.on(
            "response",
            lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        self.page.on(
            "console",
            lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def check(self, name: str) -> None:
        """Screenshot this step at both widths, then fail on anything a GOV.UK page should not do."""
        self.steps += 1
        page = self.page
        page.wait_for_load_state("load")
        found = list(self.problems)
        self.problems.clear()
        if page.locator("html").get_attribute("lang") != "en":
            found.append("no lang attribute")
        if page.locator("h1").count() != 1:
            found.append(f"{page.locator('h1').count()} h1 elements")
        if not page.title().endswith(" - ContactPoint"):
            found.append(f"title {page.title()!r}")
        stem = f"{self.prefix}{self.steps:02d}-{name}"
        for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
            page.set_viewport_size(size)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found.append(f"scrolls sideways by {overflow}px at {size['width']}px")
            page.screenshot(path=str(SCREENSHOTS / f"{stem}-{label}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        if self.javascript:
            found.extend(self.accessibility_violations())
        found.extend(self.problems)
        self.problems.clear()
        if os.environ.get("CP_BROWSER_REPORT_ONLY"):
            print(f"{stem}: {found}")
        else:
            assert not found, f"{stem}: {found}"

    def accessibility_violations(self) -> list[str]:
        """Serious and critical axe-core findings on the page as it is now."""
        if page_has_no_axe(self.page):
            # Not add_script_tag: that inserts an inline <script>, which the strict CSP above refuses.
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations: list[str] = self.page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations
                    .filter(v => v.impact === "serious" || v.impact === "critical")
                    .map(v => `axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target)}`);
            }"""
        )
        return violations


def page_has_no_axe(page: Any) -> bool:
    return bool(page.evaluate("typeof window.axe === 'undefined'"))


def _with_strict_csp(route: Any) -> None:
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch(max_redirects=0)
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})


def _open(browser: Any, live_server: Any, request: pytest.FixtureRequest, *, javascript: bool) -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    context.route("**/*", _with_strict_csp)
    request.addfinalizer(context.close)
    prefix = request.node.name.removeprefix("test_") + "-"
    return Pages(context.new_page(), live_server.url, prefix, javascript=javascript)


@pytest.fixture
def pages(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Pages:
    return _open(browser, live_server, request, javascript=True)


@pytest.fixture
def pages_without_javascript(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Pages:
    return _open(browser, live_server, request, javascript=False)
