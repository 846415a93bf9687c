"""Rendering, checked the way a person sees it: Debian's headless Chromium opens report.html from disk
with the network cut off, and the Dagster UI's asset graph; screenshots go to test-artifacts/."""

import shutil

import pytest
from conftest import REPO
from playwright.sync_api import sync_playwright

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, offline: bool = False):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, requested = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    if offline:

        def only_local(route):
            requested.append(route.request.url)
            route.continue_() if route.request.url.startswith("file:") else route.abort()

        page.route("**/*", only_local)
    page.goto(url)
    return page, problems, requested


def test_report_renders_offline_with_its_charts(browser, bundled):
    report = bundled.snapshot.parent / "report.html"
    page, problems, requested = open_page(browser, report.as_uri(), offline=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert problems == [] and [u for u in requested if not u.startswith("file:")] == []

    # the network: one arrow per edge and class with disclosed money, companies by name, a scenario switch
    def drawn(scenario: str) -> int:
        [(edges,)] = bundled.query(
            "select count(*) from (select distinct from_company, to_company, flow_class from scenario_flows "
            "where scenario = ? and flow_class in ('capital', 'spend_back') and amount_usd > 0)",
            [scenario],
        )
        return edges

    headline, firm = page.locator("#network .scenario-headline"), page.locator("#network .scenario-firm")
    assert headline.locator("path.edge").count() == drawn("headline") and headline.is_visible()
    assert firm.locator("path.edge").count() == drawn("firm") < drawn("headline") and not firm.is_visible()
    assert headline.get_by_text("Amazon", exact=True).is_visible()  # a name, not the id
    tooltip = headline.locator("g.node").evaluate_all(
        "nodes => nodes.find(n => n.querySelector('text').textContent === 'OpenAI').querySelector('title').textContent"
    )
    [(site,)] = bundled.query(
        "select split_part(source_url, '/', 3) from deal_flows where flow_id = 'orcl-openai-2025-sep'"
    )
    assert tooltip.startswith(
        f"OpenAI (headline)\nOpenAI → Oracle: $300.0B (cloud commitment; orcl-openai-2025-sep; {site})"
    )
    page.locator("label[for=network-firm]").click()
    assert firm.is_visible() and not headline.is_visible()
    page.locator("label[for=network-headline]").click()
    first_trip = page.locator("#round-trips-table tr").nth(1)
    assert "amazon → openai" in first_trip.inner_text() and "$50.0B" in first_trip.inner_text()
    [(url,)] = bundled.query("select source_url from deal_flows where flow_id = 'amzn-openai-2026-aws'")
    assert first_trip.locator("a", has_text="amzn-openai-2026-aws").get_attribute("href") == url
    assert page.locator("#cycles-table tr").count() > 3
    assert page.locator("#concentration-table svg.shares rect").count() > 5
    assert page.locator("#network").bounding_box()["height"] > 400  # drawn, not collapsed
    # the charts (Vega-Lite): both axes titled with their unit, and no two series of a chart in one colour
    assert page.locator("#price-chart .role-legend-symbol path").count() > 5
    assert page.locator("#timeline-chart .mark-line path").count() >= 2
    for chart in ("#backlog-chart", "#price-chart", "#timeline-chart"):
        titles = page.locator(f"{chart} .role-axis-title text").evaluate_all("texts => texts.map(t => t.textContent)")
        assert len(titles) == 2 and all(t.strip() for t in titles), (chart, titles)
        colours = page.locator(f"{chart} .role-legend-symbol path").evaluate_all(
            "symbols => symbols.map(s => s.getAttribute('fill'))"
        )
        assert len(colours) == len(set(colours)) > 1, (chart, colours)
    # readable on a phone: at 390 px the page does not scroll sideways (wide tables scroll inside themselves)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "report-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
    # and on paper: the print layout, as a PDF
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "report.pdf"))
    assert (ARTIFACTS / "report.pdf").stat().st_size > 10_000


def test_dagster_ui_draws_the_asset_graph(browser, webserver):
    # One asset's lineage: the whole metrics group no longer fits the window, and the UI draws only what does.
    page, problems, _ = open_page(browser, f"{webserver}/assets/money_cycles?view=lineage")
    skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
    try:
        skip.click(timeout=10_000)
    except Exception:  # noqa: BLE001 - the dialog does not always appear
        pass
    for asset in ("money_cycles", "money_edges", "published_snapshot"):  # a metric, its input, its output
        page.get_by_text(asset, exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "asset-graph.png"))
    assert problems == []
