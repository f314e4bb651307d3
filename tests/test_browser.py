"""Browser tests: the web UI as a reader uses it, in headless Chromium driven by Playwright.

One real server per module: the sample posts in data/posts plus two posts written here (one with hostile
Markdown/HTML, one with a source URL) are ingested into a temporary index and served by `qa-archive serve`
(gunicorn). The browser talks to 127.0.0.1 only: every other request is answered locally (images get a
placeholder, the source post link a stub page) or aborted.

Needs Debian's chromium (`apt-get install -y chromium`). Without /usr/bin/chromium the module is skipped, unless
CI is set: then a missing browser is a failure. Screenshots land in tests/artifacts/ (git-ignored).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists() and not CI:
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); with CI set this is a failure instead",
                allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright  # noqa: E402

expect.set_options(timeout=5_000)

# Our own posts, in the weekly's format. The hostile one is dated before every sample post so that it stays out
# of the home page's "newest" list (and out of the screenshots).
HOSTILE_POST = textwrap.dedent("""\
    ---
    title: "SOFA Weekly | 测试：不可信内容"
    date: 2018-01-05T15:00:00+08:00
    ---

    ### 每周读者问答提炼

    **@测试员** 提问：

    > 注入测试：MOSN 的问题里写了 `<img src=x onerror="window.__pwned=5">` 会怎样？

    A：这条回答含有不可信的内容 <script>window.__pwned=1</script> 和一张图片 <img src=x onerror="window.__pwned=2"> 还有一个[注入链接](javascript:window.__pwned=3)，都不应该执行。

    <script>window.__pwned=4</script>

    「MOSN」：[https://github.com/mosn/mosn](https://github.com/mosn/mosn)
    """)

LINKED_POST = textwrap.dedent("""\
    ---
    title: "SOFA Weekly | 测试：带原文链接的周报"
    date: 2017-03-10T15:00:00+08:00
    ---

    ### 每周读者问答提炼

    **@链接测试员** 提问：

    > 原文链接测试：SOFAArk 的插件和普通依赖有什么区别？

    A：插件由独立的类加载器加载，和业务依赖互相隔离；普通依赖则直接放在业务的类路径上。

    「SOFAArk」：[https://github.com/sofastack/sofa-ark](https://github.com/sofastack/sofa-ark)
    """)
LINKED_URL_PATTERN = "https://www.sofastack.tech/blog/{dir}/"
LINKED_DIR = "sofa-weekly-linked-example"

PLACEHOLDER_IMAGE = ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180">'
                     '<rect width="100%" height="100%" fill="#d0d7de"/></svg>')


# ---------------------------------------------------------------------------------------------- helpers

def qa_archive_exe() -> str:
    exe = shutil.which("qa-archive") or str(Path(sys.executable).parent / "qa-archive")
    assert Path(exe).exists(), f"the qa-archive console script is not installed (looked next to {sys.executable})"
    return exe


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))     # never through an http_proxy


def get_json(url: str) -> dict:
    with _LOCAL.open(url, timeout=5) as r:
        return json.load(r)


@contextmanager
def served(exe: str, index: Path, log_path: Path, env: dict | None = None):
    """`qa-archive serve` on a free loopback port over `index`, until the block ends: yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([exe, "serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", "1"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"qa-archive serve exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                if get_json(f"{base}/api/health").get("status") == "ok":
                    break
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"qa-archive serve not ready after 30 s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)    # poll interval while the server starts
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def first_hit_id(base: str, q: str) -> str:
    hits = get_json(f"{base}/api/search?{urlencode({'q': q})}")["hits"]
    assert hits, f"the test data has no hit for {q!r}"
    return hits[0]["id"]


WIDER_THAN = """width => [document.documentElement.scrollWidth, window.innerWidth,
    [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > width + 0.5)
      .map(el => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px): `
                 + (el.textContent || '').trim().slice(0, 50)).slice(0, 8)]"""


def no_horizontal_scroll(page: Page, width: int) -> None:
    # on a phone the layout viewport widens to fit content that overflows, so innerWidth counts too
    scroll, inner, wide = page.evaluate(WIDER_THAN, width)
    assert scroll <= width and inner <= width, \
        f"{page.url} scrolls sideways on a {width}px screen (scrollWidth {scroll}, innerWidth {inner}): {wide}"


# ---------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    """Base URL of `qa-archive serve` over the sample posts plus this module's own posts."""
    tmp = tmp_path_factory.mktemp("qa-browser")
    hostile, linked, index = tmp / "hostile", tmp / "linked", tmp / "index"
    (hostile / "sofa-weekly-hostile-example").mkdir(parents=True)
    (hostile / "sofa-weekly-hostile-example" / "index.md").write_text(HOSTILE_POST, encoding="utf-8")
    (linked / LINKED_DIR).mkdir(parents=True)
    (linked / LINKED_DIR / "index.md").write_text(LINKED_POST, encoding="utf-8")
    config = tmp / "sources.yml"
    config.write_text(f"sources:\n  - path: linked\n    url: '{LINKED_URL_PATTERN}'\n", encoding="utf-8")

    exe = qa_archive_exe()
    done = subprocess.run([exe, "ingest", "data/posts", str(hostile), "--config", str(config),
                           "--index", str(index), "-q"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"ingest failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"

    with served(exe, index, tmp / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(f"CI is set but {CHROMIUM} is missing: install it with apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Local:
    """Keeps a context on 127.0.0.1 and records what the pages complain about."""

    def __init__(self, server: str):
        self.host = urlsplit(server).netloc
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []

    def route(self, route: Route) -> None:
        req = route.request
        parts = urlsplit(req.url)
        if parts.scheme in ("http", "https") and parts.netloc == self.host:
            route.continue_()
            return
        if req.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER_IMAGE)
        elif req.resource_type == "document":       # a followed outbound link: a stub instead of the internet
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body="<!doctype html><title>stub</title><p>outside page stub</p>")
        else:
            route.abort()

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("console", lambda m: self.csp_violations.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.set_default_timeout(10_000)
        return page


def _context(browser: Browser, server: str, **kwargs) -> tuple[BrowserContext, Local]:
    kwargs.setdefault("locale", "zh-CN")
    kwargs.setdefault("extra_http_headers", {"Accept-Language": "zh-CN,zh;q=0.9"})
    ctx = browser.new_context(**kwargs)
    local = Local(server)
    ctx.route("**/*", local.route)
    return ctx, local


@contextmanager
def page_maker(browser: Browser, server: str):
    """new_page(**context options) -> a page in a fresh context; when the block ends, every context is closed and
    script errors or CSP violations in any of its pages fail the test."""
    made: list[tuple[BrowserContext, Local]] = []

    def new_page(**kwargs) -> Page:
        ctx, local = _context(browser, server, **kwargs)
        made.append((ctx, local))
        return local.watch(ctx.new_page())

    yield new_page
    for ctx, local in made:
        ctx.close()
        assert not local.page_errors, f"script errors in the page: {local.page_errors}"
        assert not local.csp_violations, f"the page tried something the CSP blocked: {local.csp_violations}"


@pytest.fixture()
def make_page(browser, server):
    with page_maker(browser, server) as new_page:
        yield new_page


@pytest.fixture()
def page(make_page) -> Page:
    return make_page()


# ---------------------------------------------------------------------------------------------- tests

def test_home_focuses_search_and_lists_projects(page: Page, server: str):
    page.goto(server + "/")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_attribute("type", "search")

    expected = [(p["name"], p["count"]) for p in get_json(server + "/api/projects")["projects"] if p["count"]]
    assert len(expected) >= 5, expected
    items = page.locator("#projects li a")
    expect(items).to_have_count(len(expected))
    shown = [(a.locator("span").nth(0).inner_text(), int(a.locator("span").nth(1).inner_text()))
             for a in items.all()]
    assert shown == expected, "the home page's project list should match /api/projects, most entries first"
    assert shown == sorted(shown, key=lambda p: (-p[1], p[0].lower()))
    # the newest list shows the newest sample entries, not ours (dated earlier)
    expect(page.locator("ol.hits > li")).to_have_count(8)
    expect(page.locator("ol.hits")).not_to_contain_text("注入测试")


def test_chinese_query_shows_highlighted_thread(page: Page, server: str):
    page.goto(server + "/")
    box = page.locator("#q")
    box.fill("快照")
    box.press("Enter")
    page.wait_for_url(lambda url: query(url).get("q") == ["快照"])
    assert urlsplit(page.url).path == "/search"
    expect(box).to_have_value("快照")

    hit = page.locator("#hits > li").filter(has_text="SOFAJRaft 的 snapshot")
    expect(hit).to_have_count(1)
    expect(hit.locator("a.hit-title")).to_have_attribute("href", re.compile(r"^/q/\w+$"))
    marks = hit.locator(".snippet mark")
    expect(marks.first).to_have_text("快照")
    expect(page.locator("#total")).to_contain_text("条结果")
    expect(page).to_have_title(re.compile("^快照 · "))


def test_project_facet_filters_results(page: Page, server: str):
    page.goto(f"{server}/search?{urlencode({'q': '会不会'})}")
    facets = page.locator("#facet-projects a")
    expect(facets.first).to_be_visible()
    assert facets.count() >= 2, "pick a query whose hits span several projects"
    total_before = page.locator("#hits > li").count()
    label = facets.first.inner_text()
    name, count = re.fullmatch(r"(.+?) (\d+)", label.strip()).groups()
    count = int(count)
    assert count < total_before

    facets.first.click()
    page.wait_for_url(lambda url: query(url).get("project") == [name])
    assert query(page.url).get("q") == ["会不会"], "the facet must keep the query"
    hits = page.locator("#hits > li")
    expect(hits).to_have_count(count)
    for hit in hits.all():
        expect(hit.locator(".meta a.tag").filter(has_text=re.compile(f"^{re.escape(name)}$"))).to_have_count(1)
    active = page.locator("#facet-projects a[aria-current]")
    expect(active).to_have_count(1)
    expect(active).to_have_attribute("aria-current", "true")
    expect(active).to_contain_text(name)
    expect(active).to_have_class(re.compile(r"\bon\b"))
    # a new search from this page keeps the filter; the active facet's ✕ removes it
    expect(page.locator("form.search input[name=project]")).to_have_value(name)
    active.click()
    page.wait_for_url(lambda url: "project" not in query(url) and query(url).get("q") == ["会不会"])
    expect(page.locator("#hits > li")).to_have_count(total_before)


def test_pagination_walks_all_pages(page: Page, server: str):
    q = "会不会"
    total = get_json(f"{server}/api/search?{urlencode({'q': q, 'limit': 50})}")["total"]
    assert total > 6, "pick a query with at least three pages of 3"
    pages = -(-total // 3)
    page.goto(f"{server}/search?{urlencode({'q': q, 'limit': 3})}")
    expect(page.locator("#total")).to_contain_text(f"1/{pages}")
    expect(page.locator(".pager a[rel=prev]")).to_have_count(0)
    seen: list[str] = []
    for n in range(1, pages + 1):
        hrefs = [a.get_attribute("href") for a in page.locator("#hits > li a.hit-title").all()]
        assert len(hrefs) == (3 if n < pages else total - 3 * (pages - 1)), f"page {n}: {hrefs}"
        assert not set(hrefs) & set(seen), f"page {n} repeats hits of earlier pages"
        seen += hrefs
        if n == pages:
            expect(page.locator("#next")).to_have_count(0)
            break
        page.locator("#next").click()
        page.wait_for_url(lambda url, n=n: query(url).get("page") == [str(n + 1)])
        assert query(page.url).get("limit") == ["3"] and query(page.url).get("q") == [q]
        expect(page.locator("#total")).to_contain_text(f"{n + 1}/{pages}")
        expect(page.locator(".pager a[rel=prev]")).to_be_visible()
    assert len(seen) == total


def test_permalink_renders_thread(page: Page, server: str):
    page.goto(f"{server}/search?{urlencode({'q': 'Filter 没有生效'})}")
    title = page.locator("#hits a.hit-title").filter(has_text="SOFARPC 调用前")
    expect(title).to_have_count(1)
    title.click()
    page.wait_for_url(re.compile(r"/q/\w+$"))
    entry_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    entry = get_json(f"{server}/api/entries/{entry_id}")

    expect(page.locator("h1")).to_contain_text("SOFARPC 调用前")
    turn = page.locator("article section.turn")
    expect(turn).to_have_count(1)
    # the heading holds the question's words; the question has a picture, so it is shown once more in full
    expect(turn.locator(".q .label")).to_have_text("完整问题")
    expect(turn.locator(".q img")).to_have_count(1)
    expect(turn.locator(".a .label")).to_have_text("答")
    expect(turn.locator(".q")).to_contain_text("写了一个 Filter 却没有生效")
    expect(turn.locator(".a")).to_contain_text("@AutoActive(consumerSide = true)")
    code = turn.locator(".a pre > code")
    expect(code).to_have_count(1)
    expect(code).to_have_class(re.compile("language-java"))
    expect(code).to_contain_text("public class RequestMarkFilter extends Filter {")
    expect(turn.locator(".a ul > li")).to_have_count(2)

    # the sample ingest has no URL pattern: the post is named, but no "read the original" link goes nowhere
    assert entry["url"] is None
    source = page.locator("#source-link")
    expect(source).to_have_count(1)
    expect(source).to_have_text(entry["title"])
    assert source.evaluate("el => el.tagName") != "A" and source.get_attribute("href") is None
    expect(page.locator("article a[href='#'], article a[href='']")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(entry["source"])       # no local paths

    # project tags lead to a search filtered by that project
    tags = page.locator("article .meta a.tag")
    expect(tags).to_have_count(len(entry["projects"]))
    project = entry["projects"][0]
    expected = next(p["count"] for p in get_json(server + "/api/projects")["projects"] if p["name"] == project)
    tags.first.click()
    page.wait_for_url(lambda url: query(url).get("project") == [project])
    assert urlsplit(page.url).path == "/search"
    hits = page.locator("#hits > li")
    expect(hits).to_have_count(expected)
    for hit in hits.all():
        expect(hit.locator(".meta a.tag").filter(has_text=re.compile(f"^{re.escape(project)}$"))).to_have_count(1)


def test_source_link_goes_to_the_post(make_page, server: str):
    page = make_page()
    entry_id = first_hit_id(server, "原文链接测试")
    entry = get_json(f"{server}/api/entries/{entry_id}")
    assert entry["url"] == LINKED_URL_PATTERN.format(dir=LINKED_DIR)
    page.goto(f"{server}/q/{entry_id}")
    link = page.locator("#source-link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", entry["url"])
    expect(link).to_have_attribute("rel", re.compile(r"(?=.*\bnofollow\b)(?=.*\bnoopener\b)(?=.*\bnoreferrer\b)"))
    expect(link).to_have_text("查看原文")
    expect(page.locator("article")).to_contain_text(entry["title"])
    link.click()
    page.wait_for_url(entry["url"])
    expect(page.locator("p")).to_have_text("outside page stub")


def test_language_switch_persists(make_page, server: str):
    page = make_page(extra_http_headers={"Accept-Language": "zh"})
    page.goto(server + "/")
    button = page.locator("form.search button")
    switch = page.locator("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(button).to_have_text("搜索")
    expect(switch).to_have_text("English")

    switch.click()
    page.wait_for_url(lambda url: query(url).get("lang") == ["en"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(button).to_have_text("Search")
    expect(page.locator("h1")).to_have_text("Find the answer the community already gave")
    cookies = {c["name"]: c["value"] for c in page.context.cookies(server)}
    assert cookies.get("lang") == "en"

    # the next page has no ?lang=: the cookie keeps it English over Accept-Language zh
    page.goto(f"{server}/search?{urlencode({'q': '心跳'})}")
    expect(button).to_have_text("Search")
    expect(page.locator("#total")).to_contain_text(re.compile(r"\bresults?\b"))
    expect(switch).to_have_text("中文")

    # switching back keeps the search
    with page.expect_navigation():
        switch.click()
    assert query(page.url) == {"q": ["心跳"], "lang": ["zh"]}
    expect(button).to_have_text("搜索")
    expect(page.locator("#q")).to_have_value("心跳")

    # ... wherever ?lang= sits in the URL
    page.goto(f"{server}/search?{urlencode({'lang': 'en', 'q': '心跳', 'limit': 3})}")
    expect(button).to_have_text("Search")
    with page.expect_navigation():
        switch.click()
    assert query(page.url) == {"q": ["心跳"], "limit": ["3"], "lang": ["zh"]}
    expect(page.locator("#q")).to_have_value("心跳")
    expect(button).to_have_text("搜索")


def test_english_browser_gets_english_ui(make_page, server: str):
    page = make_page(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    page.goto(server + "/")
    expect(page.locator("form.search button")).to_have_text("Search")
    expect(page.locator("#lang-switch")).to_have_text("中文")


def test_phone_layout(make_page, server: str, artifacts: Path):
    page = make_page(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(server + "/")
    expect(page.locator("#projects li").first).to_be_visible()
    no_horizontal_scroll(page, 375)
    box = page.locator("form.search button").bounding_box()
    assert box and box["x"] + box["width"] <= 375, "the search button must be on screen"
    page.screenshot(path=str(artifacts / "home-phone.png"), full_page=True)

    page.goto(f"{server}/search?{urlencode({'q': '会不会'})}")
    expect(page.locator("#hits > li").first).to_be_visible()
    no_horizontal_scroll(page, 375)
    page.screenshot(path=str(artifacts / "results-phone.png"), full_page=True)

    # a thread with a wide code block and an image: the code scrolls inside its box, not the page
    page.goto(f"{server}/q/{first_hit_id(server, 'RequestMarkFilter')}")
    expect(page.locator("article pre")).to_be_visible()
    no_horizontal_scroll(page, 375)
    page.screenshot(path=str(artifacts / "entry-phone.png"), full_page=True)


def test_desktop_entry_screenshot(make_page, server: str, artifacts: Path):
    page = make_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/q/{first_hit_id(server, 'RequestMarkFilter')}")
    expect(page.locator("article pre")).to_be_visible()
    no_horizontal_scroll(page, 1280)
    page.screenshot(path=str(artifacts / "entry-desktop.png"), full_page=True)


def test_hostile_post_is_inert(page: Page, server: str):
    entry_id = first_hit_id(server, "注入测试")
    resp = page.goto(f"{server}/q/{entry_id}")
    assert resp is not None and resp.ok
    csp = resp.headers.get("content-security-policy")
    assert csp, "pages must send a Content-Security-Policy"
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("script-src", directives.get("default-src")) == ["'none'"], csp

    answer = page.locator("article .turn .a")
    expect(answer).to_contain_text("<script>window.__pwned=1</script>")
    expect(answer).to_contain_text('<img src=x onerror="window.__pwned=2">')
    expect(page.locator("article h1")).to_contain_text('<img src=x onerror="window.__pwned=5">')
    expect(page.locator("article script, article iframe, article object, article embed")).to_have_count(0)
    expect(page.locator("[onerror], [onload], [onclick]")).to_have_count(0)
    expect(page.locator("a[href^='javascript:' i], [src^='javascript:' i]")).to_have_count(0)

    link = answer.locator("a").filter(has_text="注入链接")
    if link.count():
        link.click()
    else:
        expect(answer).to_contain_text("[注入链接](javascript:window.__pwned=3)")
    assert page.evaluate("typeof window.__pwned") == "undefined"

    # the search results show the same text through the highlighter, which builds HTML itself
    resp = page.goto(f"{server}/search?{urlencode({'q': '注入测试 onerror'})}")
    assert resp is not None and resp.headers.get("content-security-policy") == csp
    hit = page.locator("#hits > li").filter(has_text="注入测试")
    expect(hit).to_have_count(1)
    expect(hit.locator(".hit-title")).to_contain_text('<img src=x onerror="window.__pwned=5">')
    expect(page.locator("[onerror]")).to_have_count(0)
    expect(page.locator("#hits mark").first).to_be_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_keyboard_only(page: Page, server: str):
    page.goto(server + "/")
    box = page.locator("#q")
    expect(box).to_be_focused()

    # backwards from the search box to the first stop, the skip link, which shows itself when focused
    skip = page.locator("a.skip")
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if skip.evaluate("el => el === document.activeElement"):
            break
    expect(skip).to_be_focused()
    box_skip = skip.bounding_box()
    assert box_skip and box_skip["x"] >= 0, "the skip link must be visible when it has focus"

    # forwards: header links, then the search box, its button, the project links
    order = []
    for _ in range(10):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className "
                                   "|| document.activeElement.tagName"))
        if order[-1] == "q":
            break
    assert order[-1] == "q", f"Tab never reached the search box: {order}"
    assert "lang-switch" in order and "brand" in order, order
    page.keyboard.press("Tab")
    expect(page.locator("form.search button")).to_be_focused()
    page.keyboard.press("Tab")
    first_project = page.locator("#projects a").first
    expect(first_project).to_be_focused()
    assert first_project.evaluate("el => getComputedStyle(el).outlineStyle") == "solid", \
        "keyboard focus must be visible"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(box).to_be_focused()
    page.keyboard.type("心跳")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: query(url).get("q") == ["心跳"])
    hit_title = page.locator("#hits a.hit-title").filter(has_text="SOFABolt 连接的心跳间隔")
    expect(hit_title).to_have_count(1)

    # Tab on to the first result and open it with Enter
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hit-title')"):
            break
    expect(page.locator("#hits a.hit-title").first).to_be_focused()
    href = page.locator("#hits a.hit-title").first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}{href}")
    expect(page.locator("article h1")).to_be_visible()


# ---------------------------------------------------------------------------------------------- what users see

PASTED_QUESTION = ('你好，我们线上用 Seata 1.4.2 的 TCC 模式，偶尔会报 "TCC resource not found"。'
                   '排查下来是 Cancel 比 Try 先到了参与者，这种情况会有什么问题？要怎么避免？')
EXPECTED_PRIOR = "Cancel 比 Try 先到达参与者"

GLYPHS = """([text, reference]) => {
    // Draw each character with the page's own font; a character the fonts lack is drawn as the same
    // missing-glyph box as a code point no font has (U+FFFF-ish), so its pixels equal the reference's.
    const font = '32px ' + getComputedStyle(document.body).fontFamily;
    const draw = ch => {
        const c = document.createElement('canvas'); c.width = 48; c.height = 48;
        const ctx = c.getContext('2d'); ctx.font = font; ctx.fillStyle = '#000'; ctx.textBaseline = 'top';
        ctx.fillText(ch, 4, 4);
        return {pixels: Array.from(ctx.getImageData(0, 0, 48, 48).data).join(','), width: ctx.measureText(ch).width};
    };
    const ref = reference.map(draw);
    return {refsAlike: ref[0].pixels === ref[1].pixels,
            tofu: [...text].filter(ch => ref.some(r => r.pixels === draw(ch).pixels)),
            distinct: new Set([...text].map(ch => draw(ch).pixels)).size,
            widths: [...text].map(ch => draw(ch).width), refWidth: ref[0].width};
}"""


def test_chinese_glyphs_actually_render(page: Page, server: str):
    """Without a CJK font every Chinese character is an empty box and the other tests still pass: here the
    characters of the page's own heading must each draw differently from a missing-glyph box."""
    page.goto(server + "/")
    text = page.locator("h1").inner_text().strip()
    assert re.fullmatch(f"[{chr(0x4e00)}-{chr(0x9fff)}，]+", text), text
    got = page.evaluate(GLYPHS, [text, ["\U0010FFFD", "\U000EFFFD"]])
    assert got["refsAlike"], "two code points no font has should draw the same box (the test's premise)"
    assert not got["tofu"], f"no font draws {''.join(got['tofu'])}: install fonts-noto-cjk"
    assert got["distinct"] >= len(set(text)) - 1, got
    assert all(abs(w - 32) < 2 for w in got["widths"]), got["widths"]      # CJK glyphs are a full em wide


def test_pasting_a_question_finds_the_prior_answer(page: Page, server: str, artifacts: Path):
    """A member's typical message: a greeting, a version, a quoted error and a question."""
    page.goto(server + "/")
    box = page.locator("#q")
    box.fill(PASTED_QUESTION)
    box.press("Enter")
    page.wait_for_url(lambda url: query(url).get("q") == [PASTED_QUESTION])
    expect(box).to_have_value(PASTED_QUESTION)
    ask = page.locator("#ask")
    expect(ask).to_be_visible()
    top3 = page.locator("#ask-hits > li").all()[:3]
    titles = [li.locator("a.hit-title").inner_text() for li in top3]
    assert any(EXPECTED_PRIOR in t for t in titles), titles
    first = page.locator("#ask-hits > li").first
    expect(first.locator("a.hit-title")).to_contain_text(EXPECTED_PRIOR)
    expect(first).to_have_class(re.compile(r"\bconfident\b"))
    expect(first.locator(".badge")).to_have_text("很可能就是这个")
    expect(page.locator("#ask-hits .badge")).to_have_count(1)           # only the confident one is marked
    expect(page.locator("#empty")).to_have_count(0)
    expect(page.locator("#suggestion")).to_have_count(0)                # never rewrites the reader's words
    first.locator("a.hit-title").click()
    page.wait_for_url(re.compile(r"/q/\w+$"))
    expect(page.locator("h1")).to_contain_text(EXPECTED_PRIOR)


@pytest.mark.parametrize("width", [390, 1366])
def test_screenshots_show_chinese_at_phone_and_desktop_widths(make_page, server: str, artifacts: Path, width: int):
    phone = width < 600
    page = make_page(viewport={"width": width, "height": 844 if phone else 900}, device_scale_factor=2 if phone else 1,
                     is_mobile=phone, has_touch=phone)
    shots = {"home": "/", "ask": f"/search?{urlencode({'q': PASTED_QUESTION})}",
             "results": f"/search?{urlencode({'q': 'Layotto Dapr'})}",
             "entry": f"/q/{first_hit_id(server, 'Layotto Dapr SDK')}", "project": "/p/Seata", "stats": "/stats",
             "api": "/api", "missing": "/q/no-such-entry"}
    for name, path in shots.items():
        resp = page.goto(server + path)
        assert resp is not None and resp.status == (404 if name == "missing" else 200), (name, resp and resp.status)
        expect(page.locator("main")).to_be_visible()
        no_horizontal_scroll(page, width)
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    # the titles carry one question each: a thread with follow-ups says how many
    page.goto(server + shots["results"])
    follow = page.locator("#hits .follow-ups").first
    expect(follow).to_have_text(re.compile(r"^\+\d+ 条追问$"))
    title = follow.locator("xpath=..")
    box = title.bounding_box()
    line = float(title.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert box and box["height"] <= line * (3 if phone else 2) + 1, "a result title is a line or two, not six"


def test_error_pages_speak_the_page_language(page: Page, server: str):
    resp = page.goto(server + "/no/such/page")
    assert resp is not None and resp.status == 404
    expect(page.locator("h1")).to_have_text("找不到这个页面")
    expect(page.locator("#error-message")).to_contain_text("/no/such/page")
    expect(page.locator("body")).not_to_contain_text("The requested URL")
    expect(page.locator("#q")).to_be_focused()


def test_the_test_command_installs_a_cjk_font():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert f"    {command}\n" in readme, "the README's test command and .ci/run must stay identical"
    assert "fonts-noto-cjk" in command and "chromium" in command


def test_the_filter_form_narrows_a_search(make_page, server: str, artifacts: Path):
    page = make_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(f"{server}/search?{urlencode({'q': '会不会'})}")
    details = page.locator("details#filters")
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    page.locator("#f-year").fill("2019")
    page.locator("#f-year").press("Enter")
    page.wait_for_url(lambda url: query(url).get("year") == ["2019"])
    assert "asker=" not in page.url and "project=" not in page.url       # empty fields leave the address
    expect(page.locator("details#filters")).to_have_attribute("open", "")
    expect(page.locator("#facet-years a.on")).to_contain_text("2019")
    for t in page.locator("#hits time").all():
        assert t.get_attribute("datetime").startswith("2019")
    no_horizontal_scroll(page, 390)
    page.screenshot(path=str(artifacts / "filters-390.png"))


PASTED_LOG = """大家好，我们在用 Seata 1.4.2 的 TCC 模式。
2021-09-01 10:00:01 ERROR [DefaultRMHandler] branch rollback failed
io.seata.common.exception.FrameworkException: TCC resource is not available
    at io.seata.rm.tcc.TCCResourceManager.branchRollback(TCCResourceManager.java:120)
排查下来是 Cancel 比 Try 先到了参与者，这种情况会出什么问题？"""


def test_the_ask_page_keeps_pasted_log_lines(make_page, server: str, artifacts: Path):
    """A search box drops line breaks; the ask page's text area keeps them, so the log lines are set aside."""
    page = make_page(viewport={"width": 1366, "height": 800})
    page.goto(server + "/search?" + urlencode({"q": PASTED_QUESTION}))
    page.locator("#to-ask").click()
    page.wait_for_url(re.compile(r"/ask\?"))
    area = page.locator("textarea#question")
    expect(area).to_have_value(PASTED_QUESTION)
    area.fill(PASTED_LOG)
    page.locator("form.ask-form button").click()
    page.wait_for_url(re.compile(r"/ask$"))
    expect(area).to_have_value(PASTED_LOG)
    top3 = [li.locator("a.hit-title").inner_text() for li in page.locator("#ask-hits > li").all()[:3]]
    assert any(EXPECTED_PRIOR in t for t in top3), top3
    expect(page.locator("#ask-hits > li").first.locator(".badge")).to_be_visible()
    no_horizontal_scroll(page, page.viewport_size["width"])
    page.screenshot(path=str(artifacts / "ask-page-1366.png"), full_page=True)


def test_a_query_as_long_as_the_box_takes_is_served_in_chinese_too(server: str):
    """The search box takes MAX_QUERY_CHARS characters; Chinese ones are 9 bytes each in a GET URL, more than the
    4 KB request line servers allow by default."""
    from qa_archive.query import MAX_QUERY_CHARS
    text = ("请问 SOFAJRaft 的快照多久打一次？" * 40)[:MAX_QUERY_CHARS]
    for path in ("/api/search", "/api/similar"):
        key = "q" if path == "/api/search" else "text"
        with urllib.request.urlopen(f"{server}{path}?{urlencode({key: text})}", timeout=30) as r:
            assert r.status == 200 and json.loads(r.read())["hits"] is not None
