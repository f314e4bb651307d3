"""The web pages and the JSON API through Flask's test client: every route, its errors and bounds, and
hostile post content that must never execute."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml

from qa_archive import messages
from qa_archive.ingest import ingest
from qa_archive.parse import Source
from qa_archive.query import looks_like_question
from qa_archive.web import create_app, safe_suggestion, shorten

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
    ("q=", 400, "empty"), ("q=%EF%BC%9F%EF%BC%9F!!", 400, "empty"), ("q=(((", 400, "empty"), ("q=*", 400, "empty"),
    ("q=" + "x" * 600, 400, "too long"), ("q=mosn&limit=0", 400, "limit"),
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
    assert client.get("/p/Seata/feed.atom").text.count("<entry>") == 3


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


# ---------------------------------------------------------------------------------------------- pages for people


PASTED = ('大家好，我们用的是 Seata 1.4.2 的 TCC 模式，日志里看到 "Cancel 比 Try 先到达"，'
          '请问这种情况会出什么问题，该怎么处理？')


class Links(HTMLParser):
    """Entry links inside one list (by id), and the text of every element with an id."""

    def __init__(self):
        super().__init__()
        self.lists: dict[str, list[str]] = {}
        self._in: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("ol", "ul"):
            self._in.append(a.get("id"))
        if tag == "a" and a.get("class") == "hit-title" and self._in and self._in[-1]:
            self.lists.setdefault(self._in[-1], []).append(a["href"].rsplit("/", 1)[1])

    def handle_endtag(self, tag):
        if tag in ("ol", "ul") and self._in:
            self._in.pop()


def shown(html: str) -> dict[str, list[str]]:
    p = Links()
    p.feed(html)
    return p.lists


@pytest.mark.parametrize("question, expected", [
    (PASTED, True), ("你好 请问 SOFARPC 怎么设置超时时间", True), ("MOSN 支持 dubbo 协议吗", True),
    ("how do I set the timeout of a SOFARPC call", True), ("Seata 1.4.2\nCaused by: java.lang.Exception", True),
    ("jraft 跨机房", False), ("Seata 行锁 year:2021", False), ('"Could not found global transaction"', False),
    ("project:MOSN -dubbo", False), ("", False),
])
def test_a_question_in_your_own_words_is_told_from_search_words(question, expected):
    assert looks_like_question(question) is expected


def test_a_pasted_question_gets_the_prior_answer_marked_confident(client):
    r = client.get("/search", query_string={"q": PASTED})
    assert r.status_code == 200 and 'id="ask"' in r.text and 'id="empty"' not in r.text
    data = client.get("/search.json", query_string={"q": PASTED}).get_json()
    assert data["question_like"] and data["ask"]["confident"]
    top = data["ask"]["hits"][0]
    assert top["confident"] and "Cancel 比 Try 先到达" in top["headline"]
    assert shown(r.text)["ask-hits"] == [h["id"] for h in data["ask"]["hits"]]
    assert 'class="badge"' in r.text and "很可能就是这个" in r.text
    assert "<mark>" not in r.text.split('id="ask-hits"')[1].split("</ol>")[0]    # the reader's words, unmarked


def test_a_question_never_lands_on_zero_results_when_related_threads_exist(client):
    q = "SOFAJRaft 的快照到底多久打一次，能不能自己控制时间间隔"      # no exact keyword match needed
    data = client.get("/search.json", query_string={"q": q}).get_json()
    assert data["ask"]["hits"], data
    page = client.get("/search", query_string={"q": q}).text
    assert 'id="empty"' not in page and "没有找到相关问答" not in page


def test_did_you_mean_never_rewrites_numbers_versions_or_quotes():
    assert safe_suggestion("Seata 1.4.2 回滚", "Seata 1.3.0 回滚") is None
    assert safe_suggestion('"global lock" seta', '"global log" seata') is None
    assert safe_suggestion("sofarcp 超时", "sofarpc 超时") == "sofarpc 超时"
    assert safe_suggestion("Layotto Dapr", "Layotto data", known={"Dapr"}.__contains__) is None


def test_did_you_mean_leaves_words_the_archive_has_alone(client):
    assert client.get("/search.json?q=Layotto Dapr").get_json()["results"]["suggestion"] is None
    assert client.get("/search.json?q=Layoto sequencer").get_json()["results"]["suggestion"] == "Layotto sequencer"


def test_result_titles_hold_the_first_question_and_count_the_follow_ups(client):
    data = client.get("/search.json?q=Layotto Dapr").get_json()
    hit = next(h for h in data["results"]["hits"] if len(h["turns"]) == 3)
    assert hit["headline"] == hit["turns"][0]["q"] and hit["follow_ups"] == 2
    page = client.get("/search?q=Layotto Dapr").text
    title = page.split(f'href="/q/{hit["id"]}">')[1].split("</a>")[0]
    assert "+2 条追问" in title and hit["turns"][1]["q"] not in title
    assert "+2 follow-ups" in client.get("/search?q=Layotto Dapr&lang=en").text
    long = "SOFARegistry " * 20
    assert shorten(long, 90).endswith("…") and len(shorten(long, 90)) <= 90
    assert shorten(long, 90)[:-1].split()[-1] == "SOFARegistry"              # cut between words, not inside one
    assert shorten("甲乙丙丁" * 40, 30) == "甲乙丙丁" * 7 + "甲…"


def test_entry_page_asks_its_question_once_and_shows_no_local_path(client):
    data = client.get("/search.json?q=Layotto Dapr").get_json()
    hit = next(h for h in data["results"]["hits"] if len(h["turns"]) == 3)
    page = client.get(f"/q/{hit['id']}").text
    assert page.count(hit["turns"][0]["q"]) == 2                 # the <title> and the <h1>, not again in a box
    assert f'<h1 id="question">{hit["turns"][0]["q"]}</h1>' in page
    assert hit["source"] not in page and "index.md" not in page
    related = page.split('id="related"')[1]
    assert "<mark>" not in related                                # related answers: no stray highlights


def test_results_link_to_the_source_post(tmp_path, registry):
    write_post(tmp_path / "posts", "linked-post", "**@a** 提问：\n\n> MOSN 怎么接入 Istio？\n\nA：看文档。\n")
    ingest([Source(tmp_path / "posts", url="https://example.org/blog/{dir}/")], tmp_path / "ix", registry)
    c = create_app(tmp_path / "ix", {"TESTING": True}).test_client()
    page = c.get("/search?q=MOSN Istio").text
    assert 'class="source" href="https://example.org/blog/linked-post/"' in page


def test_errors_speak_the_page_language(client):
    zh = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 404 and "找不到这个页面" in zh.text and "这个网址没有页面：/no/such/page" in zh.text
    assert "The requested URL" not in zh.text and "Not Found" not in zh.text
    en = client.get("/no/such/page?lang=en")
    assert "there is no page at /no/such/page" in en.text
    wrong = client.post("/stats?lang=zh")
    assert wrong.status_code == 405 and "不接受 POST 请求" in wrong.text and "GET" in wrong.headers["Allow"]
    assert "Method Not Allowed" not in wrong.text


def test_every_route_answers_errors_in_one_shape(app, client):
    """Each route, given an id that does not exist or a method it does not take: JSON {"error": {status, code,
    message}} under /api/ and for .json twins, the error page (in the page's language) everywhere else."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<[^>]+>", "nope-x", rule.rule)
        requests = [("DELETE", path, 405)]
        if rule.arguments:
            requests.append(("GET", path, 404))
        for method, url, status in requests:
            r = client.open(url, method=method, headers={"Accept-Language": "zh-CN"})
            assert r.status_code == status, (method, url, r.status_code)
            if url.startswith("/api/") or url.endswith(".json"):
                err = r.get_json()["error"]
                assert set(err) == {"status", "code", "message"} and err["status"] == status, (url, err)
                assert messages.known(err["code"]) and err["message"], (url, err)
            else:
                assert r.mimetype == "text/html" and 'id="error-message"' in r.text, url
                assert re.search("[\u4e00-\u9fff]", r.text.split('id="error-message">')[1].split("<")[0]), url
            checked += 1
    assert checked >= 25


def test_every_page_has_a_json_twin_with_the_data_it_shows(client, any_id):
    home, home_json = client.get("/").text, client.get("/index.json").get_json()
    assert shown(home)["newest"] == [h["id"] for h in home_json["newest"]]
    assert all(f">{p['name']}</span>" in home for p in home_json["projects"])
    assert client.get("/.json").get_json() == home_json

    res, res_json = client.get("/search?q=快照").text, client.get("/search.json?q=快照").get_json()
    assert shown(res)["hits"] == [h["id"] for h in res_json["results"]["hits"]]
    assert f"{res_json['results']['total']} 条结果" in res
    assert all(h["headline_html"] in res for h in res_json["results"]["hits"])

    entry, entry_json = client.get(f"/q/{any_id}").text, client.get(f"/q/{any_id}.json").get_json()
    assert entry_json["entry"]["id"] == any_id and entry_json["entry"]["headline"] in entry
    assert shown(entry).get("related", []) == [h["id"] for h in entry_json["related"]]
    assert entry_json["entry"]["date_text"] in entry

    proj, proj_json = client.get("/p/Seata").text, client.get("/p/Seata.json").get_json()
    assert shown(proj)["hits"] == [h["id"] for h in proj_json["entries"]] and proj_json["total"] == 3
    assert client.get("/p/seata.json").headers["Location"].endswith("/p/Seata.json")

    stats, stats_json = client.get("/stats").text, client.get("/stats.json").get_json()
    assert f"{stats_json['stats']['entries']} 条问答" in stats and stats_json["updated"] in stats
    assert client.get("/api.json").get_json()["openapi"].startswith("3.")


def test_project_pages_are_paged(sample_index):
    c = create_app(sample_index, {"TESTING": True, "PROJECT_PAGE_SIZE": 2}).test_client()
    first, second = c.get("/p/Seata.json").get_json(), c.get("/p/Seata.json?page=2").get_json()
    assert (first["pages"], len(first["entries"]), len(second["entries"])) == (2, 2, 1)
    assert not {h["id"] for h in first["entries"]} & {h["id"] for h in second["entries"]}
    page = c.get("/p/Seata").text
    assert 'rel="next"' in page and "/p/Seata?page=2" in page and "第 1/2 页" in page
    assert c.get("/p/Seata?page=3").status_code == 400 and c.get("/p/Seata?page=x").status_code == 400


def test_dates_are_human_in_the_readers_language(client):
    zh, en = client.get("/p/Layotto").text, client.get("/p/Layotto?lang=en").text
    assert "2021年9月17日" in zh and "17 Sep 2021" in en
    stats = client.get("/stats.json").get_json()
    raw = stats["stats"]["last_ingest"]
    page = client.get("/stats?lang=zh").text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC", page) and f">{raw}<" not in page


def test_the_api_page_is_for_people(client):
    home = client.get("/").text
    assert 'href="/api" id="api-link"' in home
    page = client.get("/api")
    assert page.status_code == 200 and page.mimetype == "text/html"
    spec = client.get("/api/openapi.json").get_json()
    for path, methods in spec["paths"].items():
        for op in methods.values():
            assert path in page.text and op["summary"] in page.text
            for p in op.get("parameters", []):
                assert f"<code>{p['name']}</code>" in page.text


def test_a_favicon_is_served(client):
    assert 'rel="icon"' in client.get("/").text
    for url in ("/favicon.ico", "/static/favicon.svg"):
        with client.get(url) as r:
            assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data


def test_feed_titles_are_cut_cleanly_and_ids_come_from_the_base_url(tmp_path, registry):
    from xml.dom import minidom
    long_q = "SOFARegistry 的数据同步在跨机房部署的时候\n是怎么保证一致性的，" + "如果网络分区了会怎么样，" * 12 + "？"
    write_post(tmp_path / "posts", "long", f"**@a** 提问：\n\n> {long_q}\n\nA：看文档。\n")
    ingest([Source(tmp_path / "posts")], tmp_path / "ix", registry)
    for base, expected in ((None, "http://localhost/"), ("https://qa.example.org/archive/",
                                                          "https://qa.example.org/archive/")):
        c = create_app(tmp_path / "ix", {"TESTING": True, "BASE_URL": base}).test_client()
        doc = minidom.parseString(c.get("/feed.atom", base_url="http://10.0.0.5:8080/").data)
        entry = doc.getElementsByTagName("entry")[0]
        title = entry.getElementsByTagName("title")[0].firstChild.data
        assert title.endswith("…") and "\n" not in title and len(title) <= 100
        assert not title[:-1].endswith(("，", " "))
        entry_id = entry.getElementsByTagName("id")[0].firstChild.data
        if base:
            assert entry_id.startswith(expected + "q/") and "10.0.0.5" not in entry_id
        else:
            assert entry_id.startswith("http://10.0.0.5:8080/q/")       # unset: the request's host


def test_the_archive_name_comes_from_configuration(sample_index, monkeypatch):
    monkeypatch.delenv("QA_ARCHIVE_NAME", raising=False)
    neutral = create_app(sample_index, {"TESTING": True}).test_client()
    for url in ("/", "/stats", "/feed.atom", "/nope", "/?lang=en"):
        assert "SOFA 问答" not in neutral.get(url).text and "SOFA Q&A" not in neutral.get(url).text
    assert "<title>问答档案</title>" in neutral.get("/?lang=zh").text
    named = create_app(sample_index, {"TESTING": True, "ARCHIVE_NAME": "Optech 问答"}).test_client()
    assert "<title>Optech 问答</title>" in named.get("/").text
    monkeypatch.setenv("QA_ARCHIVE_NAME", "社区问答")
    assert "<title>社区问答</title>" in create_app(sample_index, {"TESTING": True}).test_client().get("/").text


def test_every_interface_string_has_both_languages():
    with open(messages.UI, encoding="utf-8") as f:
        ui = yaml.safe_load(f)
    for key, entry in ui.items():
        assert set(messages.LANGUAGES) <= set(entry), key
    used = set()
    for tpl in (messages.UI.parent / "templates").glob("*.*"):
        used |= set(re.findall(r"\bt\('([\w.]+)'", tpl.read_text(encoding="utf-8")))
    assert used and used <= set(ui), used - set(ui)


def test_a_filter_key_from_the_table_reaches_the_form_the_api_and_its_page(sample_index, monkeypatch):
    """Adding a key to the filter table is all it takes: the search form gets its field, the help names it, the
    OpenAPI document and the API page list the parameter, and a search by it is applied."""
    from whoosh import query as Q

    from qa_archive import query
    fake = query.Filter("source", "text", {"en": "only entries of this post", "zh": "只看这篇文章的问答"},
                        lambda v, r, notes: v, lambda vs: Q.Or([Q.Term("source", v) for v in vs]), example="x.md")
    monkeypatch.setattr(query, "FILTERS", query.FILTERS + (fake,))
    c = create_app(sample_index, {"TESTING": True}).test_client()
    one = c.get("/api/search?q=Seata&limit=1").get_json()["hits"][0]["source"]
    page = c.get("/search", query_string={"q": "Seata", "source": one, "lang": "zh"}).text
    assert f'name="source" value="{one}"' in page and "只看这篇文章的问答" in page and "source:x.md" in page
    data = c.get("/search.json", query_string={"q": "Seata", "source": one}).get_json()
    assert {h["source"] for h in data["results"]["hits"]} == {one}
    params = c.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"]["parameters"]
    assert any(p["name"] == "source" and "this post" in p["description"] for p in params)
    assert "<code>source</code>" in c.get("/api").text
    # the hidden fields of a project page's form carry table keys too
    assert 'type="hidden" name="project" value="Seata"' in c.get("/p/Seata").text


def test_name_and_base_url_from_a_config_file(sample_index, tmp_path, monkeypatch):
    monkeypatch.delenv("QA_ARCHIVE_NAME", raising=False)
    monkeypatch.delenv("QA_ARCHIVE_BASE_URL", raising=False)
    cfg = tmp_path / "sources.yml"
    cfg.write_text("sources:\n  - path: posts\narchive:\n  name: Optech 问答\n  base_url: https://qa.example.org\n",
                   encoding="utf-8")
    c = create_app(sample_index, {"TESTING": True, "CONFIG_FILE": str(cfg)}).test_client()
    assert "<title>Optech 问答</title>" in c.get("/").text
    assert "<id>https://qa.example.org/q/" in c.get("/feed.atom").text
    monkeypatch.setenv("QA_ARCHIVE_NAME", "环境变量优先")
    assert "<title>环境变量优先</title>" in create_app(sample_index, {"CONFIG_FILE": str(cfg)}).test_client().get("/").text


PASTED_LOG = """大家好，我们在用 Seata 1.4.2 的 TCC 模式。
2021-09-01 10:00:01 ERROR [DefaultRMHandler] branch rollback failed
io.seata.common.exception.FrameworkException: TCC resource is not available
    at io.seata.rm.tcc.TCCResourceManager.branchRollback(TCCResourceManager.java:120)
排查下来是 Cancel 比 Try 先到了参与者，这种情况会出什么问题？"""


def test_the_ask_page_takes_several_lines_and_answers_them(client):
    form = client.get("/ask")
    assert form.status_code == 200 and "<textarea" in form.text and 'method="post"' in form.text
    r = client.post("/ask", data={"q": PASTED_LOG})
    assert r.status_code == 200 and 'id="ask-hits"' in r.text and "很可能就是这个" in r.text
    data = client.post("/ask.json", data={"q": PASTED_LOG}).get_json()
    assert data["ask"]["confident"] and "Cancel 比 Try 先到达" in data["ask"]["hits"][0]["headline"]
    assert shown(r.text)["ask-hits"] == [h["id"] for h in data["ask"]["hits"]]
    assert client.get("/ask.json", query_string={"q": PASTED_LOG}).get_json() == data
    empty = client.post("/ask.json", data={"q": "  "})
    assert empty.status_code == 400 and empty.get_json()["error"]["code"] == "similar.empty"
    # the search page hands a question over to the ask page, where longer pastes fit
    page = client.get("/search", query_string={"q": PASTED})
    assert 'id="to-ask"' in page.text


def test_questions_about_the_real_archive_find_their_threads(corpus_index):
    """The 45 gold paraphrases (a reader's own words for a thread of the shared corpus), typed into the search box
    and pasted into the ask page with a greeting, a version and log lines: the page always shows prior threads,
    and the right one is among the first three."""
    from qa_archive.evaluation import load_gold, rank_of

    from .conftest import GOLD
    c = create_app(corpus_index, {"TESTING": True}).test_client()
    golds = [g for g in load_gold(GOLD) if g.queries.get("paraphrase")]
    assert len(golds) >= 40
    typed, pasted = [], []
    for g in golds:
        text = g.queries["paraphrase"]
        page = c.get("/search.json", query_string={"q": text}).get_json()
        assert page["question_like"] and page["ask"]["hits"], text
        typed.append(rank_of(page["ask"]["hits"], g))
        log = f"大家好，我们用的是 2.1.0 版本。\n2021-09-01 10:00:01 ERROR [main] IllegalStateException\n{text}\n谢谢！"
        pasted.append(rank_of(c.post("/ask.json", data={"q": log}).get_json()["ask"]["hits"], g))
    for ranks in (typed, pasted):
        assert sum(1 for r in ranks if r and r <= 3) / len(ranks) >= 0.93, ranks


def test_a_page_past_the_end_is_one_rule_on_pages_json_and_api(client):
    """Search, its JSON twin, the API and a project's paged list all answer a page past the last with the
    library's `query.past_end`, which names the last page; the pages link to it."""
    pages = client.get("/api/search?q=Seata").get_json()["pages"]
    page = client.get("/search?q=Seata&page=99&lang=zh")
    assert page.status_code == 400 and "第 99 页超出了范围" in page.text and "没有找到" not in page.text
    assert f"第 {pages} 页" in page.text and f'href="/search?q=Seata&amp;lang=zh&amp;page={pages}"' in page.text
    for url in ("/api/search?q=Seata&page=99", "/search.json?q=Seata&page=99"):
        r = client.get(url)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "query.past_end", url
    assert client.get("/search.json?q=Seata&page=99").get_json()["error"]["last_page"]["page"] == pages
    assert client.get("/search?q=zzqqxx&page=99").status_code == 200          # nothing found: no last page
    name = client.get("/api/projects").get_json()["projects"][0]["name"]
    r = client.get(f"/p/{name}.json?page=999")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "query.past_end"
    html = client.get(f"/p/{name}?page=999&lang=en").text
    assert "page 999 is past the end" in html and 'id="last-page"' in html


def test_search_json_echoes_the_parsed_numbers(client):
    args = client.get("/search.json?q=Seata&page=1&limit=5").get_json()["args"]
    assert args["page"] == 1 and args["limit"] == 5 and args["sort"] == "relevance"
    refused = client.get("/search.json?q=Seata&page=2&limit=99999")
    assert refused.status_code == 400 and refused.get_json()["args"]["limit"] == 99999


def test_the_web_asks_by_the_library_rule_for_filters(client):
    """A date filter that leaves nothing: no look-alikes from other years on the page (the CLI says the same)."""
    data = client.get("/search.json", query_string={"q": PASTED, "after": "2030-01-01"}).get_json()
    assert data["results"]["total"] == 0 and data["ask"]["hits"] == []
    assert client.get("/search.json", query_string={"q": PASTED, "project": "Seata"}).get_json()["ask"]["hits"]


def test_an_unknown_project_gets_the_same_note_in_search_similar_and_ask(client):
    q = "Seata TCC 悬挂怎么处理？"
    searched = client.get("/api/search", query_string={"q": "Seata", "project": "Nosuch"}).get_json()
    similar = client.get("/api/similar", query_string={"text": q, "project": "Nosuch"}).get_json()
    asked = client.get("/ask.json", query_string={"q": q, "project": "Nosuch"}).get_json()
    note = "no known project named 'Nosuch'"
    assert note in searched["notes"] and note in similar["notes"] and similar["hits"]
    assert asked["notes"] == ["没有名为 “Nosuch” 的项目"] and asked["ask"]["hits"]
    assert client.get("/api/similar", query_string={"text": q, "project": "seata"}).get_json()["notes"] == []


def test_look_alikes_are_labelled_by_how_sure_and_an_off_topic_question_gets_none(client):
    sure = client.get("/search", query_string={"q": PASTED}).text
    assert "以前有人问过类似的问题" in sure and "不确定" not in sure.split('id="ask-heading"')[1].split("</h2>")[0]
    from qa_archive.archive import Archive
    ask = Archive.ask
    with pytest.MonkeyPatch.context() as mp:      # the same look-alikes, none of them confident
        mp.setattr(Archive, "ask", lambda self, *a, **k: [dict(h, confident=False) for h in ask(self, *a, **k)])
        unsure = client.get("/search", query_string={"q": PASTED}).text
    assert "可能相关的旧问答" in unsure.split('id="ask-heading"')[1].split("</h2>")[0]
    for off_topic in ("我想买一台笔记本电脑，预算五千，有什么推荐吗？", "量子计算机什么时候能破解 RSA？"):
        data = client.get("/search.json", query_string={"q": off_topic}).get_json()
        assert data["ask"]["hits"] == [], off_topic


def test_a_thread_page_lets_the_reader_search_again_and_an_empty_filtered_search_offers_to_drop_filters(client, any_id):
    page = client.get(f"/q/{any_id}").text
    assert 'role="search"' in page.split('id="question"')[1]            # a search box below the thread
    empty = client.get("/search", query_string={"q": "Seata", "year": "2001"}).text
    assert 'id="empty"' in empty and 'id="clear-filters" href="/search?q=Seata"' in empty
    assert 'id="clear-filters"' not in client.get("/search", query_string={"q": "zzqqxx"}).text
    assert ">问题</option>" in client.get("/search", query_string={"q": "Seata"}).text   # the field names, in Chinese


def test_look_alikes_on_a_projects_page_are_that_projects_only(client):
    q = "Seata TCC 模式里 Cancel 比 Try 先执行导致悬挂，业务上怎么防？"
    mosn = client.get("/search.json", query_string={"q": q, "project": "MOSN"}).get_json()["ask"]["hits"]
    assert all("MOSN" in h["projects"] for h in mosn)
    seata = client.get("/search.json", query_string={"q": q, "project": "Seata"}).get_json()["ask"]["hits"]
    assert seata and all("Seata" in h["projects"] for h in seata)
