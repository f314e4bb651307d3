"""Two communities in one archive, in a browser: a Chinese weekly (our samples in data/posts) and an English
monthly (tests/fixtures/communities), ingested from one sources.yml and served by `qa-archive serve`. Each
community's pages appear in its own language, side by side, at a phone's and a desktop's width; the screenshots
land in tests/artifacts/ (git-ignored), `communities-<width>.png` being the two side by side.

Shares the browser set-up of tests/test_browser.py (Debian's chromium; skipped without it unless CI is set).
"""
from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser import (
    browser,  # noqa: F401  (the shared Chromium fixture)
    no_horizontal_scroll,
    page_maker,
    qa_archive_exe,
    served,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CONFIG = ROOT / "tests" / "fixtures" / "communities" / "sources.yml"
BRANDS = ("sofa", "seata", "mosn", "jraft", "layotto")      # the Chinese samples' projects: never on English pages


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    index = tmp_path_factory.mktemp("qa-communities") / "index"
    exe = qa_archive_exe()
    done = subprocess.run([exe, "ingest", "--config", str(CONFIG), "--index", str(index), "-q"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"ingest failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    env = dict(os.environ, QA_ARCHIVE_CONFIG=str(CONFIG))       # its `archive: name:` names the site
    env.pop("QA_ARCHIVE_NAME", None)
    with served(exe, index, index.parent / "serve.log", env) as base:
        yield base


@pytest.fixture()
def make_page(browser, server):  # noqa: F811  (browser: the fixture shared from test_browser)
    """A page in a fresh context whose browser prefers German, a language the interface does not have, so each
    page's language is its community's; script errors and CSP violations fail the test."""
    with page_maker(browser, server) as make:
        def new_page(width: int = 1366) -> Page:
            phone = width < 600
            return make(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"},
                        viewport={"width": width, "height": 844 if phone else 900},
                        device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone)

        yield new_page


def side_by_side(page: Page, left: bytes, right: bytes, width: int, path: Path) -> None:
    """Two screenshots next to each other in one image, drawn by the browser itself."""
    def img(data: bytes) -> str:
        return f'<img src="data:image/png;base64,{base64.b64encode(data).decode()}">'
    gap = 24
    page.set_viewport_size({"width": 2 * width + 3 * gap, "height": 600})
    page.set_content(f'<body style="margin:0;background:#8c959f"><div style="display:flex;gap:{gap}px;'
                     f'padding:{gap}px;align-items:flex-start">'
                     f'<div style="width:{width}px">{img(left)}</div><div style="width:{width}px">{img(right)}</div>'
                     f'</div><style>img{{width:{width}px;display:block;background:#fff}}</style></body>')
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_each_community_in_its_own_language_side_by_side(make_page, server: str, width: int):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = make_page(width)
    shots = {}
    for name, lang, heading in (("ledger", "en", "Ledger Digest"), ("weekly", "zh-CN", "示例周报")):
        resp = page.goto(f"{server}/c/{name}")
        assert resp is not None and resp.status == 200
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("h1#community")).to_have_text(heading)
        expect(page.locator("header .brand")).to_have_text("Community Q&A")      # the configured archive name
        expect(page.locator("#hits > li").first).to_be_visible()
        no_horizontal_scroll(page, width)
        if name == "ledger":
            expect(page.locator("main h2").last).to_have_text("Newest Q&A")
            expect(page.locator("#projects")).to_contain_text("Taproot")
            text = page.locator("body").inner_text().lower()
            assert not [w for w in BRANDS if w in text], "an English community's page names the other's projects"
        else:
            expect(page.locator("main h2").last).to_have_text("最新问答")
        page.screenshot(path=str(ARTIFACTS / f"community-{name}-{width}.png"), full_page=True)
        shots[name] = page.screenshot()         # the first screenful, for the comparison
    side_by_side(page, shots["ledger"], shots["weekly"], width, ARTIFACTS / f"communities-{width}.png")
    # the whole archive's statistics break the entries down by community, each linking to its page
    page = make_page(width)
    page.goto(f"{server}/stats")
    expect(page.locator("#per-community a")).to_have_text(["示例周报", "Ledger Digest"])
    no_horizontal_scroll(page, width)
    page.screenshot(path=str(ARTIFACTS / f"communities-stats-{width}.png"), full_page=True)


def test_the_community_facet_narrows_a_search_and_entries_keep_their_language(make_page, server: str):
    page = make_page(1366)
    page.goto(f"{server}/search?q=after:1990")
    facet = page.locator("#facet-communities")
    expect(facet).to_contain_text("Ledger Digest")
    expect(facet).to_contain_text("示例周报")
    facet.get_by_role("link", name="Ledger Digest").click()
    page.wait_for_url(lambda url: "community=ledger" in url)
    expect(page.locator("#total")).to_have_text("7 results")        # the English community's page: English
    expect(facet.locator("a.on")).to_contain_text("Ledger Digest")
    titles = page.locator("#hits a.hit-title")
    expect(titles).to_have_count(7)
    for i in range(7):      # its Chinese translations are marked Chinese, the rest English
        own = titles.nth(i).evaluate("el => el.closest('[lang]').getAttribute('lang')")
        assert own == ("en" if titles.nth(i).inner_text().isascii() else "zh"), (titles.nth(i).inner_text(), own)
    # the reader switches to Chinese: the chrome follows, the English entries stay English
    page.locator("#lang-switch").click()
    expect(page.locator("#total")).to_have_text("7 条结果")
    english = page.locator('#hits a.hit-title[lang="en"]')
    expect(english).to_have_count(5)
    english.first.click()
    page.wait_for_url(lambda url: "/q/" in url)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")     # the choice is remembered
    expect(page.locator("article")).to_have_attribute("lang", "en")
    expect(page.locator("article .community")).to_have_text("Ledger Digest")


def test_the_filter_form_offers_the_communities_by_name(make_page, server: str):
    page = make_page(390)
    page.goto(f"{server}/search?q=fee")
    page.locator("#filters summary").click()
    select = page.locator("#f-community")
    expect(select.locator("option")).to_have_text(["", "示例周报", "Ledger Digest"])
    select.select_option("ledger")
    page.locator("#f-community").evaluate("el => el.form.requestSubmit()")
    page.wait_for_url(lambda url: "community=ledger" in url)
    expect(page.locator("#hits > li").first).to_be_visible()
    expect(page.locator("#f-community")).to_have_value("ledger")
