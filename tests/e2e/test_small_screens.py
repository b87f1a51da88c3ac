"""Every page a demo user reaches fits a phone and a wide screen, and passes axe-core.

Each role signs in and follows the same-origin links it is shown, breadth first, one page per
address pattern (ids replaced by a placeholder). On each page: the document does not scroll
sideways at 375x667 or at 1366x768, axe-core finds nothing serious at 1366, and a screenshot of
each width is kept under ``test-output/screenshots/<role>/``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, sign_in

pytestmark = pytest.mark.e2e

WIDTHS = {"phone": (375, 667), "wide": (1366, 768)}
ROLES = ["caseworker", "supervisor", "provider_staff", "auditor"]
#: Enough for every kind of page a role reaches in the demo, few enough to stay quick.
MAX_PAGES = 40
#: Not pages: signing out, downloads and exports, print views, static files.
SKIP = re.compile(
    r"/logout|/export|\.json$|\.csv$|/static/|/attachments/\{id\}$|/healthz|/readyz|/metrics"
)
SKIP_QUERY = {"print", "format"}
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=/)\d+(?=/|$)")

OVERFLOW = """() => {
  const doc = document.documentElement;
  const limit = doc.clientWidth;
  if (doc.scrollWidth <= limit) return null;
  // Inside a scroll box an element may be wide; unless it is positioned out of the box.
  const scrolls = (el) => {
    if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  let widest = null;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= limit + 0.5) continue;
    if (widest !== null && box.width <= widest.width) continue;
    if (scrolls(el)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    widest = {name: name, width: Math.round(box.width)};
  }
  return {scroll: doc.scrollWidth, client: limit, widest: widest};
}"""


@dataclass
class Crawl:
    """What one role's walk through the site found."""

    role: str
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    violations: dict[str, Any] = field(default_factory=dict)


def pattern(url: str) -> str | None:
    """The address with ids replaced, or None when it is not a page to visit."""
    parts = urlsplit(url)
    path = ID.sub("{id}", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query)})
    if SKIP.search(path) or SKIP_QUERY & set(keys):
        return None
    return path + ("?" + "&".join(keys) if keys else "")


def links(page: Any, origin: str) -> list[str]:
    """Same-origin link targets on the page, without fragments."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return [h.split("#")[0] for h in hrefs if h.startswith(origin + "/")]


def check_page(page: Any, crawl: Crawl, key: str, shots: Path) -> None:
    """Both widths on the page now open: no sideways scroll, axe at 1366, screenshots."""
    from axe_playwright_python.sync_playwright import Axe

    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "home"
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            widest = overflow["widest"] or {"name": "?", "width": 0}
            crawl.problems.append(
                f"{key} at {width}px: the page is {overflow['scroll'] - overflow['client']} px"
                f" too wide; widest element {widest['name']} ({widest['width']} px)"
                f" on {urlsplit(page.url).path}"
            )
        page.screenshot(path=str(shots / f"{slug}-{width}.png"), full_page=True)
        if name == "wide":
            found = Axe().run(page).response["violations"]
            serious = [v for v in found if v.get("impact") in ("serious", "critical")]
            if serious:
                crawl.violations[key] = serious
                for v in serious:
                    targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
                    crawl.problems.append(f"{key}: axe {v['id']} ({v['help']}) at {targets}")


def crawl_as(page: Any, server: LiveServer, role: str, shots: Path) -> Crawl:
    """Sign in as the role and visit every kind of page it is linked to, breadth first."""
    crawl = Crawl(role)
    # A script error stops the rest of homeward.js (the error summary's focus, table boxes).
    page.on("pageerror", lambda error: crawl.problems.append(f"{page.url}: script error {error}"))
    page.set_viewport_size({"width": WIDTHS["wide"][0], "height": WIDTHS["wide"][1]})
    sign_in(page, server.account(role))
    queue: deque[str] = deque([page.url.split("#")[0]])
    seen: set[str] = set()
    while queue and len(crawl.visited) < MAX_PAGES:
        url = queue.popleft()
        key = pattern(url)
        if key is None or key in seen:
            continue
        seen.add(key)
        response = page.goto(url)
        landed = pattern(page.url) or key
        if landed != key and landed in seen:
            continue  # a redirect to a page already checked, such as / to the landing page
        seen.add(landed)
        status = response.status if response else 0
        if status >= 500:
            crawl.problems.append(f"{key}: status {status}")
        crawl.visited.append(f"{key} ({status})")
        check_page(page, crawl, key, shots)
        queue.extend(u for u in links(page, server.url) if pattern(u) not in seen)
    return crawl


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_a_wide_screen(
    browser, live_server, artifacts_dir, backend, role
):
    if backend != "sqlite":
        pytest.skip("layout does not depend on the database; one walk is enough")
    shots = artifacts_dir / "screenshots" / role
    shutil.rmtree(shots, ignore_errors=True)  # no screenshot left from a page not reached now
    shots.mkdir(parents=True)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        crawl = crawl_as(page, live_server, role, shots)
    finally:
        context.close()
    (shots / "pages.txt").write_text("\n".join(crawl.visited) + "\n")
    (shots / "axe.json").write_text(json.dumps(crawl.violations, indent=2))
    assert len(crawl.visited) >= 3, f"{role} reached only {crawl.visited}"
    assert crawl.problems == [], f"{role}, {len(crawl.visited)} pages:\n" + "\n".join(
        crawl.problems
    )


def test_the_case_list_on_a_phone_and_a_small_laptop(browser, live_server, backend):
    """The header is short, the menu and filters open on demand, the list comes first."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 375, "height": 667}
    )
    try:
        page = context.new_page()
        sign_in(page, live_server.account("caseworker"))
        page.goto("/cases/")
        header = page.locator(".site-header").bounding_box()
        assert header and header["height"] <= 0.15 * 667, header
        tasks = page.get_by_role("link", name=re.compile("^My tasks"))
        expect(tasks).to_be_hidden()
        page.locator("summary", has_text="Menu").click()
        expect(tasks).to_be_visible()
        stage = page.get_by_label("Stage")
        expect(stage).to_be_hidden()
        title = page.locator("td.card-title").first.bounding_box()
        number = page.locator("td.card-link").first.bounding_box()
        assert title and number and title["y"] < number["y"], "the name heads each card"
        page.locator("summary", has_text="Filter").click()
        stage.select_option("planning")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/cases/?*stage=planning*")
        expect(page.get_by_label("Stage"), "a filter in use keeps them open").to_be_visible()

        page.set_viewport_size({"width": 1024, "height": 768})
        page.goto("/cases/")
        expect(page.get_by_role("link", name=re.compile("^My tasks"))).to_be_visible()
        rows = page.evaluate(
            "[...document.querySelectorAll('table.data--cards tbody tr')]"
            ".filter(r => r.getBoundingClientRect().bottom <= innerHeight).length"
        )
        assert rows > 5, f"only {rows} cases in sight at 1024x768"
    finally:
        context.close()


def test_without_javascript_tables_still_scroll_in_their_own_box(browser, live_server, backend):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 375, "height": 667},
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        sign_in(page, live_server.account("supervisor"))
        for path in ["/cases/", "/directory/", "/referrals/overdue"]:
            page.goto(path)
            overflow = page.evaluate(OVERFLOW)
            assert overflow is None, f"{path}: {overflow}"
        page.locator("summary", has_text="Menu").click()
        expect(page.get_by_role("link", name="Service directory")).to_be_visible()
    finally:
        context.close()
