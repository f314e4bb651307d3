"""Ingest: bad input is reported by path and skipped, the rest lands; updates are incremental; the published
index is never half-written."""
from __future__ import annotations

import json
import os
import threading

import pytest
from click.testing import CliRunner

from qa_archive.archive import Archive
from qa_archive.cli import cli
from qa_archive.index import IndexBusy, IndexProblem, all_threads, current_dir, write_lock
from qa_archive.ingest import ingest
from qa_archive.parse import MAX_POST_BYTES, Source
from qa_archive.projects import Registry

from .conftest import write_post

QA = """
### 每周读者问答提炼

**@{asker}** 提问：

> {question}

A：{answer}

「Seata」：[https://github.com/seata/seata](https://github.com/seata/seata)
"""


def qa(asker="小明", question="Seata 的 AT 模式需要 undo_log 表吗？", answer="需要，每个业务库都要建。"):
    return QA.format(asker=asker, question=question, answer=answer)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "posts"
    write_post(root, "good-1", qa())
    write_post(root, "good-2", qa("小红", "MOSN 的热升级会断连接吗？", "不会，连接会迁移。"))
    return root


def run_ingest(root, index_dir, *extra):
    return CliRunner().invoke(cli, ["ingest", str(root), "--index", str(index_dir), *extra])


def test_bad_files_are_reported_by_path_and_the_rest_lands(tree, tmp_path):
    (tree / "latin1.md").write_bytes("---\ntitle: x\n---\n问题".encode("gb18030"))
    (tree / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (tree / "empty.md").write_text("")
    (tree / "folder.md").mkdir()
    write_post(tree, "broken-yaml", qa(), front="---\ntitle: [unclosed\ndate: 2024-01-01\n---\n")
    write_post(tree, "list-yaml", qa(), front="---\n- just\n- a list\n---\n")
    write_post(tree, "bad-date", qa("小刚", "SOFABoot 4 支持 JDK 8 吗？", "不支持。"), date="next tuesday")
    write_post(tree, "fence", qa("小李", "SOFARPC 的超时怎么配？", "看下面：\n\n```java\nconfig.setTimeout(3000);"))
    (tree / "crlf").mkdir()
    (tree / "crlf" / "index.md").write_bytes(("\ufeff---\r\ntitle: crlf\r\ndate: 2024-02-02\r\n---\r\n" +
                                              qa("小周", "Layotto 支持 Windows 吗？", "不支持。")
                                              .replace("\n", "\r\n")).encode("utf-8"))
    (tree / "huge.md").write_bytes(b"a" * (MAX_POST_BYTES + 1))
    write_post(tree, "odd-format", "### 每周读者问答提炼\n\n有人问了问题，我们在群里回复了。\n")

    result = run_ingest(tree, tmp_path / "ix")
    out = result.output
    assert result.exit_code == 1                         # some files failed
    assert "latin1.md: is not UTF-8" in out
    assert "binary.md: is a binary file" in out
    assert "empty.md: is empty" in out
    assert "folder.md: is a directory" in out
    assert "broken-yaml/index.md: front matter is not valid YAML" in out
    assert "list-yaml/index.md: front matter is a YAML list" in out
    assert "bad-date/index.md: front matter date 'next tuesday' does not parse" in out
    assert "fence/index.md: code fence opened at line" in out
    assert "huge.md: is " in out and "limit" in out
    assert "odd-format/index.md: has a Q&A section but no thread could be extracted" in out
    assert "3 skipped, 4 failed" in out

    entries = {t.asker: t for t in all_threads(tmp_path / "ix")}
    assert set(entries) == {"小明", "小红", "小刚", "小李", "小周"}
    assert entries["小刚"].date is None                    # kept, without a date
    assert "setTimeout" in entries["小李"].answer           # the unclosed fence still counts as code
    assert entries["小周"].question == "Layotto 支持 Windows 吗？" and entries["小周"].date.startswith("2024-02-02")


def test_yaml_bomb_in_front_matter_stays_small(tmp_path):
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" \
           "tags: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntitle: bomb\n---\n"
    write_post(tmp_path / "p", "bomb", qa(), front=bomb)
    report = ingest([Source(tmp_path / "p")], tmp_path / "ix", Registry.load())
    assert report.added == 1


def test_incremental_ingest_reads_only_changes_and_keeps_ids(tree, tmp_path, registry):
    ix = tmp_path / "ix"
    first = ingest([Source(tree)], ix, registry)
    assert (first.posts_read, first.added) == (2, 2)
    ids = {t.asker: t.id for t in all_threads(ix)}

    again = ingest([Source(tree)], ix, registry)
    assert (again.posts_read, again.posts_unchanged, again.added, again.removed) == (0, 2, 0, 0)

    write_post(tree, "good-1", qa(answer="需要，每个业务库都要建，表结构见文档。"))     # edit one post
    write_post(tree, "good-3", qa("小新", "SOFAArk 的 biz 能热卸载吗？", "可以。"))
    changed = ingest([Source(tree)], ix, registry)
    assert (changed.posts_read, changed.changed, changed.added) == (2, 1, 1)
    after = {t.asker: t for t in all_threads(ix)}
    assert after["小明"].id == ids["小明"] and after["小红"].id == ids["小红"]
    assert "表结构" in after["小明"].answer

    (tree / "good-2" / "index.md").unlink()
    removed = ingest([Source(tree)], ix, registry)
    assert removed.removed == 1 and "小红" not in {t.asker for t in all_threads(ix)}

    rebuilt = ingest([Source(tree)], ix, registry, rebuild=True)
    assert rebuilt.posts_read == 2 and {t.id for t in all_threads(ix)} == {after["小明"].id, after["小新"].id}


def test_a_failing_ingest_leaves_the_published_index_serving(tree, tmp_path, registry, monkeypatch):
    ix = tmp_path / "ix"
    ingest([Source(tree)], ix, registry)
    published = current_dir(ix)
    write_post(tree, "good-3", qa("小新", "SOFAArk 的 biz 能热卸载吗？", "可以。"))

    def crash(*args, **kwargs):
        raise KeyboardInterrupt          # an interrupted ingest, part-way through the tree

    monkeypatch.setattr("qa_archive.ingest.extract", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest([Source(tree)], ix, registry)
    assert current_dir(ix) == published
    assert sorted(p.name for p in ix.glob("gen-*")) == [published.name]      # nothing half-written left behind
    assert {t.asker for t in all_threads(ix)} == {"小明", "小红"}
    monkeypatch.undo()
    ingest([Source(tree)], ix, registry)
    assert {t.asker for t in all_threads(ix)} == {"小明", "小红", "小新"}


def test_a_second_ingest_is_told_the_index_is_busy(tree, tmp_path, registry):
    ix = tmp_path / "ix"
    with write_lock(ix):
        with pytest.raises(IndexBusy, match="busy"):
            ingest([Source(tree)], ix, registry)
        result = run_ingest(tree, ix)
        assert result.exit_code == 1 and "busy" in result.output
    assert ingest([Source(tree)], ix, registry).added == 2       # the lock is free again


def test_a_lock_left_by_a_killed_process_is_recovered(tree, tmp_path, registry):
    ix = tmp_path / "ix"
    pid = os.fork()
    if pid == 0:                                  # the child takes the lock and dies holding it
        with write_lock(ix):
            os.kill(os.getpid(), 9)
    os.waitpid(pid, 0)
    assert (ix / ".lock").exists()
    assert ingest([Source(tree)], ix, registry).added == 2


def test_older_schema_and_damaged_index_say_how_to_fix(tree, tmp_path, registry):
    ix = tmp_path / "ix"
    ingest([Source(tree)], ix, registry)
    manifest = current_dir(ix) / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(dict(data, schema=1)))
    with pytest.raises(IndexProblem, match="another version.*--rebuild"):
        Archive(ix).search("Seata")
    result = CliRunner().invoke(cli, ["search", "Seata", "--index", str(ix)])
    assert result.exit_code == 1 and f"ingest PATH --index {ix} --rebuild" in result.output
    assert "Traceback" not in result.output

    manifest.write_text(json.dumps(data))
    for f in current_dir(ix).glob("*.seg"):
        f.unlink()
    with pytest.raises(IndexProblem, match="cannot be opened.*--rebuild"):
        Archive(ix).search("Seata")
    assert ingest([Source(tree)], ix, registry, rebuild=True).added == 2
    assert Archive(ix).search("Seata")["total"] >= 1


def test_searches_during_ingests_see_a_complete_index(tree, tmp_path, registry):
    ix = tmp_path / "ix"
    ingest([Source(tree)], ix, registry)
    archive = Archive(ix)
    errors, totals = [], []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                totals.append(archive.search("Seata OR MOSN 连接", limit=5)["total"])
            except Exception as e:         # noqa: BLE001 - any error is the failure we look for
                errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for n in range(6):
            write_post(tree, f"more-{n}", qa(f"新人{n}", f"Seata 第 {n} 个问题：TCC 悬挂怎么处理？", "看文档。"))
            ingest([Source(tree)], ix, registry)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert totals and min(totals) >= 1
    assert archive.search("TCC 悬挂")["total"] == 6


def test_export_import_round_trip(sample_index, tmp_path):
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", "--index", str(sample_index)]).output
    (tmp_path / "a.jsonl").write_text(exported, encoding="utf-8")
    result = runner.invoke(cli, ["import", str(tmp_path / "a.jsonl"), "--index", str(tmp_path / "copy")])
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["export", "--index", str(tmp_path / "copy")]).output
    assert again == exported
    rows = [json.loads(line) for line in exported.splitlines()]
    assert len(rows) == 27
    assert set(rows[0]) >= {"id", "source", "title", "date", "url", "asker", "question", "answer", "turns",
                            "projects", "links"}


def test_url_pattern_and_config_file(tree, tmp_path):
    cfg = tmp_path / "sources.yml"
    cfg.write_text("sources:\n  - path: posts\n    url: https://blog.example.com/{dir}/\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "--config", str(cfg), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    urls = {t.asker: t.url for t in all_threads(tmp_path / "ix")}
    assert urls["小明"] == "https://blog.example.com/good-1/"


def test_two_roots_with_the_same_relative_path_are_reported_not_merged(tmp_path, registry):
    write_post(tmp_path / "a", "p1", qa("甲"))
    write_post(tmp_path / "b", "p1", qa("乙", "MOSN 的问题？", "回答。"))
    report = ingest([Source(tmp_path / "a"), Source(tmp_path / "b")], tmp_path / "ix", registry)
    assert report.posts_failed == 1 and "also under another ingested folder" in report.problems[0][1]
    assert [t.asker for t in all_threads(tmp_path / "ix")] == ["甲"]


def test_an_orphan_generation_from_a_crash_never_costs_readers_theirs(tree, tmp_path, registry):
    import shutil
    ix = tmp_path / "ix"
    ingest([Source(tree)], ix, registry)
    published = current_dir(ix)
    orphan = ix / "gen-000099"                       # written, manifest and all, but never published
    shutil.copytree(published, orphan)
    write_post(tree, "good-3", qa("小新", "SOFAArk 的 biz 能热卸载吗？", "可以。"))
    ingest([Source(tree)], ix, registry)
    names = sorted(p.name for p in ix.glob("gen-*"))
    assert published.name in names and "gen-000099" not in names


def test_rebuild_reports_the_entries_it_removed(tree, tmp_path, registry):
    ix, other = tmp_path / "ix", tmp_path / "other"
    write_post(other, "stray", qa("小白", "SOFAArk 怎么卸载 biz？", "用 ark 命令。"))
    ingest([Source(tree)], ix, registry)
    ingest([Source(other)], ix, registry)                 # a second tree lands in the same index
    rebuilt = ingest([Source(tree)], ix, registry, rebuild=True)
    assert rebuilt.removed == 1 and {t.asker for t in all_threads(ix)} == {"小明", "小红"}
    result = run_ingest(tree, ix, "--rebuild")
    assert "0 removed" in result.output                  # nothing left to drop the second time


def test_the_registry_used_at_ingest_is_the_one_searches_use_wherever_they_start(tree, tmp_path, monkeypatch):
    custom = tmp_path / "projects.yml"
    custom.write_text("projects:\n  - name: Zebra\n    aliases: [zeb]\n  - name: Seata\n", encoding="utf-8")
    ix = tmp_path / "ix"
    ingest([Source(tree)], ix, Registry.load(custom))
    custom.unlink()                                       # the ingest's copy is what counts, not the file
    monkeypatch.chdir(tmp_path)                           # and not the working directory either
    archive = Archive(ix)
    assert [p.name for p in archive.registry.projects] == ["Zebra", "Seata"]
    assert archive.search("project:zeb MOSN")["filters"]["project"] == ["Zebra"]
    manifest = json.loads((current_dir(ix) / "manifest.json").read_text())
    assert (current_dir(ix) / manifest["registry"]).is_file()


def test_index_errors_carry_codes_and_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IndexProblem) as e:
        Archive("nowhere").search("Seata")
    assert e.value.code == "index.missing" and str(tmp_path / "nowhere") in str(e.value)
    assert "没有索引" in e.value.render("zh")


def test_workers_give_the_index_a_serial_ingest_gives(tmp_path, monkeypatch):
    """Posts read in worker processes land as they would if read here: same entries, same order, same report;
    a bad post among them is reported and the rest lands."""
    import qa_archive.ingest as ingest_module
    root = tmp_path / "posts"
    for k in range(7):
        write_post(root, f"weekly-{k}.md", qa(asker=f"读者{k}", question=f"第 {k} 个问题：Seata 怎么配？"),
                   title=f"SOFA Weekly | 第 {k} 期")
    (root / "bad.md").write_bytes(b"---\ntitle: [unclosed\n---\nbody")
    registry = Registry.load()
    serial = ingest([Source(root)], tmp_path / "serial", registry, workers=1)
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_POSTS", 1)
    monkeypatch.setattr(ingest_module, "CHUNK", 2)
    parallel = ingest([Source(root)], tmp_path / "parallel", registry, workers=2)
    assert [t.to_dict() for t in all_threads(tmp_path / "serial")] == \
        [t.to_dict() for t in all_threads(tmp_path / "parallel")]
    assert (parallel.added, parallel.posts_read, parallel.posts_failed, parallel.problems) == \
        (serial.added, serial.posts_read, serial.posts_failed, serial.problems)
    assert parallel.added == 7 and parallel.problems


def test_the_rebuild_advice_names_the_index_and_a_path(tmp_path):
    from qa_archive.messages import render
    for code in ("index.damaged", "index.schema", "index.unreadable", "index.no_snapshot"):
        for lang in ("en", "zh"):
            text = render(code, {"path": "/srv/qa/index", "found": 1, "expected": 2, "error": "x"}, lang)
            assert "`qa-archive ingest PATH --index /srv/qa/index --rebuild`" in text, (code, lang)


@pytest.mark.parametrize("english, chinese", [
    ("content/en/posts/weekly-9.md", "content/zh/posts/weekly-9.md"),      # a language's own folder
    ("content/posts/weekly-9.md", "content/posts/weekly-9.zh.md"),         # the language before the extension
])
def test_a_post_and_its_translation_at_the_same_path_are_linked_without_any_link(tmp_path, registry, english,
                                                                                   chinese):
    root = tmp_path / "site"
    write_post(root, english, "## Community Q&A\n\n**@mei** asks: How do I enable request tracing?\n\n"
                              "A: Turn on `tracing.enabled`.\n\n**@bo** asks: Can I rotate keys?\n\nA: Yes, live.\n")
    write_post(root, chinese, "## 社区问答\n\n**@mei** 提问：\n\n> 怎么开启请求链路追踪？\n\nA：打开 `tracing.enabled`。\n\n"
                              "**@bo** 提问：\n\n> 密钥能轮换吗？\n\nA：可以，在线轮换。\n")
    write_post(root, "content/zh/posts/other.md", "## 社区问答\n\n**@yu** 提问：\n\n> 别的问题？\n\nA：别的回答。\n")
    ingest([Source(root)], tmp_path / "ix", registry)
    arch = Archive(tmp_path / "ix")
    hits = arch.search("链路追踪")["hits"]
    assert {h["source"] for h in hits} == {english, chinese}        # the English thread, through its translation
    by_question = {t.question: t.id for t in all_threads(tmp_path / "ix")}
    found = {h["id"]: h.get("translations") for h in arch.search("rotate keys")["hits"]}
    assert found[by_question["Can I rotate keys?"]] == [by_question["密钥能轮换吗？"]]
    assert not arch.search("别的问题")["hits"][0].get("translations")   # alone at its path: no translation


@pytest.mark.parametrize("tree, english, entries", [
    ("_posts", 41, 82),     # ten Optech-like digests and their translations: each item cites the same link
    ("content", 15, 60),    # a Hugo site's weeklies, five translated (in two pairs nothing is linked, only the
                            # path), and Chinese-only SOFA-like weeklies
])
def test_an_unseen_bilingual_newsletter_pairs_every_item_with_its_translation(tmp_path, registry, tree, english,
                                                                               entries):
    # Written blind (tests/fixtures/unseen/_posts, …/content): ingested together, every English item is paired
    # with the Chinese one at its place in the post at the same path.
    from pathlib import Path
    root = Path(__file__).parent / "fixtures" / "unseen" / tree
    ingest([Source(root)], tmp_path / "ix", registry)
    threads = {t.id: t for t in all_threads(tmp_path / "ix")}
    gen, _ = Archive(tmp_path / "ix").view()
    docs = [gen.docs[n] for n in gen.docs]
    english_docs = [d for d in docs if "/en/" in "/" + d["source"]]     # `en/newsletters/…`, `en/blog/…`
    assert len(english_docs) == english and len(docs) == entries
    for d in english_docs:
        partner = [threads[t] for t in d.get("translations") or []]
        chinese = ("/" + d["source"]).replace("/en/", "/zh/", 1)[1:]
        assert [(p.source, p.position) for p in partner] == [(chinese, d["position"])], d


def test_posts_are_found_by_every_markdown_suffix_and_nothing_else(tmp_path, registry):
    """A Docusaurus or Astro site writes `.mdx`, older Jekyll sites `.markdown`: each is a post. A `.txt` or a
    `.json` beside them is not."""
    root = tmp_path / "site"
    root.mkdir()
    for name, asker in (("a.md", "小明"), ("b.mdx", "小红"), ("c.MARKDOWN", "小新"), ("d.txt", "小刚"), ("e.json", "小丽")):
        (root / name).write_text("---\ntitle: t\n---\n" + qa(asker), encoding="utf-8")
    ingest([Source(root)], tmp_path / "ix", registry)
    assert {t.asker for t in all_threads(tmp_path / "ix")} == {"小明", "小红", "小新"}
