#!/usr/bin/env python3
"""Load check: concurrent clients against `qa-archive serve` on 127.0.0.1 (not a test; it prints figures).

    python scripts/loadcheck.py                            # index the shared corpus, 16 clients, 20 s per route
    python scripts/loadcheck.py --index index --clients 16 --seconds 30 --workers 2

For each route (a search with varied queries, then the trivial /api/health on the same server) it reports
requests per second, p50/p95 latency and the number of failed requests. Clients are 4 processes of
`clients/4` threads with keep-alive connections, so the client's own GIL does not cap the figures. Loopback only;
bounded in time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serverkit import EXTRA_QUERIES, new_queries, qa_archive_exe, serving  # noqa: E402


def client_process(port: int, paths: list[str], threads: int, seconds: float, seed: int, clients: int):
    """`threads` clients; client g sends paths g, g + clients, g + 2 * clients, …: no two requests share a path
    until the list wraps round."""
    lat, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def run(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = seed * threads + k
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += clients
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                ok = resp.status == 200 and body[:1] == b"{"
            except (OSError, http.client.HTTPException) as e:
                ok, body = False, str(e).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                if not ok:
                    errors.append(body[:200].decode(errors="replace"))
        conn.close()

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return lat, errors


def new_query_paths(shared: Path, clients: int, seconds: float, cap_rps: int = 2000) -> list[str]:
    """Enough different search paths that no client ever repeats one (nor another client's) in `seconds`."""
    return [f"/api/search?{urlencode({'q': q, 'limit': 10})}"
            for q in new_queries(shared, int(seconds * cap_rps), exclude=set(EXTRA_QUERIES))]


def measure(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    procs = 4 if clients >= 4 else 1
    with ProcessPoolExecutor(procs) as pool:
        futures = [pool.submit(client_process, port, paths, clients // procs, seconds, s, clients) for s in range(procs)]
        lat, errors = [], []
        for f in futures:
            a, b = f.result()
            lat += a
            errors += b
    lat.sort()
    return {"requests": len(lat), "rps": round(len(lat) / seconds, 1), "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(lat[int(len(lat) * 0.95)], 1), "errors": len(errors),
            "first_errors": errors[:3]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an existing index (default: ingest ../shared corpus into a temp one)")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, help="threads per worker (default: qa-archive serve's)")
    a = ap.parse_args()
    exe = qa_archive_exe()
    work = Path(tempfile.mkdtemp(prefix="qa-load-"))
    index_dir = a.index or str(work / "index")
    if not a.index:
        subprocess.run([exe, "ingest", str(Path(a.shared) / "corpus" / "sofastack.tech"), "--index", index_dir,
                        "-q"], check=False)
    with serving(index_dir, a.workers, threads=a.threads) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        searches = [f"/api/search?{urlencode({'q': q, 'limit': 10})}" for q in EXTRA_QUERIES]
        for path in searches:            # one request per worker and query warms nothing but the OS cache
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
        report = {
            "search (/api/search, 25 queries, served from each worker's result cache after the first time)":
                measure(port, searches, a.clients, a.seconds),
            "search, a new query each request (two or three words from the gold queries; uncached)": measure(
                port, new_query_paths(Path(a.shared), a.clients, a.seconds), a.clients, a.seconds),
            "trivial route (/api/health)": measure(port, ["/api/health"], a.clients, a.seconds),
        }
        print(json.dumps({"clients": a.clients, "seconds_per_route": a.seconds, "workers": a.workers, **report},
                         ensure_ascii=False, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
