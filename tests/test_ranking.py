"""Ranking and translations: the answer first, reposts behind their original, the query's language first among
translations, and a question in one language finds the thread written in the other when the archive links them.

The bilingual posts here are our own (a made-up community, "Lantern"), written in the shapes the extractor reads.
"""
from __future__ import annotations

import pytest

from qa_archive import ranking
from qa_archive.archive import Archive
from qa_archive.ingest import ingest, link_key, link_translations
from qa_archive.languages import entry_script, script
from qa_archive.parse import Source
from qa_archive.projects import Registry

from .conftest import write_post

ITEM = """
**@{asker}** 提问：

> {question}

A：{answer}

「Lantern」：[{link}]({link})
"""

EN = [
    ("ana", "How do I rotate the signing key of a Lantern relay without downtime?",
     "Start the relay with both keys loaded, publish the new one, then drop the old key after a day.",
     "https://forum.lantern.example/t/4101"),
    ("ben", "Why does the Lantern gossip layer drop messages larger than one megabyte?",
     "Large frames stall every peer behind them; split the payload into chunks instead.",
     "https://forum.lantern.example/t/4102"),
]
ZH = [
    ("ana", "如何在不停机的情况下轮换 Lantern 中继节点的签名密钥？",
     "先让中继同时加载新旧两把密钥，发布新密钥，一天后再移除旧密钥。",
     "https://forum.lantern.example/t/4101"),
    ("ben", "为什么 Lantern 的流言层会丢弃超过一兆字节的消息？",
     "大帧会阻塞后面所有的对等节点；请把负载拆成小块发送。",
     "https://forum.lantern.example/t/4102/"),
]


def post(items) -> str:
    return "\n### 每周读者问答提炼\n" + "".join(ITEM.format(asker=a, question=q, answer=ans, link=u)
                                              for a, q, ans, u in items)


def entry(eid, text, links, date="2024-05-10", community=None, position=0):
    return {"id": eid, "question": text, "answer": "", "turns": [{"q": text, "a": ""}], "links": links,
            "date": date, "community": community, "position": position}


# ---------------------------------------------------------------------------------------------- linking rule

def test_scripts_tell_chinese_from_english_even_with_english_words_inside():
    assert script("Why is the witness discount a quarter?") == "latin"
    assert script("为什么见证数据（witness）的折扣是四分之一？") == "cjk"
    assert entry_script(entry("x", "PSBT 和 descriptor 有什么关系？", [])) == "cjk"


def test_links_compare_without_scheme_www_fragment_or_trailing_slash():
    assert link_key("https://www.Forum.example/t/1/#answer") == link_key("http://forum.example//t/1")


def test_a_repository_or_home_page_cited_once_in_each_language_pairs_nothing():
    got = link_translations({
        "en": entry("en", "Why can the debug server not be upgraded hot?", ["https://github.com//example/proxy/"]),
        "zh": entry("zh", "代理支持增量订阅配置吗？", ["https://github.com/example/proxy"]),
        "en2": entry("en2", "Is there a roadmap?", ["https://example.org/"]),
        "zh2": entry("zh2", "有路线图吗？", ["https://example.org"]),
    })
    assert got == {}


def test_entries_in_two_scripts_citing_one_specific_link_are_translations():
    got = link_translations({
        "en1": entry("en1", "How are fees estimated?", ["https://q.example/a/1"]),
        "zh1": entry("zh1", "手续费是如何估算的？", ["https://q.example/a/1"]),
        "en2": entry("en2", "What is a sighash?", ["https://q.example/a/2"]),
    })
    assert got == {"en1": ["zh1"], "zh1": ["en1"]}


def test_same_script_other_community_or_generic_links_never_pair():
    repo = "https://github.com/example/project"
    got = link_translations({
        "a": entry("a", "How are fees estimated?", ["https://q.example/a/1"]),
        "b": entry("b", "How are fees computed?", ["https://q.example/a/1"]),            # same script
        "c": entry("c", "手续费是如何估算的？", ["https://q.example/a/1"], community="other"),   # other community
        "e1": entry("e1", "Does it build on ARM?", [repo]),
        "e2": entry("e2", "Does it build on RISC-V?", [repo]),
        "e3": entry("e3", "Does it build on MIPS?", [repo]),
        "z1": entry("z1", "能在 ARM 上编译吗？", [repo]),                                # a repository link cited by
        "z2": entry("z2", "能在 RISC-V 上编译吗？", [repo]),                             # many says nothing
        "z3": entry("z3", "能在 MIPS 上编译吗？", [repo]),
    })
    assert got == {}


def test_a_link_cited_twice_pairs_each_entry_with_its_own_date():
    link = ["https://q.example/a/7"]
    got = link_translations({
        "en-old": entry("en-old", "Is the limit enforced?", link, date="2020-01-07"),
        "en-new": entry("en-new", "Is the limit enforced now?", link, date="2023-03-01"),
        "zh-new": entry("zh-new", "现在会强制执行这个限制吗？", link, date="2023-03-01"),
        "zh-old": entry("zh-old", "这个限制会被强制执行吗？", link, date="2020-01-07"),
    })
    assert got["en-old"] == ["zh-old"] and got["en-new"] == ["zh-new"]


def test_an_item_that_cites_nothing_pairs_by_its_place_in_posts_already_paired():
    def at(eid, text, links, source, position):
        return dict(entry(eid, text, links, position=position), source=source)
    got = link_translations({
        "e0": at("e0", "What is a nonce?", ["https://q.example/a/1"], "en/p.md", 0),
        "e1": at("e1", "Several questions about fee bumping", [], "en/p.md", 1),
        "e2": at("e2", "Why do blocks vary in size?", ["https://q.example/a/3"], "en/p.md", 2),
        "z0": at("z0", "什么是随机数？", ["https://q.example/a/1"], "zh/p.md", 0),
        "z1": at("z1", "关于手续费追加的几个问题", [], "zh/p.md", 1),
        "z2": at("z2", "为什么区块大小不一？", ["https://q.example/a/3"], "zh/p.md", 2),
        "x9": at("x9", "另一篇里没有链接的问题", [], "zh/other.md", 1),
    })
    assert got["e1"] == ["z1"] and "x9" not in got


# ---------------------------------------------------------------------------------------------- ingest

@pytest.fixture
def lantern(tmp_path):
    root = tmp_path / "lantern"
    write_post(root, "en/weekly-0510", post(EN), title="Lantern Weekly 12", date="2024-05-10")
    return root


def test_translations_are_linked_at_ingest_and_found_across_languages(lantern, tmp_path):
    write_post(lantern, "zh/weekly-0510", post(ZH), title="Lantern 周报 12", date="2024-05-10")
    index = tmp_path / "index"
    ingest([Source(lantern)], index, Registry.load())
    archive = Archive(index)
    gen = archive.current()
    by_q = {d["question"]: d for d in gen.docs.values()}
    en, zh = by_q[EN[0][1]], by_q[ZH[0][1]]
    assert en["translations"] == [zh["id"]] and zh["translations"] == [en["id"]]
    assert archive.get(en["id"])["translations"] == [zh["id"]]          # the entry dict shows the link
    # words only the Chinese item has find the English thread too, and the Chinese one comes first
    hits = archive.search("轮换 签名密钥 不停机", limit=5)["hits"]
    assert [h["id"] for h in hits[:2]] == [zh["id"], en["id"]]
    # and the reverse: an English question finds its Chinese translation, after the English thread
    hits = archive.search("rotate signing key downtime", limit=5)["hits"]
    assert [h["id"] for h in hits[:2]] == [en["id"], zh["id"]]
    # naming the fields searches only the thread's own text
    assert [h["id"] for h in archive.search("轮换 签名密钥 in:question")["hits"]] == [zh["id"]]


def test_an_unchanged_post_gains_and_loses_its_partner_as_the_other_language_comes_and_goes(lantern, tmp_path):
    index = tmp_path / "index"
    registry = Registry.load()
    ingest([Source(lantern)], index, registry)
    assert not any(d.get("translations") for d in Archive(index).current().docs.values())

    zh_post = write_post(lantern, "zh/weekly-0510", post(ZH), title="Lantern 周报 12", date="2024-05-10")
    report = ingest([Source(lantern)], index, registry)
    assert report.posts_read == 1 and report.posts_unchanged == 1
    archive = Archive(index)
    linked = {d["question"]: d.get("translations") for d in archive.current().docs.values()}
    assert all(linked[q] for _, q, _, _ in EN + ZH)
    assert archive.current().count == 4                                  # rewritten, not duplicated
    assert archive.search("流言层 丢弃 消息")["hits"][1]["question"] == EN[1][1]

    zh_post.unlink()
    ingest([Source(lantern)], index, registry)
    archive = Archive(index)
    assert archive.current().count == 2
    assert not any(d.get("translations") for d in archive.current().docs.values())
    assert archive.search("流言层 丢弃 消息")["total"] == 0


def test_a_post_read_again_without_its_links_unpairs_and_is_written_once(lantern, tmp_path):
    # its threads no longer cite a specific link, so they are written as soon as they are read, not after linking
    # (kept under another name than the English post: at the same path they would stay paired by place)
    index = tmp_path / "index"
    registry = Registry.load()
    write_post(lantern, "zh/zhoubao-0510", post(ZH), title="Lantern 周报 12", date="2024-05-10")
    ingest([Source(lantern)], index, registry)
    assert all(d.get("translations") for d in Archive(index).current().docs.values())
    write_post(lantern, "zh/zhoubao-0510", post([(a, q, ans, "") for a, q, ans, _ in ZH]), title="Lantern 周报 12",
               date="2024-05-10")
    report = ingest([Source(lantern)], index, registry)
    assert report.posts_read == 1 and report.posts_unchanged == 1
    docs = list(Archive(index).current().docs.values())
    assert len(docs) == 4 and len({d["id"] for d in docs}) == 4
    assert not any(d.get("translations") for d in docs)


# ---------------------------------------------------------------------------------------------- re-ranking

def test_a_reposted_question_stands_behind_its_original():
    # scores: a repost (key q, newer) scored best, its original (key q, older) second, another thread third
    order = ranking.arrange([0.9, 0.8, 0.85], ["q", "q", "r"], ["2022-02-01", "2021-12-01", "2023-01-01"])
    assert order == [1, 0, 2]


def test_ties_between_different_threads_go_to_the_newer_one():
    order = ranking.arrange([0.5, 0.7, 0.5], ["a", "b", "c"], ["2019-01-01", "2018-01-01", "2023-01-01"])
    assert order == [1, 2, 0]


def first_asker(tmp_path, threads: list[tuple[str, str, str]], query: str) -> str:
    """Who asked the first hit for `query` in an archive of one post per (asker, question, answer)."""
    root = tmp_path / "p"
    for n, (asker, question, answer) in enumerate(threads):
        write_post(root, f"post{n}", post([(asker, question, answer, f"https://x.example/{n}")]))
    index = tmp_path / "index"
    ingest([Source(root)], index, Registry.load())
    return Archive(index).search(query)["hits"][0]["asker"]


def test_words_as_written_and_side_by_side_lift_the_thread_that_asks_exactly_that(tmp_path):
    assert first_asker(tmp_path, [("u1", "分库 之后 怎么 分表？ 回滚 也 会 失败 吗", "看情况。"),
                                  ("u2", "分库分表 之后 分支事务 回滚 失败", "要用代理数据源。")],
                       "分库分表 回滚 失败") == "u2"


def test_a_chinese_abbreviation_finds_the_words_it_shortens(tmp_path):
    # `断连` is `断开连接` shortened: no bigram in common, the characters in order a little apart
    assert ranking.abbreviation("断连").search("tm和tc断开连接之后")
    assert not ranking.abbreviation("断连").search("断了以后重新连接")      # too far apart
    assert ranking.abbreviation("seata") is None and ranking.abbreviation("断") is None
    assert first_asker(tmp_path, [("u1", "回滚失败怎么办？", "看回滚日志，回滚记录在 undo_log 表里。"),
                                  ("u2", "TM 和 TC 断开连接之后，全局事务还会回滚吗？", "会，超时后回滚。"),
                                  ("u3", "客户端频繁断连怎么排查？", "先看心跳日志。")],
                       "断连 回滚") == "u2"


def test_export_and_import_keep_the_translations(lantern, tmp_path):
    from click.testing import CliRunner

    from qa_archive.cli import cli

    write_post(lantern, "zh/weekly-0510", post(ZH), title="Lantern 周报 12", date="2024-05-10")
    index, other = tmp_path / "index", tmp_path / "other"
    ingest([Source(lantern)], index, Registry.load())
    dump = tmp_path / "all.jsonl"
    assert CliRunner().invoke(cli, ["export", "--index", str(index), "-o", str(dump)]).exit_code == 0
    assert CliRunner().invoke(cli, ["import", str(dump), "--index", str(other)]).exit_code == 0
    before = {d["id"]: d.get("translations") for d in Archive(index).current().docs.values()}
    after = {d["id"]: d.get("translations") for d in Archive(other).current().docs.values()}
    assert after == before and all(after.values())


# ---------------------------------------------------------------------------------------------- by meaning

def test_the_meaning_step_acts_only_where_the_words_leave_the_leader_close():
    step = ranking.MeaningStep(weight=4.0, depth=3, gate=0.15)
    assert step.wanted([2.0, 1.9])                  # 5% behind: close
    assert not step.wanted([2.0, 1.5])              # 25% behind: the words decided
    assert not step.wanted([2.0])                   # nothing to re-order
    ranked = [(2.0, 10), (1.9, 11), (1.8, 12), (1.0, 13)]
    # the runner-up means what was asked: it leads; the fourth is beyond the depth and stays last
    assert step.reorder(ranked, [0.80, 0.86, 0.79]) == [(1.9, 11), (2.0, 10), (1.8, 12), (1.0, 13)]
    # alike in meaning: the words' order stands
    assert step.reorder(ranked, [0.8, 0.8, 0.8]) == ranked


def test_search_asks_for_meaning_only_when_close_and_keeps_the_lexical_scores():
    from qa_archive.search import by_meaning
    asked = []

    def meaning(docnums):
        asked.append(docnums)
        return [0.0, 0.5][:len(docnums)]
    step = ranking.MeaningStep(weight=4.0, depth=5, gate=0.15)
    assert by_meaning([(3.0, 1), (1.0, 2)], meaning, step) == [(3.0, 1), (1.0, 2)] and asked == []
    assert by_meaning([(3.0, 1), (2.9, 2)], meaning, step) == [(2.9, 2), (3.0, 1)] and asked == [[1, 2]]
    assert by_meaning([(3.0, 1), (2.9, 2)], None, step) == [(3.0, 1), (2.9, 2)]
    assert by_meaning([(3.0, 1)], meaning, step) == [(3.0, 1)] and len(asked) == 1     # nothing to re-order
