"""The web pages and the JSON API through Flask's test client: every route, its errors and bounds, and
hostile post content that must never execute."""
from __future__ import annotations

import pytest

from qa_archive.ingest import ingest
from qa_archive.parse import Source
from qa_archive.web import create_app

from .conftest import write_post


@pytest.fixture(scope="module")
def app(sample_index):
    return create_app(sample_index, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()          # a new client per test: no language cookie carries over


@pytest.fixture(scope="module")
def any_id(app):
    return app.test_client().get("/api/search?q=SOFARegistry").get_json()["hits"][0]["id"]


def test_api_search_shape(client):
    r = client.get("/api/search?q=SOFAJRaft 快照&limit=3")
    data = r.get_json()
    assert r.status_code == 200 and data["total"] >= 1 and len(data["hits"]) <= 3
    hit = data["hits"][0]
    for key in ("id", "source", "title", "date", "url", "asker", "question", "answer", "turns", "projects", "links",
                "score", "highlights", "permalink"):
        assert key in hit
    assert hit["permalink"] == f"http://localhost/q/{hit['id']}"
    assert "turns_md" not in hit
    assert {"projects", "years"} <= set(data["facets"])


@pytest.mark.parametrize("query, status, message", [
    ("q=", 400, "empty"), ("q=" + "x" * 600, 400, "too long"), ("q=mosn&limit=0", 400, "limit"),
    ("q=mosn&limit=51", 400, "limit"), ("q=mosn&page=101", 400, "page"), ("q=mosn&page=abc", 400, "page"),
    ("q=mosn&sort=random", 400, "sort"),
])
def test_api_search_errors_are_json_4xx(client, query, status, message):
    r = client.get(f"/api/search?{query}")
    assert r.status_code == status and message in r.get_json()["error"]["message"]


def test_api_entry_projects_stats_health_openapi(client, any_id):
    e = client.get(f"/api/entries/{any_id}").get_json()
    assert e["id"] == any_id and e["permalink"].endswith(f"/q/{any_id}")
    missing = client.get("/api/entries/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    projects = client.get("/api/projects").get_json()["projects"]
    assert {"name": "SOFARegistry", "count": 3, "repo": "https://github.com/sofastack/sofa-registry"} in projects
    stats = client.get("/api/stats").get_json()
    assert stats["entries"] == 27 and stats["index_bytes"] > 0
    assert client.get("/api/health").get_json()["status"] == "ok"
    spec = client.get("/api/openapi.json").get_json()
    assert {"/api/search", "/api/similar", "/api/entries/{id}", "/api/projects", "/api/stats", "/api/health"} <= \
        set(spec["paths"])
    assert client.get("/api/nothing").get_json()["error"]["status"] == 404


def test_api_similar_get_and_post(client):
    r = client.get("/api/similar?text=Seata TCC 模式 Cancel 先于 Try 执行导致悬挂怎么办&limit=3")
    data = r.get_json()
    assert r.status_code == 200 and data["hits"][0]["asker"] == "ray-huang" and "confident" in data["hits"][0]
    r = client.post("/api/similar", json={"text": "Nydus 镜像按需加载第一次读很慢", "limit": 2, "project": "Nydus"})
    assert r.status_code == 200 and len(r.get_json()["hits"]) <= 2
    assert client.post("/api/similar", data="not json").status_code == 400
    assert client.post("/api/similar", json={"text": 42}).status_code == 400
    assert client.get("/api/similar?text=%20%20").status_code == 400
    assert client.get("/api/similar?text=x&limit=500").status_code == 400


def test_pages_render(client, any_id):
    home = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert home.status_code == 200 and "autofocus" in home.text and "SOFARegistry" in home.text
    res = client.get("/search?q=快照")
    assert res.status_code == 200 and "<mark>快照</mark>" in res.text and 'id="facet-projects"' in res.text
    entry = client.get(f"/q/{any_id}")
    assert entry.status_code == 200 and 'id="source-link"' in entry.text
    assert client.get("/p/jraft").status_code == 302                   # an alias redirects to the project page
    assert "SOFAJRaft" in client.get("/p/SOFAJRaft").text
    assert "<svg" in client.get("/stats").text
    feed = client.get("/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml" and "<entry>" in feed.text
    assert client.get("/p/Seata/feed.atom").text.count("<entry>") == 4


def test_not_found_and_bad_queries_are_pages_not_tracebacks(client):
    r = client.get("/q/does-not-exist")
    assert r.status_code == 404 and "Traceback" not in r.text and "<form" in r.text
    assert client.get("/p/NoSuchProject").status_code == 404
    r = client.get("/search?q=" + "长" * 800 + "&lang=en")
    assert r.status_code == 400 and "too long" in r.text
    assert client.get("/search?q=mosn&page=-3").status_code == 400
    assert client.get("/search?q=").status_code == 302


def test_language_follows_the_browser_and_can_be_switched(client):
    assert "搜索" in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert ">Search<" in client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    switched = client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert ">Search<" in switched.text and "lang=en" in switched.headers["Set-Cookie"]


def test_headers_set_a_content_security_policy(client):
    r = client.get("/")
    assert "script-src" not in r.headers["Content-Security-Policy"] or "'none'" in r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_a_hostile_post_renders_as_text(tmp_path, registry):
    write_post(tmp_path / "posts", "evil", """
### 每周读者问答提炼

**@<img src=x onerror=alert(1)>** 提问：

> 为什么 <script>alert("q")</script> MOSN 不执行？

A：看这里 [点我](javascript:alert(1)) 和 <img src=x onerror="alert(2)"> 以及 [正常链接](https://example.com)

「MOSN」：[https://github.com/mosn/mosn](https://github.com/mosn/mosn)
""")
    ingest([Source(tmp_path / "posts")], tmp_path / "ix", registry)
    client = create_app(tmp_path / "ix", {"TESTING": True}).test_client()
    hit = client.get("/api/search?q=MOSN").get_json()["hits"][0]
    page = client.get(f"/q/{hit['id']}").text
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x onerror" not in page and 'onerror="alert' not in page
    assert 'href="javascript:' not in page
    assert 'href="https://example.com" rel="nofollow noopener noreferrer"' in page
    results = client.get("/search?q=MOSN").text
    assert "<script>" not in results and "<img src=x" not in results


def test_messages_are_chinese_on_chinese_pages_and_english_in_the_api(client):
    zh = client.get("/search?lang=zh&q=" + "长" * 600)
    assert "查询太长（600 个字符，上限 500）" in zh.text
    assert "引号不成对" in client.get('/search?lang=zh&q="MOSN').text
    assert "unbalanced quote" in client.get('/search?lang=en&q="MOSN').text
    assert "没有编号为 nope 的问答" in client.get("/q/nope?lang=zh").text
    assert client.get("/api/search?q=" + "长" * 600).get_json()["error"]["message"].startswith("the query is too long")


def test_odd_parameters_never_reach_a_500(client):
    assert client.get("/api/search?q=before:0001-01-01 mosn").status_code == 200
    assert client.get("/search?q=jraft&endpoint=x&_method=POST&_external=1").status_code == 200
    assert client.post("/api/similar", json={"text": "jraft", "project": 123}).status_code == 400
    big = client.post("/api/similar", data="x" * 300_000, content_type="application/json")
    assert big.status_code == 413 and big.get_json()["error"]["status"] == 413


def test_feed_is_well_formed_xml_even_with_control_characters(tmp_path, registry):
    from xml.dom import minidom
    write_post(tmp_path / "posts", "ctl", "**@a** 提问：\n\n> MOSN\x0c 的问题\x01？\n\nA：回答\x0b。\n", date="2024-01-02")
    write_post(tmp_path / "posts", "nodate", "**@b** 提问：\n\n> MOSN 没有日期？\n\nA：对。\n",
               front="---\ntitle: nodate\n---\n")
    ingest([Source(tmp_path / "posts")], tmp_path / "ix", registry)
    c = create_app(tmp_path / "ix", {"TESTING": True}).test_client()
    doc = minidom.parseString(c.get("/feed.atom").data)
    assert len(doc.getElementsByTagName("entry")) == 2
    assert doc.getElementsByTagName("id")[0].firstChild.data == "http://localhost/feed.atom"
    assert all(not u.firstChild.data.startswith("1970") for u in doc.getElementsByTagName("updated"))


def test_a_wrong_method_gets_405_with_allow(client):
    r = client.delete("/api/search")
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and r.get_json()["error"]["status"] == 405
