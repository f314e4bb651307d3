"""Search over our sample posts: Chinese analysis, the query language, facets, snippets, paging, suggestions."""
from __future__ import annotations

import pytest

from qa_archive import analysis
from qa_archive.search import QueryError, highlight, parse_query


def askers(res):
    return [h["asker"] for h in res["hits"]]


def test_cjk_is_segmented_into_bigrams_and_english_stays_whole():
    assert analysis.terms("使用数据库做存储") == ["使用", "用数", "数据", "据库", "库做", "做存", "存储"]
    assert analysis.terms("SOFARegistry v5.4.2 的 undo_log") == ["sofaregistri", "v5.4.2", "v542", "v5", "4", "2",
                                                               "undo_log"]
    assert analysis.terms("ＳＯＦＡＲＰＣ") == ["sofarpc"]                # full-width folds to ASCII
    assert set(analysis.terms("sofaregistry")) <= set(analysis.terms("sofa-registry"))   # the two meet


def test_chinese_words_match_inside_longer_runs(sample_archive):
    res = sample_archive.search("热升级")
    assert res["total"] >= 1 and "MOSN" in res["hits"][0]["projects"]


def test_project_names_match_in_any_spelling(sample_archive):
    spellings = [sample_archive.search(q, limit=50)["total"] for q in ("SOFARegistry", "sofa-registry",
                                                                       "sofaregistry", "SOFAREGISTRY")]
    assert spellings[0] > 0 and len(set(spellings)) == 1


def test_all_words_matching_beats_some(sample_archive):
    res = sample_archive.search("Seata 悬挂")
    top = res["hits"][0]
    text = top["question"] + " ".join(t["a"] or "" for t in top["turns"])
    assert "Seata" in top["projects"] and "悬挂" in text


def test_phrase_and_exclusion(sample_archive):
    phrase = sample_archive.search('"全量采样"')
    assert phrase["total"] >= 1 and all("全量采样" in h["question"] + h["answer"] for h in phrase["hits"])
    every = sample_archive.search("SOFAJRaft", limit=50)["total"]
    minus = sample_archive.search("SOFAJRaft -快照", limit=50)
    assert 0 < minus["total"] < every
    assert all("快照" not in h["question"] + h["answer"] for h in minus["hits"])


def test_project_filter_takes_aliases_in_any_case(sample_archive):
    for value in ("SOFAJRaft", "jraft", "SOFA-JRAFT"):
        res = sample_archive.search(f"project:{value}", limit=50)
        assert res["total"] >= 3 and all("SOFAJRaft" in h["projects"] for h in res["hits"])
    assert sample_archive.search("leader", project="jraft")["hits"][0]["projects"] == ["SOFAJRaft"]


def test_asker_date_and_year_filters(sample_archive):
    res = sample_archive.search("asker:林晓舟")
    assert askers(res) == ["林晓舟"]
    later = sample_archive.search("after:2023-01-01", limit=50)
    assert later["total"] > 0 and all(h["date"] >= "2023-01-01" for h in later["hits"])
    earlier = sample_archive.search("before:2020-01-01", limit=50)
    assert earlier["total"] > 0 and all(h["date"] < "2020-01-01" for h in earlier["hits"])
    y = sample_archive.search("year:2022", limit=50)
    assert y["total"] > 0 and all(h["date"].startswith("2022") for h in y["hits"])
    assert later["total"] + earlier["total"] < sample_archive.search("after:1990", limit=50)["total"]


def test_in_question_restricts_the_fields(sample_archive):
    anywhere = sample_archive.search("BizClassLoader", limit=50)["total"]
    in_question = sample_archive.search("BizClassLoader in:question", limit=50)["total"]
    assert anywhere >= 1 and in_question < anywhere


def test_a_query_that_does_not_parse_is_searched_as_text_with_a_note(sample_archive):
    res = sample_archive.search('"Seata 悬挂')
    assert res["total"] >= 1 and any("unbalanced quote" in n for n in res["notes"])
    res = sample_archive.search("after:yesterday Seata")
    assert res["total"] >= 1 and any("not a date" in n for n in res["notes"])
    res = sample_archive.search("http://example.com error:42 MOSN")
    assert res["notes"] == []


def test_empty_and_over_long_queries_are_refused_clearly(sample_archive):
    with pytest.raises(QueryError, match="empty"):
        sample_archive.search("   ")
    with pytest.raises(QueryError, match="too long"):
        sample_archive.search("数据" * 300)
    with pytest.raises(QueryError, match="page"):
        sample_archive.search("MOSN", page=0)
    with pytest.raises(QueryError, match="limit"):
        sample_archive.search("MOSN", limit=1000)


def test_highlighting_chinese_marks_whole_terms_and_escapes_html():
    out = highlight("我们在生产环境使用数据库做存储<b>", set(analysis.terms("数据库")))
    assert "<mark>数据库</mark>" in out and "&lt;b&gt;" in out
    long = "前" * 300 + "关键字在这里" + "后" * 300
    snippet = highlight(long, set(analysis.terms("关键字")))
    assert "<mark>关键字</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


def test_facets_count_projects_and_years_of_the_query(sample_archive):
    res = sample_archive.search("SOFARegistry OR MOSN", limit=1)
    projects = {f["name"]: f["count"] for f in res["facets"]["projects"]}
    years = {f["name"]: f["count"] for f in res["facets"]["years"]}
    assert projects and sum(years.values()) == res["total"]
    assert projects["SOFARegistry"] == sample_archive.search("SOFARegistry OR MOSN project:SOFARegistry",
                                                             limit=1)["total"]


def test_pagination_and_sort_by_date(sample_archive):
    page1 = sample_archive.search("project:SOFARPC", limit=2, page=1)
    page2 = sample_archive.search("project:SOFARPC", limit=2, page=2)
    assert page1["pages"] >= 2 and not {h["id"] for h in page1["hits"]} & {h["id"] for h in page2["hits"]}
    dated = sample_archive.search("SOFARegistry", sort="date", limit=50)
    dates = [h["date"] for h in dated["hits"]]
    assert dates == sorted(dates, reverse=True)


def test_did_you_mean_suggests_project_names_and_known_words(sample_archive):
    assert sample_archive.search("Layoto")["suggestion"] == "Layotto"
    assert sample_archive.search("heartbaet")["suggestion"] is None or \
        sample_archive.search("heartbaet")["total"] == 0


def test_parse_query_understands_every_filter(registry):
    pq = parse_query('jraft "跨 机房" -raft project:seata asker:@小明 after:2021-01 before:2022 year:2021 in:q',
                     registry)
    assert pq.words == ["jraft"] and pq.phrases == ["跨 机房"] and pq.excluded == ["raft"]
    assert pq.projects == ["Seata"] and pq.askers == ["小明"] and pq.years == [2021]
    assert str(pq.after) == "2021-01-01" and str(pq.before) == "2022-01-01" and pq.fields == ("question",)


def test_a_query_of_only_a_bad_filter_says_what_is_wrong(sample_archive):
    with pytest.raises(QueryError, match="year:abc is not a year") as e:
        sample_archive.search("year:abc")
    assert "year:abc 不是年份" in e.value.render("zh")


def test_notes_and_errors_carry_catalogue_codes(sample_archive):
    note = sample_archive.search("after:yesterday Seata")["notes"][0]
    assert note.code == "note.not_a_date" and note.params == {"key": "after", "value": "yesterday"}
    assert "不是日期" in note.render("zh")
    with pytest.raises(QueryError) as e:
        sample_archive.search("MOSN", limit=1000)
    assert e.value.code == "query.limit_range" and "每页条数" in e.value.render("zh")


def test_every_catalogue_code_has_chinese_and_english():
    from qa_archive.messages import catalogue
    assert all({"zh", "en"} <= set(texts) <= {"zh", "en", "zh_one", "en_one"} for texts in catalogue().values())


def test_did_you_mean_never_rewrites_numbers_versions_or_quoted_text(sample_archive):
    assert sample_archive.search('Layoto 1.2.3 "Layoto sidecar"')["suggestion"] == 'Layotto 1.2.3 "Layoto sidecar"'
    assert sample_archive.search("Seata 9.9.9 v0.1.5")["suggestion"] is None


def test_a_filter_key_is_one_entry_in_the_table(sample_archive, monkeypatch):
    """A fake key added to FILTERS alone is parsed, applied and named in the result's filters."""
    from whoosh import query as Q

    from qa_archive import query
    fake = query.Filter("source", "text", {"en": "only entries of this post", "zh": "只看这篇文章的问答"},
                        lambda v, r, notes: v, lambda vs: Q.Or([Q.Term("source", v) for v in vs]))
    monkeypatch.setattr(query, "FILTERS", query.FILTERS + (fake,))
    one = sample_archive.search("Seata", limit=1)["hits"][0]["source"]
    res = sample_archive.search("Seata", source=one, limit=50)
    assert res["total"] >= 1 and {h["source"] for h in res["hits"]} == {one}
    assert res["filters"]["source"] == [one]


def test_every_code_says_the_same_fields_in_both_languages():
    """A Chinese message never leaves out what the English one names (the value that was wrong, the path): every
    library and CLI code, and the pages' error codes (interface labels such as a date's parts may differ)."""
    import string

    from qa_archive.messages import catalogue, interface

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    errors = {k: v for k, v in interface().items() if k.startswith(("web.", "http."))}
    for source in (catalogue(), errors):
        for code, texts in source.items():
            if isinstance(texts, dict) and "zh" in texts and "en" in texts:
                assert fields(texts["zh"]) == fields(texts["en"]), code


def test_search_or_ask_is_one_rule_for_every_interface(sample_archive):
    """Similar questions come with a search when the text reads as a question or nothing was found; project and
    community narrow them; any other filter means "nothing found" is the answer."""
    pasted = "大家好，Seata 的 TCC 模式里 Cancel 比 Try 先到达，请问这种情况会出什么问题，该怎么处理？"
    found = sample_archive.search_or_ask(pasted)
    assert found["question_like"] and found["asked"] and found["error"] is None
    assert sample_archive.search_or_ask(pasted, project="Seata")["asked"]
    assert sample_archive.search_or_ask(pasted, after="2030-01-01")["asked"] == []
    assert sample_archive.search_or_ask(pasted + " year:2015")["asked"] == []          # in the text, the same
    words = sample_archive.search_or_ask("Seata")
    assert not words["question_like"] and words["asked"] == [] and words["results"]["total"]
    assert sample_archive.search_or_ask("zzqqxx", page=1)["results"]["total"] == 0


IDENTIFIER_POST = """
## 社区 Q&A

**@amy** 提问：

> Seata 对 Java17 的版本有支持吗？

A：新版本已经支持，老版本要加 JVM 参数。

**@ben** 提问：

> MOSN 转发 HTTP/2 协议，router 要怎么配置？

A：listener 里配 filter，再配路由规则。

**@cai** 提问：

> 加了 --set meshConfig.defaultConfig.binaryPath="/usr/local/bin/mosn" 之后 sidecar 还是旧的，为什么？

A：Pod 要重新注入一次。

**@dan** 提问：

> sidecar 注入以后 Pod 起不来，怎么排查？

A：先看日志，和 binaryPath 没有关系。

**@eve** 提问：

> 自动注入怎么关掉？

A：去掉 namespace 上的注入标签。
"""


@pytest.fixture(scope="module")
def identifier_archive(tmp_path_factory, registry):
    from qa_archive.archive import Archive
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source

    from .conftest import write_post
    root = tmp_path_factory.mktemp("identifiers") / "posts"
    write_post(root, "weekly-identifiers", IDENTIFIER_POST)
    index_dir = root.parent / "index"
    ingest([Source(root)], index_dir, registry)
    return Archive(index_dir, registry)


def test_letters_then_digits_are_also_two_words():
    for text in ("jdk17", "JDK17"):
        assert analysis.terms(text, parts=False) == ["jdk17", "jdk", "17"]      # a query keeps the whole too
    assert {"java", "17"} <= set(analysis.terms("Java17"))
    assert {"http", "2"} <= set(analysis.terms("HTTP/2")) & set(analysis.terms("http2", parts=False))
    for word in ("k8s", "v5", "log4j"):            # not letters then digits: a name, a version, stay whole
        assert analysis.terms(word) == [word]


def test_a_version_written_together_finds_it_written_apart(identifier_archive):
    assert askers(identifier_archive.search("jdk17"))[0] == "amy"        # the thread says Java17
    assert askers(identifier_archive.search("http2"))[0] == "ben"        # … and HTTP/2


def test_a_part_of_a_dotted_identifier_counts_as_found_in_the_question(identifier_archive):
    # two threads hold both words: the one whose question has `binaryPath` (inside a.b.binaryPath) comes first
    res = identifier_archive.search("binaryPath 注入")
    assert askers(res)[0] == "cai"


# ---------------------------------------------------------------------------------------------- stored re-ranking rows

BILINGUAL_ITEM = """
**@{asker}** 提问：

> {question}

A：{answer}

「Lantern」：[{link}]({link})
"""
ROWS_EN = [("ana", "How do I rotate the signing key of a Lantern relay (relay.keys.rotateAfter) without downtime?",
            "Load both keys, publish the new one, drop the old key a day later.", "https://forum.lantern.example/t/9"),
           ("bo", "Why does the gossip layer drop frames over one megabyte?", "Split the payload into chunks.",
            "https://forum.lantern.example/t/10")]
ROWS_ZH = [("ana", "如何在不停机的情况下轮换 Lantern 中继的签名密钥（relay.keys.rotateAfter）？",
            "先同时加载新旧密钥，发布新密钥，一天后移除旧密钥。", "https://forum.lantern.example/t/9"),
           ("bo", "为什么流言层会丢弃超过一兆字节的帧？", "把负载拆成小块。", "https://forum.lantern.example/t/10")]


def bilingual(items) -> str:
    return "\n### 每周读者问答提炼\n" + "".join(BILINGUAL_ITEM.format(asker=a, question=q, answer=x, link=u)
                                              for a, q, x, u in items)


@pytest.fixture(scope="module")
def rows_index(tmp_path_factory, registry):
    """Translations, a repost (one question in two posts), dotted identifiers, Chinese and English."""
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source

    from .conftest import write_post
    root = tmp_path_factory.mktemp("rows") / "posts"
    write_post(root, "en/weekly-0510", bilingual(ROWS_EN), title="Lantern Weekly 12", date="2024-05-10")
    write_post(root, "zh/weekly-0510", bilingual(ROWS_ZH), title="Lantern 周报 12", date="2024-05-10")
    write_post(root, "zh/weekly-0601", bilingual(ROWS_ZH[1:]), title="Lantern 周报 14", date="2024-06-01")
    write_post(root, "weekly-identifiers", IDENTIFIER_POST)
    index_dir = root.parent / "index"
    ingest([Source(root)], index_dir, registry)
    return index_dir


def reference(gen, n) -> list:
    """An entry's side of the features as the re-ranker computed it from the text before rows were stored:
    `Generation.doc_terms`, the dotted parts of its questions, its squeezed questions, script, tags, translations."""
    from qa_archive import ranking
    from qa_archive.languages import entry_script
    from qa_archive.projects import squash

    d = gen.docs[n]
    turns = d["turns"]
    q_terms, a_terms, first_terms = gen.doc_terms(n)
    qtext = " ".join(t["q"] for t in turns)
    return [set(q_terms), set(first_terms), set(a_terms) - set(q_terms), ranking.dotted_parts(qtext, q_terms),
            ranking.dotted_parts(turns[0]["q"], first_terms) if turns else set(), ranking.squeeze(qtext),
            entry_script(d), {squash(p) for p in d.get("projects") or []} - {""}, bool(d.get("translations")),
            tuple(m for m in (gen.by_id.get(i) for i in d.get("translations") or ()) if m is not None)]


def assert_rows_match_the_text(index_dir):
    """Every stored row, and every row computed from the text when none is stored, holds what the re-ranker
    computed from the entry's text before rows were stored; copies share a key exactly when their folded first
    questions are equal."""
    from qa_archive import ranking
    from qa_archive.archive import Archive
    from qa_archive.models import fold

    gen = Archive(index_dir).current()
    rows = ranking.stored_rows(gen)
    assert rows is not None
    groups: dict = {"stored": {}, "text": {}, "reference": {}}
    for n in gen.docs:
        expected = reference(gen, n)
        for name, got in (("stored", rows.get(n)), ("text", ranking.from_text(gen, n))):
            assert [ranking.terms_of(f) for f in got[:5]] + list(got[5:-1]) == expected, (name, gen.docs[n]["id"])
            groups[name].setdefault(got.key, set()).add(n)
        groups["reference"].setdefault(fold(gen.docs[n].get("question") or "") or gen.docs[n]["id"], set()).add(n)
    partitions = [sorted(map(sorted, g.values())) for g in groups.values()]
    assert partitions[0] == partitions[1] == partitions[2]
    return gen


def test_stored_rows_are_what_reranking_computes_from_the_text(rows_index):
    from qa_archive.analysis import query_terms

    gen = assert_rows_match_the_text(rows_index)
    from qa_archive import ranking
    entries = [ranking.entry(gen, n) for n in gen.docs]
    assert any(e.partners for e in entries) and any(e.parts for e in entries)       # the fixture has both
    assert len({e.key for e in entries}) < len(entries)                              # … and a repost
    for n in gen.docs:                   # the answers' terms are those not in the questions (all that is looked up)
        turns = gen.docs[n]["turns"]
        e = ranking.entry(gen, n)
        assert ranking.terms_of(e.answers) == query_terms(" ".join(t["a"] or "" for t in turns)) - \
            ranking.terms_of(e.questions)


def test_stored_rows_of_the_shared_corpus_are_what_reranking_computes(corpus_index):
    assert_rows_match_the_text(corpus_index)


def older_copy(index_dir, tmp_path, name):
    """A copy of an index as an older version wrote it: no `rerank` in its manifest (a stale file may be there)."""
    import json
    import shutil
    copy = tmp_path / name
    shutil.copytree(index_dir, copy, symlinks=True)
    manifest = copy / "current" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["rerank"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    return copy


QUERIES_OF_ROWS = ["rotate signing key downtime", "轮换 签名密钥 不停机", "流言层 丢弃 帧", "gossip frames megabyte",
                   "binaryPath 注入", "jdk17", "rotateAfter relay", "Lantern 中继 keys"]


def test_an_index_without_stored_rows_ranks_exactly_the_same(rows_index, tmp_path):
    import json

    from qa_archive import ranking
    from qa_archive.archive import Archive

    older = older_copy(rows_index, tmp_path, "older")
    damaged = older_copy(rows_index, tmp_path, "damaged")
    manifest = damaged / "current" / "manifest.json"       # says the rows are there, but the file is cut short
    manifest.write_text(json.dumps(dict(json.loads(manifest.read_text(encoding="utf-8")), rerank=ranking.ROWS_FORMAT)),
                        encoding="utf-8")
    rows = damaged / "current" / ranking.ROWS_FILE
    rows.write_bytes(rows.read_bytes()[:-10])
    new, old, cut = Archive(rows_index), Archive(older), Archive(damaged)
    assert ranking.stored_rows(new.current()) is not None
    assert ranking.stored_rows(old.current()) is None and ranking.stored_rows(cut.current()) is None
    for q in QUERIES_OF_ROWS:
        expected = [(h["id"], h["score"]) for h in new.search(q)["hits"]]
        assert expected
        assert [(h["id"], h["score"]) for h in old.search(q)["hits"]] == expected, q
        assert [(h["id"], h["score"]) for h in cut.search(q)["hits"]] == expected, q


def test_rows_file_marks_deleted_documents_and_a_stale_file_is_refused(tmp_path):
    from qa_archive import ranking
    doc = {"id": "a1", "question": "What is relay.keys?", "answer": "x", "turns": [{"q": "What is relay.keys?",
                                                                                   "a": "x"}]}
    path = tmp_path / ranking.ROWS_FILE
    path.write_bytes(ranking.encode_rows([doc, None, dict(doc, id="a2")]))
    rows = ranking.StoredRows(path, entries=2)
    assert rows.get(1) is None
    assert rows.get(0).key == rows.get(2).key == 0
    assert ranking.terms_of(rows.get(0).parts) == ranking.analyse(doc)[3] != set()
    with pytest.raises(ValueError):
        ranking.StoredRows(path, entries=3)          # written for another generation


def test_a_new_generation_analyses_only_the_entries_that_changed(tmp_path, registry, monkeypatch):
    from qa_archive import ranking
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source

    from .conftest import write_post
    root, index_dir = tmp_path / "posts", tmp_path / "index"
    write_post(root, "en/weekly-0510", bilingual(ROWS_EN), title="Lantern Weekly 12", date="2024-05-10")
    write_post(root, "weekly-identifiers", IDENTIFIER_POST)
    ingest([Source(root)], index_dir, registry)
    analysed = []
    real = ranking.analyse
    monkeypatch.setattr(ranking, "analyse", lambda d: analysed.append(d["id"]) or real(d))
    # the Chinese post arrives: its two entries are new, and the English ones change (they gain a translation)
    write_post(root, "zh/weekly-0510", bilingual(ROWS_ZH), title="Lantern 周报 12", date="2024-05-10")
    ingest([Source(root)], index_dir, registry)
    analysed_at_ingest = set(analysed)
    gen = assert_rows_match_the_text(index_dir)
    changed = {d["id"] for d in gen.docs.values() if d.get("translations")}
    assert len(changed) == 4 and analysed_at_ingest == changed and len(gen.docs) > 4


def test_rows_that_disagree_with_todays_analysis_are_not_used(rows_index, tmp_path, monkeypatch):
    """Rows written by a version that analysed differently (and kept the rows format) are checked and refused."""
    import shutil

    from qa_archive import ranking
    from qa_archive.archive import Archive

    copy = tmp_path / "index"
    shutil.copytree(rows_index, copy, symlinks=True)
    real = ranking.analyse
    monkeypatch.setattr(ranking, "analyse", lambda d: (real(d)[0] | {"zzz"},) + real(d)[1:])
    gen = Archive(copy).current()
    assert ranking.stored_rows(gen) is None
    assert " zzz " in ranking.entry(gen, next(iter(gen.docs))).questions
