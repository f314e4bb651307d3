"""Hostile input: property-based tests of the extractor, a generated nasty corpus, and fuzzed HTTP parameters.
Nothing here is committed as data: every file is made in a temporary folder by the test."""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_archive.extract import extract
from qa_archive.index import all_threads
from qa_archive.ingest import ingest
from qa_archive.models import Post, fold
from qa_archive.parse import Source
from qa_archive.web import create_app

from .conftest import write_post

WORD = st.text(alphabet="数据库集群配置超时选举快照事务回滚注册中心abcdefxyz0123456789 ", min_size=1, max_size=24)
NAME = st.text(alphabet="张王李赵abcxyz-_0123", min_size=1, max_size=8)


@st.composite
def item(draw, n):
    name = draw(NAME)
    marker = draw(st.sampled_from([f"**@{name}** 提问：", f"**{n}、@{name}** 提问：", f"{n}、@{name} 提问：",
                                   f"**{n}.@{name}** #{n}", f"**{n}. {name}** 提问："]))
    question = draw(WORD)
    answers = draw(st.lists(WORD, min_size=1, max_size=3))
    extra = draw(st.sampled_from(["", "\n![](https://example.com/i.png)\n", "\n- 列表项\n- 第二项\n",
                                  "\n```\ncode line\n```\n", "<br />"]))
    link = draw(st.sampled_from(["", "「SOFARegistry」：[https://github.com/sofastack/sofa-registry](https://github"
                                     ".com/sofastack/sofa-registry)", "MOSN：[https://github.com/mosn/mosn](https://"
                                                                     "github.com/mosn/mosn)"]))
    body = f"{marker}\n\n> Q{n}问 {question}\n\n" + "\n\n".join(f"A：A{n}答{i} {a}" for i, a in enumerate(answers))
    return body + f"\n{extra}\n\n{link}\n\n", [f"A{n}答{i} {a}" for i, a in enumerate(answers)]


@st.composite
def post(draw):
    items = [draw(item(n)) for n in range(1, draw(st.integers(1, 5)) + 1)]
    noise = draw(st.sampled_from(["", "**本周推荐阅读**\n\n- [x](https://example.com)\n", "---\n", "<div>html</div>\n",
                                  "> 一段引用\n", "### 本周发布\n\n1. 发布 v1\n"]))
    body = "### 每周读者问答提炼\n\n" + "".join(b for b, _ in items) + "\n" + noise
    return body, [a for _, answers in items for a in answers]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post())
def test_extractor_keeps_every_answer_and_invents_no_text(registry, generated):
    body, answers = generated
    threads, _ = extract(Post(source="p.md", title="t", date=None, body=body), registry)
    folded_body = fold(body)
    extracted = fold(" ".join(t.a or "" for th in threads for t in th.turns))
    for a in answers:                                  # never loses an answer paragraph that follows `A：`
        assert fold(a) in extracted
    for th in threads:                                 # never yields text that is not in the post
        for t in th.turns:
            for line in (t.q + "\n" + (t.a or "")).split("\n"):
                assert fold(line) in folded_body


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("*_>#-`[]()!<>：:@、.123 \nA提问答「」abc数据") + ["<br />", "```", "**@",
                                                                                  "\n> ", "\nA：", "提问："]),
                max_size=200))
def test_random_markdown_never_crashes_the_extractor(registry, pieces):
    extract(Post(source="p.md", title="t", date=None, body="".join(pieces)), registry)


def test_a_nasty_corpus_is_ingested_in_bounded_time_and_each_bad_file_reported(tmp_path, registry):
    root = tmp_path / "nasty"
    good = write_post(root, "名字 with spaces 'quotes' \"double\" & 符号", "**@甲** 提问：\n\n> Seata 好用吗？\n\nA：好用。\n")
    write_post(root, "deep-lists", "\n".join("  " * i + "- 层" for i in range(400)) + "\n\n" + ">" * 300 + " 深\n")
    write_post(root, "deep-quote", "**@乙** 提问：\n\n" + "> " * 200 + "问？\n\nA：答。\n")
    (root / "huge-line.md").write_bytes(b"---\ntitle: x\n---\n" + b"x" * (10 * 1024 * 1024))
    (root / "long-line.md").write_text("---\ntitle: y\n---\n**@丙** 提问：\n\n> 长？\n\nA：" + "长" * 300_000 + "\n",
                                       encoding="utf-8")
    (root / "nul.md").write_bytes(b"---\ntitle: n\n---\n\0\0\0 binary")
    (root / "random.md").write_bytes(bytes((i * 7919 + 13) % 251 + 1 for i in range(4096)))   # no NUL, not text
    (root / "gbk.md").write_bytes("---\ntitle: 中文\n---\n**@丁** 提问：\n\n> 问\n\nA：答\n".encode("gbk"))
    (root / "utf16.md").write_bytes("---\ntitle: u\n---\n问答".encode("utf-16"))
    bomb = "---\n" + "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ["lol"] * 9) + "]\n"
                             for i in range(9)) + "title: bomb\n---\n**@戊** 提问：\n\n> 炸？\n\nA：不炸。\n"
    write_post(root, "yaml-bomb", "", front=bomb)
    os.symlink(root, root / "loop")                                  # a symlink loop
    os.symlink(root / "missing", root / "dangling.md")
    tiny = root / "tiny"
    for n in range(1500):
        write_post(tiny, f"t{n:04d}", f"**@t{n}** 提问：\n\n> 问题 {n}？\n\nA：回答 {n}。\n")

    report = ingest([Source(root)], tmp_path / "ix", registry)
    problems = {source: message for source, message, _ in report.problems}
    assert "huge-line.md" in problems and "limit" in problems["huge-line.md"]
    assert "not a text file" in problems["nul.md"] and "UTF-8" in problems["gbk.md"]
    assert "not a text file" in problems["random.md"]
    warned = {source: message for source, message in report.warnings}
    assert "alias" in warned["yaml-bomb/index.md"] and "not expanded" in warned["yaml-bomb/index.md"]
    assert "utf16.md" in problems
    assert "broken symbolic link" in problems["dangling.md"]
    askers = {t.asker for t in all_threads(tmp_path / "ix")}
    assert {"甲", "乙", "丙", "戊", "t0", "t1499"} <= askers
    assert report.added == 1500 + 4
    assert not any(p.startswith("loop/") for p in problems)          # the loop was not followed
    assert good.exists()


HOSTILE = st.one_of(st.text(max_size=80), st.sampled_from([
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "%00", "../../etc/passwd",
    "' OR 1=1 --", "a" * 5000, "\u202e\u0000\ud7ff", "project:", "after:9999-99-99", "year:-1", "-", '"', "((((("]))


@pytest.fixture(scope="module")
def fuzz_client(sample_index):
    return create_app(sample_index, {"TESTING": True}).test_client()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=HOSTILE, project=HOSTILE, page=HOSTILE, limit=HOSTILE, sort=HOSTILE, year=HOSTILE, after=HOSTILE)
def test_fuzzed_search_parameters_never_500_or_inject(fuzz_client, q, project, page, limit, sort, year, after):
    params = {"q": q, "project": project, "page": page, "limit": limit, "sort": sort, "year": year, "after": after}
    for path in ("/api/search", "/search"):
        r = fuzz_client.get(path, query_string=params)
        assert r.status_code < 500, (path, params, r.text[:300])
        assert "Traceback" not in r.text
        if path == "/search":
            assert not re.search(r"<script|<img src=x", r.text)          # escaped text is fine


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=HOSTILE, text=HOSTILE)
def test_fuzzed_paths_and_similar_never_500(fuzz_client, segment, text):
    from urllib.parse import quote
    for path in (f"/q/{quote(segment, safe='')}", f"/p/{quote(segment, safe='')}",
                 f"/api/entries/{quote(segment, safe='')}", f"/p/{quote(segment, safe='')}/feed.atom"):
        r = fuzz_client.get(path)
        assert r.status_code < 500 and "Traceback" not in r.text, path
    r = fuzz_client.get("/api/similar", query_string={"text": text, "limit": segment})
    assert r.status_code < 500
    r = fuzz_client.post("/api/similar", json={"text": text, "limit": 3, "project": segment})
    assert r.status_code < 500
