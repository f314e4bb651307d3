"""Several communities in one archive: a Chinese weekly (our samples in data/posts) and an English monthly in
Optech's Jekyll layout (tests/fixtures/communities), ingested from one sources.yml. The `community` filter and
facet, per-community stats, feeds and pages, each community's tags, names and language; and SOFAStack with Bitcoin
Optech from the shared corpora, as data/sources-example.yml puts them."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from qa_archive.archive import Archive
from qa_archive.ingest import ingest
from qa_archive.parse import Source
from qa_archive.projects import Registry
from qa_archive.web import create_app

from .conftest import write_post

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "tests" / "fixtures" / "communities" / "sources.yml"
ATOM = "{http://www.w3.org/2005/Atom}"


def sources() -> list[Source]:
    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return [Source.from_config(item, CONFIG.parent) for item in cfg["sources"]]


@pytest.fixture(scope="module")
def two_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("two") / "index"
    report = ingest(sources(), index_dir, Registry.load())
    assert not report.problems and report.added > 0
    return index_dir


@pytest.fixture(scope="module")
def two(two_index) -> Archive:
    return Archive(two_index)


@pytest.fixture()
def client(two_index, monkeypatch):
    monkeypatch.delenv("QA_ARCHIVE_NAME", raising=False)
    return create_app(two_index, {"TESTING": True, "CONFIG_FILE": str(CONFIG)}).test_client()


def test_one_archive_holds_both_communities_with_their_names_and_languages(two):
    held = {c["name"]: c for c in two.communities()}
    assert set(held) == {"weekly", "ledger"}
    assert (held["ledger"]["title"], held["ledger"]["language"]) == ("Ledger Digest", "en")
    assert (held["weekly"]["title"], held["weekly"]["language"]) == ("示例周报", "zh")
    assert held["ledger"]["count"] == 7 and sum(c["count"] for c in held.values()) == two.count()


def test_the_community_filter_in_the_query_language_and_as_a_parameter(two):
    every = two.search("after:1990", limit=50)["total"]
    en = two.search("community:ledger", limit=50)
    assert en["total"] == 7 and {h["community"] for h in en["hits"]} == {"ledger"}
    assert en["filters"]["community"] == ["ledger"]
    assert two.search("", community="Ledger", limit=50)["total"] == 7      # any case
    zh = two.search("after:1990 -community:x community:weekly", limit=50)
    assert {h["community"] for h in zh["hits"]} == {"weekly"} and zh["total"] + 7 == every
    assert two.search("community:nobody")["total"] == 0


def test_the_community_facet_counts_each_communitys_hits(two):
    res = two.search("after:1990", limit=1)
    facet = {f["name"]: f["count"] for f in res["facets"]["communities"]}
    assert facet == {c["name"]: c["count"] for c in two.communities()}
    one = two.search("transaction", limit=50)
    assert [f["name"] for f in one["facets"]["communities"]] == ["ledger"]


def test_a_communitys_own_registry_tags_its_entries_and_the_project_filter_knows_it(two):
    tagged = two.search("project:p2tr", limit=50)          # an alias from the community's own registry
    assert tagged["total"] == 3 and not tagged["notes"]
    assert all("Taproot" in h["projects"] and h["community"] == "ledger" for h in tagged["hits"])
    assert {p["name"] for p in two.projects(community="ledger")} == {"Taproot", "PSBT", "Fee bumping"}
    # the Chinese weekly's entries keep their own projects, none of the English topics
    weekly = {p["name"] for p in two.projects(community="weekly")}
    assert weekly and not weekly & {"Taproot", "PSBT", "Fee bumping"}


def test_stats_per_community(two):
    whole = two.stats()
    assert {c["name"]: c["count"] for c in whole["communities"]} == {"weekly": whole["entries"] - 7, "ledger": 7}
    en = two.stats(community="ledger")
    assert (en["entries"], en["posts"], en["community"]) == (7, 3, "ledger")
    assert [y["name"] for y in en["years"]] == ["2024"]
    assert {p["name"] for p in en["projects"]} == {"Taproot", "PSBT", "Fee bumping"}


def test_the_api_and_the_search_page_show_the_facet_with_display_names(client):
    data = client.get("/api/search?q=after:1990&limit=1").get_json()
    assert {f["name"] for f in data["facets"]["communities"]} == {"weekly", "ledger"}
    assert client.get("/api/search?community=ledger&limit=50").get_json()["total"] == 7
    page = client.get("/search?q=after:1990&lang=en").text
    assert 'id="facet-communities"' in page and "Ledger Digest" in page and "示例周报" in page
    assert "community=ledger" in page
    on = client.get("/search?q=after:1990&community=ledger&lang=en").text
    assert 'class="on"' in on and "Ledger Digest <small>7</small> ✕" in on
    params = client.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"]["parameters"]
    assert any(p["name"] == "community" for p in params)
    form = client.get("/search?q=x&lang=en").text
    assert '<select id="f-community" name="community">' in form and '<option value="ledger">Ledger Digest' in form


def test_the_api_lists_communities_and_narrows_projects_and_stats_to_one(client):
    held = client.get("/api/communities").get_json()["communities"]
    assert {(c["name"], c["title"], c["language"]) for c in held} == {("weekly", "示例周报", "zh"),
                                                                      ("ledger", "Ledger Digest", "en")}
    projects = client.get("/api/projects?community=ledger").get_json()["projects"]
    assert {p["name"] for p in projects} == {"Taproot", "PSBT", "Fee bumping"}
    assert client.get("/api/stats?community=ledger").get_json()["entries"] == 7
    assert client.get("/api/stats?community=nobody").status_code == 404
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "/api/communities" in paths
    assert any(p["name"] == "community" for p in paths["/api/stats"]["get"]["parameters"])


def test_community_pages_with_their_json_twins(client):
    page = client.get("/c/ledger", headers={"Accept-Language": "zh-CN"}).text
    data = client.get("/c/ledger.json").get_json()
    assert data["community"]["title"] == "Ledger Digest" and data["total"] == 7
    assert {p["name"] for p in data["projects"]} == {"Taproot", "PSBT", "Fee bumping"}
    assert all(h["id"] in page for h in data["entries"])
    assert 'type="hidden" name="community" value="ledger"' in page
    assert client.get("/c/Ledger").headers["Location"].endswith("/c/ledger")
    assert client.get("/c/nobody").status_code == 404
    assert client.get("/c/nobody.json").get_json()["error"]["code"] == "web.no_community"


def test_a_communitys_pages_are_in_its_language_unless_the_reader_asks_for_another(client, two):
    """The interface follows the reader (the switch, else the browser's Chinese or English); a reader who asked
    for neither gets the language of what the page shows. Entries always carry their own language."""
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    zh_browser = {"Accept-Language": "zh-CN,zh;q=0.9"}
    assert '<html lang="en">' in client.get("/c/ledger", headers=german).text
    assert '<html lang="zh-CN">' in client.get("/c/weekly", headers=german).text
    assert '<html lang="en">' in client.get("/search?community=ledger&q=fee", headers=german).text
    hits = client.get("/search.json?community=ledger&limit=50").get_json()["results"]["hits"]
    en_id = next(h["id"] for h in hits if h["question"].isascii())
    zh_id = next(h["id"] for h in hits if not h["question"].isascii())     # the digest's Chinese translation
    assert '<html lang="en">' in client.get(f"/q/{en_id}", headers=german).text
    assert '<html lang="zh-CN">' in client.get(f"/q/{zh_id}", headers=german).text
    # a community publishing in two languages: each entry its own
    assert {h["lang"] for h in hits if not h["question"].isascii()} == {"zh"}
    assert {h["lang"] for h in hits if h["question"].isascii()} == {"en"}
    # a browser asking for Chinese: Chinese chrome, the English entries marked English
    zh_page = client.get("/c/ledger", headers=zh_browser).text
    assert '<html lang="zh-CN">' in zh_page and 'lang="en"' in zh_page.split('id="hits"')[1]
    assert '<article lang="en">' in client.get(f"/q/{en_id}", headers=zh_browser).text
    assert '<html lang="en">' in client.get(f"/q/{zh_id}", headers={"Accept-Language": "en"}).text
    # the switch wins over both, and is remembered
    assert '<html lang="en">' in client.get("/c/weekly?lang=en", headers=zh_browser).text
    assert '<html lang="en">' in client.get("/c/weekly", headers=zh_browser).text
    # pages of no one community, for a reader who said neither: Chinese, as before
    fresh = create_app(client.application.config["INDEX_DIR"], {"TESTING": True}).test_client()
    assert '<html lang="zh-CN">' in fresh.get("/", headers=german).text


def test_feeds_per_community(client):
    for url in ("/c/ledger/feed.atom", "/feed.atom?community=ledger"):
        feed = ET.fromstring(client.get(url).data)
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == 7 and "Ledger Digest" in feed.find(f"{ATOM}title").text
        assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/c/ledger/feed.atom")
        xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
        assert feed.get(xml_lang) == "en"           # the community's language; its Chinese entries say theirs
        langs = {e.find(f"{ATOM}title").text: e.get(xml_lang) for e in entries}
        assert {v for k, v in langs.items() if k.isascii()} == {None} and set(langs.values()) == {None, "zh"}
    both = ET.fromstring(client.get("/c/ledger/feed.atom?project=Taproot").data)
    assert len(both.findall(f"{ATOM}entry")) == 3
    assert client.get("/c/nobody/feed.atom").status_code == 404
    assert client.get("/c/weekly/feed.atom?project=Taproot").status_code == 404


def test_stats_pages_per_community(client):
    whole = client.get("/stats?lang=en").text
    assert 'id="per-community"' in whole and 'href="/c/ledger"' in whole
    data = client.get("/stats.json?community=ledger").get_json()
    assert data["stats"]["entries"] == 7 and data["community"]["name"] == "ledger"
    page = client.get("/stats?community=ledger&lang=en").text
    assert "7 entries" in page and "Ledger Digest" in page and 'id="per-community"' not in page
    assert client.get("/stats?community=nobody").status_code == 404


def test_project_pages_work_for_a_communitys_topics(client):
    data = client.get("/p/Taproot.json").get_json()
    assert data["total"] == 3
    assert client.get("/p/p2tr").headers["Location"].endswith("/p/Taproot")


def test_no_page_names_a_community_the_archive_does_not_serve(tmp_path, monkeypatch):
    """An archive of the English community alone never says SOFA (nor any of its projects), in either language."""
    monkeypatch.delenv("QA_ARCHIVE_NAME", raising=False)
    index_dir = tmp_path / "index"
    ingest([s for s in sources() if s.profile.community == "ledger"], index_dir,
           Registry.load())
    c = create_app(index_dir, {"TESTING": True}).test_client()
    entry = Archive(index_dir).search("community:ledger", limit=1)["hits"][0]["id"]
    for url in ("/", "/search?q=fee", "/search?q=nothing+here+at+all", f"/q/{entry}", "/stats", "/api", "/ask",
                "/c/ledger", "/feed.atom", "/p/Taproot", "/search?q="):
        for lang in ("en", "zh"):
            r = c.get(url + ("&" if "?" in url else "?") + f"lang={lang}", follow_redirects=True)
            text = r.text.lower()
            for word in ("sofa", "seata", "mosn", "jraft", "layotto"):
                assert word not in text, (url, lang, word)
    # its one community is English: a reader who asked for neither language gets English everywhere
    fresh = create_app(index_dir, {"TESTING": True}).test_client()
    assert '<html lang="en">' in fresh.get("/", headers={"Accept-Language": "de"}).text
    assert '<html lang="zh-CN">' in fresh.get("/", headers={"Accept-Language": "zh-CN"}).text


# ---------------------------------------------------------------------------------------------- the CLI

def cli_run(*args: str):
    from click.testing import CliRunner

    from qa_archive.cli import cli
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_cli_filters_by_community_and_shows_the_facet(two_index):
    import json
    got = cli_run("search", "after:1990", "--community", "ledger", "--limit", "50", "--json", "--index", str(two_index))
    data = json.loads(got.output)
    assert got.exit_code == 0 and data["total"] == 7 and {h["community"] for h in data["hits"]} == {"ledger"}
    assert data["facets"]["communities"] == [{"name": "ledger", "count": 7}]
    text = cli_run("search", "after:1990", "--index", str(two_index)).output
    assert "Communities: weekly (" in text and "ledger (7)" in text
    bad = cli_run("search", "fee", "--community", "nobody", "--index", str(two_index))
    assert bad.exit_code == 0 and bad.output.startswith("0 entries")    # a filter that matches nothing


def test_the_cli_stats_and_projects_per_community(two_index):
    import json
    whole = cli_run("stats", "--index", str(two_index)).output
    assert "Per community:" in whole and "Ledger Digest (en)" in whole and "示例周报 (zh)" in whole
    one = json.loads(cli_run("stats", "--community", "ledger", "--json", "--index", str(two_index)).output)
    assert (one["entries"], one["community"]) == (7, "ledger")
    rows = json.loads(cli_run("projects", "--community", "ledger", "--json", "--index", str(two_index)).output)
    assert {r["name"] for r in rows} == {"Taproot", "PSBT", "Fee bumping"}
    bad = cli_run("stats", "--community", "nobody", "--index", str(two_index))
    assert bad.exit_code == 2 and "this archive holds: weekly, ledger" in bad.output


def test_a_key_added_to_the_filter_table_is_a_search_option(two_index, monkeypatch):
    """The CLI's filter options are the table's keys: a new entry is an option, with its help, and applies."""
    import json

    from whoosh import query as Q

    from qa_archive import query
    fake = query.Filter("source", "text", {"en": "only entries of this post", "zh": "只看这篇文章的问答"},
                        lambda v, r, notes: v, lambda vs: Q.Or([Q.Term("source", v) for v in vs]), example="x.md")
    monkeypatch.setattr(query, "FILTERS", query.FILTERS + (fake,))
    helped = cli_run("search", "--help").output
    assert "--source NAME" in helped and "Only entries of this post." in helped
    post = "_posts/en/2024-06-19-digest-34.md"
    data = json.loads(cli_run("search", "after:1990", "--source", post, "--json", "--index", str(two_index)).output)
    assert data["total"] == 3 and {h["source"] for h in data["hits"]} == {post}


def test_the_facet_and_the_badges_appear_only_where_they_tell_communities_apart(client):
    mixed = client.get("/search?q=after:1990&sort=date&lang=en").text
    assert 'id="facet-communities"' in mixed and 'class="community"' in mixed
    one = client.get("/search?q=Seata&lang=en").text          # the weekly's alone
    assert 'id="facet-communities"' not in one and 'class="community"' not in one
    chosen = client.get("/search?q=fee&community=ledger&lang=en").text     # chosen: shown, to be cleared
    assert 'id="facet-communities"' in chosen and 'class="community"' not in chosen
    assert 'class="community"' not in client.get("/c/ledger").text.split('id="hits"')[1]


def test_a_community_renamed_in_the_config_is_renamed_on_the_next_ingest(tmp_path):
    index_dir = tmp_path / "index"
    ledger = [s for s in sources() if s.profile.community == "ledger"]
    registry = Registry.load()
    first = ingest(ledger, index_dir, registry)
    again = ingest(ledger, index_dir, registry)
    assert again.generation == first.generation       # nothing changed: nothing published
    assert again.posts_unchanged == 3 and Archive(index_dir).community("ledger")["title"] == "Ledger Digest"
    ledger[0].profile.name = "The Ledger Monthly"
    renamed = ingest(ledger, index_dir, registry)
    assert renamed.posts_read == 0 and Archive(index_dir).community("ledger")["title"] == "The Ledger Monthly"


def test_a_question_asked_within_one_community_gets_that_communitys_threads(client):
    question = "Why does my wallet show two change outputs, and is that a privacy thing?"
    anywhere = client.get("/search.json", query_string={"q": question}).get_json()["ask"]["hits"]
    assert anywhere and anywhere[0]["community"] == "ledger"
    within = client.get("/search.json", query_string={"q": question, "community": "weekly"}).get_json()
    assert all(h["community"] == "weekly" for h in within["ask"]["hits"])


# ---------------------------------------------------------------------------------------------- the real corpora

@pytest.fixture(scope="module")
def both_corpora(tmp_path_factory) -> Path:
    """SOFAStack and Bitcoin Optech in one archive, from data/sources-example.yml (which reads ../shared)."""
    from qa_archive.profiles import from_config
    shared = Path(os.environ.get("QA_ARCHIVE_SHARED", REPO.parent / "shared"))
    config = REPO / "data" / "sources-example.yml"
    items = yaml.safe_load(config.read_text(encoding="utf-8"))["sources"]
    roots = {"sofastack": shared / "corpus" / "sofastack.tech", "optech": shared / "corpus" / "bitcoinops"}
    if not all(r.is_dir() for r in roots.values()):
        pytest.fail(f"the shared corpora are missing under {shared} (set QA_ARCHIVE_SHARED to the shared folder)")
    found = [Source(roots[item["community"]], item.get("url"), from_config(item, config.parent)) for item in items]
    index_dir = tmp_path_factory.mktemp("both") / "index"
    ingest(found, index_dir, Registry.load())
    return index_dir


def test_sofa_and_optech_in_one_archive(both_corpora, monkeypatch):
    arch = Archive(both_corpora)
    held = {c["name"]: c for c in arch.communities()}
    assert set(held) == {"sofastack", "optech"} and held["optech"]["language"] == "en"
    assert held["optech"]["count"] > 700 and held["sofastack"]["count"] > 300
    taproot = arch.search("project:p2tr", limit=50)           # an alias from Optech's own topic registry
    assert taproot["total"] >= 40 and not taproot["notes"]
    assert taproot["facets"]["communities"] == [{"name": "optech", "count": taproot["total"]}]
    mixed = arch.search("after:2019", limit=1)["facets"]["communities"]
    assert {f["name"] for f in mixed} == {"sofastack", "optech"}
    assert arch.search("project:Seata community:optech")["total"] == 0
    monkeypatch.delenv("QA_ARCHIVE_NAME", raising=False)
    c = create_app(both_corpora, {"TESTING": True}).test_client()
    page = c.get("/c/optech", headers={"Accept-Language": "de"}).text
    assert '<html lang="en">' in page and "Taproot" in page and "sofa" not in page.lower()
    topics = c.get("/c/optech.json").get_json()["projects"]
    assert len(topics) > 30 and 'id="more-projects"' in page         # the commonest shown, the rest folded
    assert c.get("/p/Taproot.json").get_json()["total"] == taproot["total"]
    api = c.get("/api/search?q=signature&community=optech").get_json()
    assert api["total"] > 0 and {h["community"] for h in api["hits"]} == {"optech"}


def test_a_profile_change_reads_the_sources_posts_again_without_rebuild(tmp_path):
    # a new asker pattern in sources.yml: posts that did not change are read again, and the new pattern applies
    from qa_archive.profiles import from_config
    root = tmp_path / "guild"
    write_post(root, "notes-7", """
        ## Mailbag

        Visitor Mira wonders: can the lantern relay run on a Raspberry Pi?

        A: Yes, with 1 GB of memory it runs fine.
        """, title="Guild Notes 7")
    index_dir = tmp_path / "index"
    registry = Registry.load()
    plain = Source(root, profile=from_config({"path": str(root), "community": "guild"}))
    first = ingest([plain], index_dir, registry)
    assert ingest([plain], index_dir, registry).posts_unchanged == 1            # nothing changed: nothing read
    asker = r"^Visitor (?P<name>\w+) wonders:\s*(?P<rest>.*)$"
    patterned = Source(root, profile=from_config({"path": str(root), "community": "guild",
                                                  "patterns": {"asker": asker}}))
    again = ingest([patterned], index_dir, registry)
    assert again.posts_read == 1 and again.generation != first.generation
    docs = list(Archive(index_dir).current().docs.values())
    assert [d["asker"] for d in docs] == ["Mira"]
