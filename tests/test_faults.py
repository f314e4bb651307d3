"""Faults: an ingest killed (SIGKILL) at random points, a full disk, a read-only index directory. Every time the
published index still opens and answers, and the next ingest finishes with the same entries as an uninterrupted
run."""
from __future__ import annotations

import errno
import json
import os
import random
import signal

import pytest
from click.testing import CliRunner

from qa_archive import index as index_mod
from qa_archive.archive import Archive
from qa_archive.cli import cli
from qa_archive.index import all_threads, current_dir
from qa_archive.ingest import ingest
from qa_archive.parse import Source

from .conftest import write_post

QA = "**@{a}** 提问：\n\n> {q}\n\nA：{ans}\n\n「Seata」：[https://github.com/seata/seata](https://github.com/seata/seata)\n\n"


def make_tree(root, posts=40, version=0):
    for n in range(posts):
        body = "### 每周读者问答提炼\n\n" + "".join(
            QA.format(a=f"u{n}-{k}", q=f"Seata 第{n}篇第{k}问：事务分组 {version if n % 3 == 0 else 0} 怎么配？",
                      ans=f"回答 {n}-{k}：看文档。") for k in range(3))
        write_post(root, f"p{n:03d}", body, date=f"2022-01-{1 + n % 28:02d}")


def entries(ix):
    return sorted(json.dumps(t.to_dict(), ensure_ascii=False, sort_keys=True) for t in all_threads(ix))


KILL_POINTS = ["progress", "snapshot", "publish-before", "publish-after", "manifest"]


def ingest_and_die(tree, ix, registry, point: str, after: int):
    """Run an ingest in a child process that SIGKILLs itself at the given point."""
    pid = os.fork()
    if pid == 0:                                           # the child
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        def progress(n, total, path):
            if point == "progress" and n == after:
                die()
        if point == "snapshot":
            index_mod.write_snapshot = die
        elif point == "manifest":
            index_mod._write_json = die
        elif point.startswith("publish"):
            real_replace = os.replace

            def replace(src, dst):
                if point == "publish-before" and str(dst).endswith("current"):
                    die()
                real_replace(src, dst)
                if point == "publish-after" and str(dst).endswith("current"):
                    die()
            index_mod.os.replace = replace
        try:
            ingest([Source(tree)], ix, registry, progress=progress)
        finally:
            os._exit(0)                                    # reached only when the kill point was never hit
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_sigkill_at_random_points_never_breaks_the_published_index(tmp_path, registry):
    tree, ix, clean = tmp_path / "posts", tmp_path / "ix", tmp_path / "clean"
    make_tree(tree)
    ingest([Source(tree)], ix, registry)
    before = entries(ix)
    make_tree(tree, version=1)                             # every third post changes
    (tree / "p039" / "index.md").unlink()                  # one is deleted
    ingest([Source(tree)], clean, registry)
    after = entries(clean)
    assert before != after

    rng = random.Random(20261125)
    kills = 0
    for round_ in range(10):
        point = KILL_POINTS[round_ % len(KILL_POINTS)]
        killed = ingest_and_die(tree, ix, registry, point, after=rng.randint(1, 39))
        kills += killed
        got = entries(ix)                                  # the published index opens and is complete
        assert got in (before, after), point
        assert Archive(ix).search("事务分组")["total"] > 0
        if got == after:                                   # killed after publishing: go back to the old posts
            make_tree(tree, version=0)
            ingest([Source(tree)], ix, registry)
            assert entries(ix) == before
            make_tree(tree, version=1)
            (tree / "p039" / "index.md").unlink()
    assert kills == 10
    ingest([Source(tree)], ix, registry)                   # the lock of the killed process is free
    assert entries(ix) == after
    assert len(list(ix.glob("gen-*"))) <= index_mod.KEEP_GENERATIONS


@pytest.mark.parametrize("fault, code, where", [
    ("write_snapshot", errno.ENOSPC, "No space left on device"),
    ("_new_generation", errno.EROFS, "Read-only file system"),
])
def test_disk_full_or_read_only_gives_a_clear_error_and_keeps_serving(tmp_path, registry, monkeypatch, fault, code,
                                                                       where):
    tree, ix = tmp_path / "posts", tmp_path / "ix"
    make_tree(tree, posts=5)
    ingest([Source(tree)], ix, registry)
    published, before = current_dir(ix), entries(ix)
    make_tree(tree, posts=6)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(ix))
    monkeypatch.setattr(index_mod, fault, fail)
    result = CliRunner().invoke(cli, ["ingest", str(tree), "--index", str(ix)])
    assert result.exit_code == 1 and where in result.output and "Traceback" not in result.output
    assert current_dir(ix) == published and entries(ix) == before
    assert Archive(ix).search("事务分组")["total"] == 15
