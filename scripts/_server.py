"""What the check scripts share: the `qa-archive` command and a served index on 127.0.0.1."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def qa_archive_exe() -> str:
    return shutil.which("qa-archive") or str(Path(sys.executable).parent / "qa-archive")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index_dir, workers: int = 2, timeout: float = 60):
    """`qa-archive serve` on a free loopback port until the block ends; yields (base URL, server process)."""
    port = free_port()
    server = subprocess.Popen([qa_archive_exe(), "serve", "--index", str(index_dir), "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
