"""The one definition of "found the gold thread", and the figures built on it."""
from __future__ import annotations

from qa_archive.evaluation import Gold, match_entries, matches, mrr, rank_of, recall_at, summary


def test_a_hit_matches_by_post_and_question_or_asker():
    gold = Gold("a/index.md", question="Seata 的 AT 模式需要 undo_log 表吗？", asker="小明")
    assert matches({"source": "a/index.md", "question": "seata的AT模式需要undo_log表吗"}, gold)
    assert not matches({"source": "b/index.md", "question": gold.question}, gold)
    assert not matches({"source": "a/index.md", "question": "MOSN 的热升级会断连接吗？"}, gold)
    by_asker = Gold("a/index.md", asker="小明")
    assert matches({"source": "a/index.md", "asker": "小明", "question": "x"}, by_asker)


def test_ranks_recall_and_mrr():
    gold = Gold("a", asker="x")
    hits = [{"source": "b", "asker": "x"}, {"source": "a", "asker": "x"}]
    assert rank_of(hits, gold) == 2 and rank_of([], gold) is None
    ranks = [1, 2, None, 11]
    assert recall_at(ranks, 1) == 0.25 and recall_at(ranks, 5) == 0.5
    assert mrr(ranks, 10) == (1 + 0.5) / 4
    assert summary(ranks) == {"n": 4, "recall@1": 0.25, "recall@5": 0.5, "mrr@10": 0.375}


def test_gold_items_pair_with_entries_once():
    golds = [Gold("a", question="问题一是什么"), Gold("a", question="问题二是什么"), Gold("a", question="没有的问题")]
    entries = [{"source": "a", "question": "问题一是什么？"}, {"source": "a", "question": "问题二是什么"},
               {"source": "a", "question": "多出来的"}, {"source": "c", "question": "问题一是什么"}]
    pairs, missed, extra = match_entries(golds, entries)
    assert [e["question"] for _, e in pairs] == ["问题一是什么？", "问题二是什么"]
    assert missed == [golds[2]] and [e["question"] for e in extra] == ["多出来的"]


def test_a_threads_translation_answers_a_question_about_it():
    from qa_archive.evaluation import Gold, answering, rank_in
    entries = [{"id": "zh1", "source": "content/zh/blog/w1/index.md", "question": "jitter 能设置多大？",
                "translations": ["en1"]},
               {"id": "en1", "source": "content/en/blog/w1/index.md", "question": "How large can jitter be?",
                "translations": ["zh1"]},
               {"id": "zh2", "source": "content/zh/blog/w1/index.md", "question": "能不能倒序补数据？"}]
    ids = answering(entries, Gold("content/zh/blog/w1/index.md", "jitter 能设置多大？"))
    assert ids == {"zh1", "en1"}
    assert rank_in([{"id": "zh2"}, {"id": "en1"}], ids) == 2 and rank_in([{"id": "zh2"}], ids) is None
    assert answering(entries, Gold("content/zh/blog/w1/index.md", "能不能倒序补数据？")) == {"zh2"}
