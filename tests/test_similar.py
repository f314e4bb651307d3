"""Finding the prior answer to a new question: long pastes, empty input, mixed languages, the reply text."""
from __future__ import annotations

import pytest

from qa_archive.search import QueryError
from qa_archive.similar import MAX_TERMS, machine_output, prose, reply_markdown


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


LONG_ONE_LINE = (
    "大家好，我们团队最近在生产环境把订单服务和库存服务接入了 Seata 的 TCC 模式，版本是 1.4.2，注册中心用的 Nacos，"
    "数据库是 MySQL 5.7。压测的时候发现一个很奇怪的现象：网络抖动比较厉害的时候，有些全局事务在超时之后发起了回滚，"
    "Cancel 请求反而比 Try 先到达了库存服务这个参与者，Cancel 因为找不到 Try 留下的冻结记录，只能直接返回成功；"
    "可是过了几秒钟，迟到的 Try 又被执行了，把库存冻结了一份，这份冻结之后再也没有人去释放，库存就这样一直少了一块，"
    "对账的时候才发现。我们查了一些资料，好像这种情况叫做悬挂，但是不太确定我们的理解对不对。想请教一下各位："
    "这种 Cancel 比 Try 先到的情况具体会造成什么问题？业务上应该怎么防止？是不是要在空回滚的时候记录一个标记，"
    "然后在 Try 里面先检查这个标记？这个标记应该放在哪里，需要和业务数据放在同一个库、同一个本地事务里面吗？"
    "另外 Seata 新版本里面有没有自带的防悬挂机制可以直接打开使用？谢谢大家！")


def test_a_long_question_on_one_line_is_kept(sample_archive):
    """A search box drops line breaks: a 450-character question arrives as one line and is still read."""
    assert "\n" not in LONG_ONE_LINE and len(LONG_ONE_LINE) >= 450
    assert not machine_output(LONG_ONE_LINE) and "悬挂" in prose(LONG_ONE_LINE)
    hits = sample_archive.similar(LONG_ONE_LINE, limit=3)["hits"]
    assert hits and hits[0]["asker"] == "ray-huang"
    english = ("Hello everyone, we run Seata in TCC mode and under network jitter a Cancel sometimes reaches the "
               "participant before its Try does; the late Try then freezes stock that nobody releases. ") * 3
    assert len(english) > 400 and not machine_output(english)


def test_long_machine_output_on_one_line_is_dropped():
    import base64
    blob = base64.b64encode(bytes(range(256)) * 2).decode()                   # no spaces, no Chinese
    payload = '{"xid":"192.168.0.1:8091:2612341","branchId":2612342,"status":3,' * 8    # a minified payload
    dump = " ".join(f"0x{i:08x}" for i in range(60))                              # hex with spaces
    for line in (blob, payload, dump):
        assert len(line) >= 400 and machine_output(line), line[:40]
        assert line[:30] not in prose(f"Seata 悬挂怎么处理？\n{line}\n")


def test_a_repost_of_the_same_question_does_not_make_the_answer_look_unsure(tmp_path, monkeypatch):
    # the same thread copied into two posts: the margin is over the best *other* thread, not over the copy
    from qa_archive import similar
    from qa_archive.archive import Archive
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry

    from .conftest import write_post
    monkeypatch.setenv("QA_ARCHIVE_EMBEDDER", "none")
    item = ("\n### 本周问答\n\n**@{a}** 提问：\n\n> {q}\n\nA：{ans}\n")
    same = item.format(a="lin", q="Layotto 的 wasm 插件 热更新 之后 旧实例 什么时候 回收？",
                       ans="新实例就绪后，旧实例处理完在途请求再回收。")
    other = item.format(a="zhou", q="Layotto 怎么 配置 Redis 状态存储？", ans="在 config.json 的 state 里写 redis。")
    root = tmp_path / "posts"
    write_post(root, "a", same + other, date="2024-05-10")
    write_post(root, "b", same, date="2024-06-14")
    ingest([Source(root)], tmp_path / "index", Registry.load())
    gen, searcher = Archive(tmp_path / "index").view()
    text = "wasm 插件 热更新 后 旧实例 何时 回收"
    found = similar.candidates(gen, searcher, text)
    order = similar.ranked(found["cands"])
    assert gen.docs[order[0]["docnum"]]["question"] == gen.docs[order[1]["docnum"]]["question"]   # the copy is 2nd
    feats, _ = similar.top_features(gen, text, found, order)
    third = order[2]["lex"] if len(order) > 2 else 0.0
    assert feats["lex_margin"] == pytest.approx(order[0]["lex"] - third) and feats["lex_margin"] > 0


def test_a_chinese_thread_that_quotes_a_command_is_still_chinese():
    from qa_archive.confidence import chinese, chinese_thread
    thread = ("请问一下，MOSN 的国密 TLS 支持，是不是先用 --prefix=/usr/local/BabaSSL/linux_BabaSSL_lib 构建 BabaSSL，"
              "然后用 CGO_ENABLED=1 go build -tags BabaSSL 编译？")
    assert not chinese(thread)              # counted word against character, the Latin words win
    assert chinese_thread(thread)           # but it is a Chinese thread: a Chinese question's words can be in it
    assert not chinese_thread("How do I enable TLS in MOSN? Build BabaSSL with --prefix and go build -tags.")


def _many_threads(tmp_path, monkeypatch, n):
    from qa_archive.archive import Archive
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry

    from .conftest import write_post
    monkeypatch.setenv("QA_ARCHIVE_EMBEDDER", "hash")
    monkeypatch.delenv("QA_ARCHIVE_CONFIDENT_AT", raising=False)
    item = "\n### 本周问答\n\n**@u{i}** 提问：\n\n> {q}\n\nA：{a}\n"
    topics = ["限流", "熔断", "重试", "超时", "路由", "鉴权", "日志", "指标", "链路", "灰度", "压测", "缓存", "分片",
              "选举", "快照"]
    body = "".join(item.format(i=i, q=f"SOFARPC 的{t}要怎么配置？第{i}个问题。", a=f"{t}在 rpc-config.json 里设置，编号 {i}。")
                   for i, t in enumerate(topics[:n]))
    root = tmp_path / "posts"
    write_post(root, "a", body)
    ingest([Source(root)], tmp_path / "index", Registry.load())
    return Archive(tmp_path / "index")


def _top_features(archive, text):
    """The candidates of `text`, best first, and the top one's confidence features."""
    from qa_archive import embed, similar
    gen, searcher = archive.view()
    found = similar.candidates(gen, searcher, text, embedder=embed.get())
    order = similar.ranked(found["cands"])
    return gen, found, order, similar.top_features(gen, text, found, order)[0]


def test_sem_gap_is_the_top_threads_lead_over_the_tenth_other_thread(tmp_path, monkeypatch):
    from qa_archive import confidence, similar
    archive = _many_threads(tmp_path, monkeypatch, 15)
    text = "SOFARPC 的熔断怎么配置"
    gen, found, order, feats = _top_features(archive, text)
    others = sorted((similar.semantic(c) for c in order[1:] if not similar.same_question(gen, found, order[0], c)),
                    reverse=True)
    assert len(others) >= confidence.GAP_RANK
    assert feats["sem_gap"] == pytest.approx(similar.semantic(order[0]) - others[confidence.GAP_RANK - 1])
    assert feats["sem_margin"] == pytest.approx(similar.semantic(order[0]) - others[0])
    assert feats["sem_gap"] >= feats["sem_margin"]
    res = archive.similar(text, limit=3)
    assert 0.0 <= res["hits"][0]["confidence"] <= 1.0


def test_sem_gap_with_few_threads_is_over_the_last_one(tmp_path, monkeypatch):
    from qa_archive import similar
    archive = _many_threads(tmp_path, monkeypatch, 4)
    _, _, order, feats = _top_features(archive, "SOFARPC 的熔断怎么配置")
    last = min(similar.semantic(c) for c in order[1:])
    assert len(order) == 4 and feats["sem_gap"] == pytest.approx(similar.semantic(order[0]) - last)


def test_with_no_other_thread_there_is_no_margin_and_no_gap(tmp_path, monkeypatch):
    """A one-thread archive: the thread stands out of nothing, so the semantic margin and gap say nothing."""
    from qa_archive import embed, similar
    archive = _many_threads(tmp_path, monkeypatch, 1)
    gen, searcher = archive.view()
    text = "SOFARPC 的限流怎么配置"
    found = similar.candidates(gen, searcher, text, embedder=embed.get())
    order = similar.ranked(found["cands"])
    feats, _ = similar.top_features(gen, text, found, order)
    assert len(order) == 1 and feats["sem_margin"] == 0.0 and feats["sem_gap"] == 0.0
    assert feats["cos_question"] > 0


def test_a_held_out_question_set_takes_every_post_it_touches_with_it():
    """Leave-one-set-out (a new writer): nothing the held-out set asks about is fitted on, whoever asked it."""
    import sys

    from .conftest import REPO
    sys.path.insert(0, str(REPO / "scripts"))
    from eval_similar import set_splits

    sets = ["dev", "dev", "blind", "blind", "gold"]
    posts = ["p1", "p2", "p2", "p3", "p4"]
    splits = {name: (train, test) for name, train, test in set_splits(sets, posts)}
    assert sorted(splits) == ["blind", "dev", "gold"]
    train, test = splits["blind"]
    assert test == [False, False, True, True, False]
    assert train == [True, False, False, False, True]          # dev's p2 question goes: blind asks about p2 too
    train, test = splits["dev"]
    assert train == [False, False, False, True, True]
    assert not any(a and b for a, b in zip(*splits["gold"], strict=True))


@pytest.mark.parametrize(("text", "kinds"), [
    ("JRaft 的线性一致读默认超时时间是多少？在哪个配置项里改？", {"amount", "which"}),
    ("为什么读失败了要应用到状态机呢", {"why"}),
    ("Seata 里 AT 跟 Saga 到底差在哪？", {"difference", "which"}),
    ("Go 是静态链接到 Envoy 么？", {"yes_no"}),
    ("We run rheakv in a Java service. Is it mature enough for production?", {"yes_no"}),
    ("How do I roll back a Helm release?", {"how"}),
    ("Layotto 的锁服务", set()),
])
def test_asks_reads_the_kind_of_answer_a_question_wants(text, kinds):
    from qa_archive.confidence import asks
    assert asks(text) == kinds


def test_ask_match_tells_a_question_asking_for_the_same_thing_from_one_asking_something_else():
    from qa_archive.confidence import ask_match
    thread = "请问 SOFAJRaft 线性读为什么读失败了要应用到状态机？"
    assert ask_match("SOFAJRaft 线性读失败后为啥还要过一遍状态机？", thread) == 1.0
    assert ask_match("JRaft 线性读的默认超时是多少？在哪里配置？", thread) == 0.0
    assert ask_match("Layotto 的锁服务", "MOSN 的配置") == 0.0          # neither asks: nothing in common either
    assert 0.0 < ask_match("能不能配置？怎么配？", "怎么配置？") < 1.0


def test_the_top_hit_is_scored_with_whether_it_asks_the_same_thing(sample_archive, monkeypatch):
    from qa_archive import confidence
    seen = []
    real = confidence.features

    def spy(*args, **kwargs):
        seen.append(kwargs.get("ask_match"))
        return real(*args, **kwargs)
    monkeypatch.setattr(confidence, "features", spy)
    sample_archive.similar("SOFAJRaft 节点启动时 RocksDB 目录被占用怎么办？", limit=3)
    assert seen and seen[0] is not None and 0.0 <= seen[0] <= 1.0


def test_asks_reads_the_question_at_either_end_of_a_long_post():
    from qa_archive.confidence import ASK_CHARS, asks
    filler = "背景说明。" * (ASK_CHARS // 2)
    assert asks("默认超时是多少？" + filler) == {"amount"}
    assert asks(filler + "为什么会超时？") == {"why"}


def test_words_keep_the_question_words_that_prose_drops():
    from qa_archive.similar import words
    text = "请问为什么启动失败？\n```\nat com.foo.Bar.run(Bar.java:1)\n```\nhttps://example.com/x"
    assert "为什么" in words(text) and "为什么" not in prose(text)
    assert "com.foo" not in words(text) and "example.com" not in words(text)


def test_key_terms_keep_identifiers_whole_and_drop_single_letters(sample_archive):
    # the API's reasons name the words a bot can explain itself with: `undo_log`, not `undo` and `log`; and
    # `I'm ... e.g.` gives no words at all
    res = sample_archive.similar("I'm asking e.g. whether Seata's undo_log table and sofa-registry 5.4 work on Node.js",
                                 limit=1)
    assert {"undo_log", "sofa-registry", "node.js"} <= set(res["terms"])
    assert not [t for t in res["terms"] if len(t) < 2 or t in ("e.g", "undo", "log", "js")]
    hit = res["hits"][0]
    assert set(hit["matched_terms"]) | set(hit["unmatched_terms"]) == set(res["terms"])


def _mostly_english_archive(tmp_path, monkeypatch):
    """Six English threads and two Chinese ones, matched by words alone (no model)."""
    from qa_archive.archive import Archive
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry

    from .conftest import write_post
    monkeypatch.setenv("QA_ARCHIVE_EMBEDDER", "none")
    item = "\n### Reader questions\n\n**@{a}** asks:\n\n> {q}\n\nA: {ans}\n"
    english = [
        ("How do I tune compaction for an SD card or another slow disk?",
         "Set compaction_threads to 1 and raise write_buffer_mb so the SD card sees fewer, larger writes."),
        ("How do I back up a database to S3?", "Run `fjordctl backup create --target s3://bucket/path`."),
        ("What block cache size do you recommend?", "Start at a quarter of the memory and watch the hit rate."),
        ("Does Fjord run on FreeBSD?", "Yes, from 1.2; the ports tree has a package."),
        ("How do I count the keys under a prefix quickly?", "Use `count_prefix()`, which reads the index only."),
        ("Why does opening the database take long after a crash?", "The write-ahead log is replayed on open."),
    ]
    chinese = [
        ("数据库用了一段时间以后整个系统很卡，CPU 很高，这正常吗？", "这是 tiered 模式合并时的正常表现，夜里会自己降下来。"),
        ("备份文件可以放到别的机器上恢复吗？", "可以，把整个目录拷过去，用 restore 命令恢复。"),
    ]
    body = "".join(item.format(a=f"u{i}", q=q, ans=a) for i, (q, a) in enumerate(english + chinese))
    root = tmp_path / "posts"
    write_post(root, "a", body, title="Fjord monthly")
    ingest([Source(root)], tmp_path / "index", Registry.load())
    return Archive(tmp_path / "index")


def test_a_chinese_words_rarity_is_measured_among_the_chinese_threads(tmp_path, monkeypatch):
    from qa_archive.generation import idf
    gen, searcher = _mostly_english_archive(tmp_path, monkeypatch).view()
    reader = searcher.reader()
    assert gen.count == 8 and gen.cjk_count() == 2              # stored at ingest (columns.json)
    assert gen.idf("很卡", reader) == pytest.approx(idf(2, 1))   # one of the two Chinese threads, not one of eight
    assert gen.idf("compact", reader) == pytest.approx(idf(8, 1))   # (`compaction`, stemmed)


def test_a_chinese_question_finds_the_english_thread_its_terms_name(tmp_path, monkeypatch):
    # Its everyday Chinese words (整个, 系统, 很卡) are in a Chinese thread about something else; counted rare across
    # the whole archive they outweighed `compaction` and `SD`, which name the English thread's subject.
    archive = _mostly_english_archive(tmp_path, monkeypatch)
    hits = archive.similar("SD 卡上跑 compaction 的时候整个系统很卡，怎么调？", limit=3)["hits"]
    assert hits[0]["question"].startswith("How do I tune compaction")


def test_a_threads_translation_is_not_its_rival(tmp_path, monkeypatch):
    # A bilingual site publishes each post in both languages; the ingest links the two copies of a thread
    # (`translations`). The margin is over the best *other* thread, as for a repost: a margin of nothing over the
    # translation made a right answer look unsure.
    from qa_archive import similar
    from qa_archive.archive import Archive
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry

    from .conftest import write_post
    monkeypatch.setenv("QA_ARCHIVE_EMBEDDER", "none")
    zh = ("\n## 社区问答\n\n**@lin** 提问：\n\n> Tidewheel 的 jitter 打散 以后 TW_SCHEDULED_AT 是 原始 时间 吗？\n\nA：是原始的计划时间，"
          "偏移量在 TW_JITTER_OFFSET 里。\n\n**@zhou** 提问：\n\n> Tidewheel 的 jitter 能 设置 多大？\n\nA：最大 一小时。\n")
    en = ("\n## Community Q&A\n\n**@lin** asks:\n\n> With Tidewheel jitter, is TW_SCHEDULED_AT the original time?\n\n"
          "A: Yes, the planned time; the offset is in TW_JITTER_OFFSET.\n\n**@zhou** asks:\n\n> How large can Tidewheel "
          "jitter be?\n\nA: Up to an hour.\n")
    root = tmp_path / "site"
    write_post(root / "content" / "zh" / "blog", "weekly-1", zh, date="2024-05-10")
    write_post(root / "content" / "en" / "blog", "weekly-1", en, title="Weekly 1", date="2024-05-10")
    ingest([Source(root)], tmp_path / "index", Registry.load())
    gen, searcher = Archive(tmp_path / "index").view()
    text = "With jitter on, is TW_SCHEDULED_AT still the original scheduled time or the shifted one?"
    found = similar.candidates(gen, searcher, text)
    order = similar.ranked(found["cands"])
    top = gen.docs[order[0]["docnum"]]
    rivals = [c for c in order[1:] if gen.docs[c["docnum"]]["id"] not in top["translations"]]
    assert top["translations"] and gen.docs[order[1]["docnum"]]["id"] in top["translations"]   # it is the runner-up
    feats, _ = similar.top_features(gen, text, found, order)
    assert feats["lex_margin"] == pytest.approx(order[0]["lex"] - rivals[0]["lex"]) and feats["lex_margin"] > 0


def test_an_entry_whose_only_chinese_is_a_later_turn_holds_chinese_terms():
    # the index holds every turn's question and answer, so the entries a CJK term can occur in are counted so too
    from qa_archive.index import has_cjk
    entry = {"question": "Does the worker run on Windows?", "answer": "Yes, amd64 only.",
             "turns": [{"q": "Does the worker run on Windows?", "a": "Yes, amd64 only."},
                       {"q": "那 ARM 芯片的 Mac 呢？", "a": "Only for development."}]}
    assert has_cjk(entry)
    assert not has_cjk({"question": "Does it run on Windows?", "answer": "Yes.", "turns": []})
