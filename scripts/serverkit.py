"""What the check scripts share: the `qa-archive` command, a served index on 127.0.0.1, and the query sets."""
from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive.evaluation import Gold, load_gold, load_queries  # noqa: E402

# a few hand-written queries beside the gold ones (the README's examples and common questions)
EXTRA_QUERIES = ["jraft 跨机房", "Seata 行锁", "MOSN 热升级", "SOFARPC 泛化调用", "SOFAArk 合并部署", "注册中心 推送",
                 "undo_log", "project:Seata 全局锁", "xid 传递", "sidecar istio 配置", "leader 选举", "快照 日志",
                 "year:2021 MOSN", '"分支事务"', "Layotto Windows", "数据库 连接池", "spring boot 版本", "TCC 悬挂",
                 "SOFABoot 模块化 mybatis", "session 数据 同步", "Nydus 镜像 加速", "dubbo 协议 转换", "k8s 版本",
                 "GC 停顿 选举超时", "nacos 集群 地址"]


def qa_archive_exe() -> str:
    return shutil.which("qa-archive") or str(Path(sys.executable).parent / "qa-archive")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index_dir, workers: int = 2, timeout: float = 60, threads: int | None = None, env: dict | None = None):
    """`qa-archive serve` on a free loopback port until the block ends; yields (base URL, server process). `env`:
    variables set for the server (QA_ARCHIVE_EMBEDDER=none serves an index ingested without vectors as such: with
    the model on, `serve` would embed its whole archive in memory before it listens)."""
    port = free_port()
    cmd = [qa_archive_exe(), "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, **env) if env else None)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/api/health", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server did not start at {base}")
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(10)


# ---------------------------------------------------------------------------------------------- query sets

def gold_sets(shared: Path) -> dict[str, list[Gold]]:
    """The gold threads search is measured on, each with its keyword query: "development", the gold posts'
    entries (`<shared>/gold`), and "held-out", the project's own queries (data/eval/search.json)."""
    held = REPO / "data" / "eval" / "search.json"
    return {"development": [g for g in load_gold(Path(shared) / "gold") if g.queries.get("keywords")],
            "held-out": load_queries(held) if held.exists() else []}


def keyword_queries(shared: Path) -> list[str]:
    """The development and held-out gold keyword queries plus the extra ones, each once, in a fixed order."""
    qs = [g.queries["keywords"] for golds in gold_sets(shared).values() for g in golds]
    return list(dict.fromkeys(qs + EXTRA_QUERIES))


def new_queries(shared: Path, n: int, seed: int = 7, exclude: set[str] = frozenset()) -> list[str]:
    """`n` different queries of two or three words taken from the gold queries (what a bot or a crawler sends:
    new combinations, never a repeat), none of them in `exclude`."""
    words = sorted({w for q in keyword_queries(shared) for w in q.split() if ":" not in w and '"' not in w})
    rng = random.Random(seed)
    out: dict[str, None] = {}
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        q = " ".join(rng.sample(words, rng.choice((2, 3))))
        if q not in exclude:
            out[q] = None
    return list(out)
