"""End to end in real headless Chromium against ``protokoll serve`` on a free port.

Uses Debian's ``/usr/bin/chromium`` (never ``playwright install``) and axe-core from the
``axe-playwright-python`` package for WCAG 2.1 AA. Screenshots of every page go to the test's
tmp_path; set ``PROTOKOLL_SCREENSHOT_DIR=docs/screenshots`` to also write the README
screenshots (search, meeting, trends at 1280×900).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium saknas (apt-get install chromium)"),
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
QUERY = "e-tjänster"
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}  # a common phone width in CSS pixels
BROWSER_TIMEOUT_MS = 300_000  # Playwright's 30 s default fails on a loaded shared machine


@pytest.fixture(scope="module")
def base_url(built_index: Path) -> Iterator[str]:
    from test_serve import running_server

    with running_server(built_index, "--corpus", str(CORPUS), "--threads", "4") as (url, _, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, VIEWPORT)


@pytest.fixture()
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, PHONE)


def _page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="sv-SE")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    context.close()
    assert not problems, f"console errors or CSP violations: {problems}"


def shoot(pg: Any, tmp_path: Path, name: str, readme: bool = False) -> None:
    pg.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    target = os.environ.get("PROTOKOLL_SCREENSHOT_DIR")
    if readme and target:
        Path(target).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(target) / f"{name}.png"))


def count_of(pg: Any) -> int:
    text = pg.locator(".result-count").inner_text()
    return int(re.sub(r"\D", "", text.split()[0]))


def in_viewport(pg: Any, selector: str) -> bool:
    return bool(pg.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                    return r.height > 0 && r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    ))


def test_search_facet_meeting_and_trends(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/")
    page.fill("#q", QUERY)
    page.press("#q", "Enter")
    page.wait_for_selector(".result-count")
    before = count_of(page)
    assert before > 1
    shoot(page, tmp_path, "search", readme=True)

    facet = page.locator('a.facet-link[data-facet="organisation"]').first
    expected = int(facet.locator(".count").inner_text().split()[0])
    facet.click()
    page.wait_for_selector(".active-filters .chip.removable")
    after = count_of(page)
    assert after == expected and after < before
    shoot(page, tmp_path, "search-facet")

    hit = page.locator(".hit-title a").first
    href = hit.get_attribute("href")
    anchor = href.split("#")[1]
    hit.click()
    page.wait_for_url(re.compile(r"/mote/[^#]+#(punkt|paragraf)-"))
    assert page.url.endswith("#" + anchor)
    assert in_viewport(page, f"#{anchor}")
    shoot(page, tmp_path, "meeting")

    page.goto(base_url + "/trender?q=" + QUERY)
    chart = page.locator("img.chart")
    chart.wait_for()
    page.wait_for_function("() => document.querySelector('img.chart').naturalWidth > 0")
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("table.trend-table tbody tr").count() >= 2
    shoot(page, tmp_path, "trends", readme=True)


def test_meeting_cited_item_in_view(page: Any, base_url: str, tmp_path: Path) -> None:
    """The README screenshot of a meeting, opened at a cited item as a shared link would be."""
    page.goto(base_url + "/api/search?q=" + QUERY)
    data = page.evaluate("() => JSON.parse(document.body.innerText)")
    hit = next(h for h in data["hits"] if h["anchor"].startswith("punkt-"))
    page.goto(f"{base_url}/mote/{hit['meeting_id']}#{hit['anchor']}")
    assert in_viewport(page, f"#{hit['anchor']}")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, tmp_path, "meeting", readme=True)
    page.goto(f"{base_url}/mote/{hit['meeting_id']}#{hit['anchor']}")


@pytest.mark.parametrize(
    "path",
    ["/", f"/?q={QUERY}", f"/?q={QUERY}&organisation=Umeåregionen", f"/?q={QUERY}&visa=kommun",
     "/mote/{meeting}#punkt-2",
     f"/trender?q={QUERY}", "/moten", "/finns-inte"],
)
def test_pages_have_no_wcag21aa_violations(page: Any, base_url: str, path: str, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    if "{meeting}" in path:
        page.goto(base_url + "/api/meetings")
        meetings = page.evaluate("() => JSON.parse(document.body.innerText).meetings")
        path = path.format(meeting=meetings[0]["id"])
    page.goto(base_url + path)
    if path == "/finns-inte":
        page.problems.clear()  # the 404 itself is logged by Chromium as a failed resource
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    assert violations == [], results.generate_report()
    shoot(page, tmp_path, re.sub(r"\W+", "_", path).strip("_") or "start")


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return {id: e.id, cls: e.className, tag: e.tagName,
                           paging: !!e.closest('nav.paging'),
                           outline: s.outlineStyle, shadow: s.boxShadow}; }"""
    )


def test_keyboard_reaches_search_facets_and_paging_with_visible_focus(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/?q={QUERY}&per_sida=1")
    seen = {"skip": False, "box": False, "facet": False, "paging": False}
    for _ in range(300):
        page.keyboard.press("Tab")
        f = _focused(page)
        visible = f["outline"] != "none" or f["shadow"] != "none"
        if "skip-link" in f["cls"]:
            seen["skip"] = visible
        if f["id"] == "q":
            seen["box"] = visible
        if "facet-link" in f["cls"]:
            seen["facet"] = visible
        if f["paging"]:
            seen["paging"] = visible
            break
    assert all(seen.values()), seen
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sida="))


def test_phone_shows_results_first_and_filters_behind_a_disclosure(
    phone: Any, base_url: str, tmp_path: Path
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    phone.goto(f"{base_url}/?q={QUERY}")
    assert in_viewport(phone, ".hit")  # the first result is on the first screen
    facet = phone.locator("aside.facets a.facet-link").first
    assert not facet.is_visible()
    shoot(phone, tmp_path, "phone-closed")
    for state in ("closed", "open"):
        if state == "open":
            phone.locator("details.facets-disclosure > summary").click()
            assert facet.is_visible()
            shoot(phone, tmp_path, "phone-open")
        results = Axe().run(phone, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["violations"] == [], (state, results.generate_report())
    before = count_of(phone)
    expected = int(facet.locator(".count").inner_text().split()[0])
    facet.click()
    phone.wait_for_selector(".active-filters .chip.removable")
    assert count_of(phone) == expected <= before
    assert "1 aktivt filter" in phone.locator("details.facets-disclosure > summary").inner_text()
    assert in_viewport(phone, ".hit")


def test_phone_lists_a_facet_in_full_and_keeps_it_in_view(phone: Any, base_url: str) -> None:
    from webui.views.search import FACET_VALUES_SHOWN

    phone.goto(f"{base_url}/?q={QUERY}")
    phone.locator("details.facets-disclosure > summary").click()
    kommun = phone.locator('aside.facets a.facet-link[data-facet="kommun"]')
    assert kommun.count() == FACET_VALUES_SHOWN
    more = phone.locator('.facet-more a[data-facet="kommun"]')
    total = int(re.sub(r"\D", "", more.inner_text()))
    assert total > FACET_VALUES_SHOWN
    more.click()
    phone.wait_for_url(re.compile(r"visa=kommun"))
    assert kommun.count() == total and kommun.last.is_visible()  # the disclosure is open (test_web_facets)
    top = phone.evaluate("() => document.querySelector('#facet-kommun').getBoundingClientRect().top")
    assert -1 <= top < PHONE["height"] / 2  # scrolled to the facet (sub-pixel), not the page top
    assert phone.locator('.facet-more a[data-facet="kommun"]').inner_text().startswith("Visa färre")


def test_wide_screen_shows_the_filters_without_a_click(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/?q={QUERY}")
    assert page.locator("aside.facets a.facet-link").first.is_visible()
    assert not page.locator("details.facets-disclosure > summary").is_visible()
