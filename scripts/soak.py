#!/usr/bin/env python3
"""Soak check: clients search and fetch entries while the archive is re-ingested (not a test; prints figures).

    python scripts/soak.py --clients 16 --minutes 3 --ingests 6

The server (`qa-archive serve`, loopback only) serves an index of the shared corpus. Meanwhile the index is
re-ingested several times, alternating between the corpus and a variant without some posts, so every ingest
publishes a new generation. Every response must succeed and come from a complete index: a fixed query's total
must be one of the two variants' totals. It reports requests served, failures, and the server processes'
memory (RSS) and open files at the start and the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serverkit import qa_archive_exe, serving  # noqa: E402

QUERIES = ["Seata 全局锁", "jraft 快照", "MOSN sidecar", "SOFARPC 超时", "注册中心", "合并部署", "TCC", "session"]


def tree_pids(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return pids


def usage(root: int) -> dict:
    rss, fds = 0, 0
    for pid in tree_pids(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss += int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
            fds += len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            pass
    return {"rss_mb": round(rss / 1024), "open_files": fds}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--minutes", type=float, default=3)
    ap.add_argument("--ingests", type=int, default=6)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    exe = qa_archive_exe()
    work = Path(tempfile.mkdtemp(prefix="qa-soak-"))
    try:
        live, ix = work / "live", work / "index"
        src = Path(a.shared) / "corpus" / "sofastack.tech"
        shutil.copytree(src, live, symlinks=True)
        subprocess.run([exe, "ingest", str(live), "--index", str(ix), "-q"], capture_output=True)
        weekly = sorted(p.parent for p in live.rglob("index.md") if "weekly-2021" in str(p))
        removed = weekly[: len(weekly) // 2]
        with serving(ix, a.workers) as (base, server):
            report = soak(a, exe, base, server, live, ix, removed, work)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        if report["failures"] or report["incomplete"]:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def soak(a, exe, base, server, live, ix, removed, work) -> dict:
    """Clients against the server while the index is re-ingested; returns the counts."""
    port = int(base.rsplit(":", 1)[1])
    def total():
        with urllib.request.urlopen(base + "/api/search?" + urlencode({"q": "project:Seata"})) as r:
            return json.loads(r.read())["total"]
    totals = {total()}
    start_usage = usage(server.pid)
    stop = time.monotonic() + a.minutes * 60
    counts = {"requests": 0, "failures": 0, "incomplete": 0}
    failures: list[str] = []
    lock = threading.Lock()
    ids: list[str] = []
    observed: list[int] = []          # totals of project:Seata seen by clients: each must be a published one

    def client(k):
        rng = random.Random(k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            if ids and rng.random() < 0.3:
                path = f"/api/entries/{rng.choice(ids)}"
            elif rng.random() < 0.1:
                path = "/api/search?" + urlencode({"q": "project:Seata"})
            else:
                path = "/api/search?" + urlencode({"q": rng.choice(QUERIES), "page": rng.randint(1, 3)})
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = json.loads(resp.read())
                ok = resp.status == 200 or (resp.status == 404 and path.startswith("/api/entries/"))
                if path.endswith("Seata") and resp.status == 200:
                    with lock:
                        observed.append(body.get("total"))
            except (OSError, ValueError, http.client.HTTPException) as e:
                ok, body = False, {"error": str(e)}
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                counts["requests"] += 1
                if not ok:
                    counts["failures"] += 1
                    failures.append(f"{path}: {str(body)[:150]}")
                if ok and "hits" in body and len(ids) < 500:
                    ids.extend(h["id"] for h in body["hits"])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
    for t in threads:
        t.start()
    gap = a.minutes * 60 / (a.ingests + 1)
    ingests = 0
    for n in range(a.ingests):
        time.sleep(gap)
        stash = work / "stash"
        if n % 2 == 0:                     # take half of 2021's weekly posts away, then put them back
            stash.mkdir(exist_ok=True)
            for d in removed:
                shutil.move(str(d), stash / d.name)
        else:
            for d in removed:
                shutil.move(str(stash / d.name), d)
        r = subprocess.run([exe, "ingest", str(live), "--index", str(ix), "-q"], capture_output=True)
        ingests += r.returncode == 0
        totals.add(total())
    for t in threads:
        t.join()
    end_usage = usage(server.pid)
    counts["incomplete"] = sum(1 for t in observed if t not in totals)
    counts["checked_totals"] = len(observed)
    return {"clients": a.clients, "minutes": a.minutes, "ingests_published": ingests,
            "generations_seen_by_totals": sorted(totals), **counts, "first_failures": failures[:3],
            "server_at_start": start_usage, "server_at_end": end_usage}


if __name__ == "__main__":
    main()
