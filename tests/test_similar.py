"""Finding the prior answer to a new question: long pastes, empty input, mixed languages, the reply text."""
from __future__ import annotations

import pytest

from qa_archive.search import QueryError
from qa_archive.similar import MAX_TERMS, prose, reply_markdown


def test_a_20kb_log_paste_is_reduced_to_its_prose(sample_archive):
    log = "\n".join(f"2024-05-01 12:00:{i % 60:02d} ERROR [main] c.a.s.r.Foo - connect failed\n"
                    f"    at com.alipay.sofa.rpc.client.Bar.call(Bar.java:{i})" for i in range(250))
    text = "大家好，SOFAJRaft 节点启动时报错，日志如下：\n```\n" + log + "\n```\n" + log + "\n请问 RocksDB 目录被占用怎么办？"
    assert len(text) > 20_000
    assert "at com.alipay" not in prose(text)
    res = sample_archive.similar(text, limit=3)
    assert len(res["terms"]) <= MAX_TERMS
    assert res["hits"][0]["asker"] == "wangqi-oss"


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_input_is_refused(sample_archive, text):
    with pytest.raises(QueryError, match="empty"):
        sample_archive.similar(text)


def test_mixed_language_question(sample_archive):
    res = sample_archive.similar("Nydus image 第一次读文件 lazy loading 很慢，有 prefetch 的办法吗？", limit=3)
    assert res["hits"][0]["projects"] == ["Nydus"]


def test_an_unrelated_question_is_not_confident(sample_archive):
    res = sample_archive.similar("React 18 的 useEffect 为什么在开发模式下执行两次？", limit=3)
    assert not any(h["confident"] for h in res["hits"])


def test_markdown_reply_lists_confident_matches_in_the_question_language():
    hits = [{"id": "a1", "question": "Seata 悬挂怎么处理？", "date": "2021-09-17", "confident": True},
            {"id": "b2", "question": "别的", "date": "2020-01-01", "confident": False}]
    zh = reply_markdown("Seata 的悬挂问题", hits, lambda h: f"https://qa.example/q/{h['id']}")
    assert zh.startswith("这个问题之前有人问过") and "https://qa.example/q/a1" in zh and "b2" not in zh
    assert "(2021-09-17)" in zh
    en = reply_markdown("How do I handle hanging in Seata TCC?", hits, lambda h: h["id"])
    assert en.startswith("This was answered before")
    assert reply_markdown("x", [dict(hits[1])], lambda h: h["id"]) == ""


def test_the_example_bot_replies_only_when_confident(sample_index):
    import json
    import subprocess
    import sys

    from .conftest import REPO
    bot = [sys.executable, str(REPO / "examples" / "answer_bot.py"), "--index", str(sample_index)]
    event = json.dumps({"issue": {"title": "Seata TCC 悬挂", "body": "Cancel 比 Try 先到达参与者怎么办？业务上怎么防"}})
    reply = subprocess.run(bot + ["--webhook"], input=event, capture_output=True, text=True, check=True).stdout
    assert reply.startswith("这个问题之前有人问过") and "/q/" in reply
    silent = subprocess.run(bot, input="Kafka consumer 怎么 rebalance?", capture_output=True, text=True, check=True)
    assert silent.stdout == ""
    missing = subprocess.run(bot[:2] + ["--index", "/nonexistent"], input="x", capture_output=True, text=True)
    assert missing.returncode == 1 and "no index" in missing.stderr and "Traceback" not in missing.stderr
