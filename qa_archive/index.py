"""Threads to a Whoosh index, published atomically.

An index directory holds generations and a `current` symlink:

    index/current -> gen-000007      what readers open
    index/gen-000007/                Whoosh segments + manifest.json (posts seen, their hashes and entry ids)
    index/.lock                      held (flock) by the one ingest that may write

An ingest copies the current generation, applies its changes to the copy, commits, and then swaps the symlink
with one rename. Readers therefore see the old index or the new one, never a half-written one; a crash or a kill
leaves only an unpublished `gen-*` folder that the next ingest removes. The lock is an flock, which the kernel
releases when its holder dies, so a killed ingest never leaves a stale lock behind.
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from . import __version__, ranking
from .analysis import CJK_CHAR, analyzer
from .messages import ArchiveError
from .models import Thread
from .projects import squash

SCHEMA_VERSION = 7             # 4: community; 5: English words stemmed, spelling fields; 6: the `translation` field;
                               # 7: letters+digits words also indexed as two (`java17`: `java`, `17`)
KEEP_GENERATIONS = 2           # the one published and the one before it, for readers still holding it


# Whoosh's posting pool spills to sorted temporary runs (pickled, then merged) above this size: at 20x the corpus
# 128 MB spilled twice and the spill and merge took a quarter of the writer's time. 512 MB holds 20x in memory, and a
# larger tree still spills, so memory stays bounded.
WRITER_MB = 512


class IndexProblem(ArchiveError):
    """The index is missing, busy, damaged or from another version. The message says what to do."""


class IndexBusy(IndexProblem):
    pass


def schema() -> Schema:
    text = analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        title=TEXT(analyzer=text, field_boost=0.5),
        question=TEXT(analyzer=text, field_boost=2.0, spelling=True),
        answer=TEXT(analyzer=text, spelling=True),
        translation=TEXT(analyzer=text),        # the questions and answers of its translations (ingest.py)
        asker=ID(),
        projects=KEYWORD(lowercase=True, commas=True, scorable=True),
        community=ID(stored=True),
        year=NUMERIC(stored=True, sortable=True),
        date=DATETIME(sortable=True),
        doc=STORED(),
    )


def document(t: Thread) -> dict:
    """One thread as a Whoosh document. `doc` keeps the whole thread for display and export."""
    d = t.to_dict()
    fields = {
        "id": t.id, "source": t.source, "title": t.title,
        "question": "\n".join(x.q for x in t.turns),
        "answer": "\n".join(x.a or "" for x in t.turns),
        "asker": squash(t.asker or ""),
        "projects": ",".join(squash(p) for p in t.projects),
        "community": t.community or "",
        "doc": json.dumps(d, ensure_ascii=False),
    }
    if t.date:
        try:
            when = dt.datetime.fromisoformat(t.date)
            fields["date"] = when.replace(tzinfo=None)
            fields["year"] = when.year
        except ValueError:
            pass
    return fields


# ---------------------------------------------------------------------------------------------- locations

def current_dir(index_dir: Path) -> Path | None:
    link = Path(index_dir) / "current"
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = Path(index_dir) / target
    return path if path.is_dir() else None


def read_manifest(gen: Path | None) -> dict:
    if gen is None:
        return {}
    try:
        return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def open_current(index_dir: Path):
    """(whoosh index, generation path, manifest) of the published index, or IndexProblem saying what is wrong."""
    index_dir = Path(index_dir)
    where = str(index_dir.absolute())
    gen = current_dir(index_dir)
    if gen is None:
        if (index_dir / "current").is_symlink():
            raise IndexProblem("index.damaged", path=where)
        raise IndexProblem("index.missing", path=where)
    manifest = read_manifest(gen)
    if manifest.get("schema") != SCHEMA_VERSION:
        raise IndexProblem("index.schema", path=where, found=manifest.get("schema"), expected=SCHEMA_VERSION)
    try:
        ix = windex.open_dir(str(gen))
        with ix.reader() as reader:          # opens every segment: a missing or damaged file shows here
            reader.doc_count()
        return ix, gen, manifest
    except Exception as e:  # whoosh raises many kinds for a damaged directory
        raise IndexProblem("index.unreadable", path=where, error=f"{type(e).__name__}: {e}") from None


# ---------------------------------------------------------------------------------------------- writing

@contextmanager
def write_lock(index_dir: Path, wait: float = 0.0):
    """The single-writer lock. An flock dies with its process, so a killed ingest leaves no stale lock."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise IndexBusy("index.busy", path=str(index_dir.absolute())) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def _new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    gen = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    return gen


def _publish(index_dir: Path, gen: Path):
    tmp = index_dir / f".current.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(gen.name, tmp)
    _fsync_dir(gen)
    os.replace(tmp, index_dir / "current")       # the atomic step
    _fsync_dir(index_dir)


def _fsync_dir(path: Path):
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _clean(index_dir: Path, keep: Path):
    """Remove unpublished generations (a crashed ingest's: newer than `current`) and all but the newest published
    ones: `current` and the one before it, which readers may still hold."""
    gens = sorted(p for p in index_dir.glob("gen-*") if p.is_dir())
    current = current_dir(index_dir)
    newest = current.name if current is not None else ""
    published = [g for g in gens if g.name <= newest and (g / "manifest.json").exists()]
    keep_set = {keep.name} | {g.name for g in published[-KEEP_GENERATIONS:]}
    for g in gens:
        if g.name not in keep_set:
            shutil.rmtree(g, ignore_errors=True)


class Draft:
    """A new generation being written under the write lock, published only by `publish()`.

        with Draft(index_dir, wait) as draft:       # lock held, unpublished gen-* folder made
            writer = draft.start(copy=True)         # a Whoosh writer on a copy of the published generation
            ...                                      # writer.add_document / delete_by_term
            draft.publish(manifest, files)          # commit, snapshot, manifest, then the atomic swap

    Leaving the block without `publish()` (an exception, or `discard()` when nothing changed) removes the folder
    and keeps the published generation serving. `published` is the generation current afterwards.
    """

    def __init__(self, index_dir: Path, wait: float = 0.0):
        self.index_dir = Path(index_dir)
        self.wait = wait
        self.previous: Path | None = None
        self.path: Path | None = None
        self.published: Path | None = None
        self.writer = None
        self._ix = None
        self._lock = None

    @property
    def previous_manifest(self) -> dict:
        return read_manifest(self.previous)

    def __enter__(self) -> Draft:
        self._lock = write_lock(self.index_dir, self.wait)
        self._lock.__enter__()
        try:
            self.previous = current_dir(self.index_dir)
            _clean(self.index_dir, keep=self.previous or self.index_dir)
            self.path = _new_generation(self.index_dir)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def start(self, copy: bool = False):
        """The writer: on a copy of the published generation (`copy`), or on an empty index."""
        if copy and self.previous is not None:
            # the Whoosh files only: what `publish` and its `finish` derive (the manifest, the re-ranking rows, the
            # embedding vectors, a background job's marker and log) belongs to the generation they were made for
            shutil.copytree(self.previous, self.path, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("manifest.json", ranking.ROWS_FILE, "vectors*"))
            self._ix = windex.open_dir(str(self.path))
        else:
            self._ix = windex.create_in(str(self.path), schema())
        self.writer = self._ix.writer(limitmb=WRITER_MB)
        return self.writer

    def discard(self):
        """Nothing changed: the published generation stays."""
        if self.writer is not None and not self.writer.is_closed:
            self.writer.cancel()
        shutil.rmtree(self.path, ignore_errors=True)
        self.published = self.previous

    def publish(self, manifest: dict, files: dict[str, str] | None = None, finish=None):
        """Commit, write the snapshot, `files` (name -> text), then `finish(path, previous)` (more files derived
        from the snapshot: the embedding vectors) and the manifest, then swap `current` to it."""
        self.writer.commit(optimize=True)
        write_snapshot(self.path, self._ix, self.previous)
        for name, text in (files or {}).items():
            (self.path / name).write_text(text, encoding="utf-8")
        if finish is not None:
            finish(self.path, self.previous)
        _write_json(self.path / "manifest.json", {"schema": SCHEMA_VERSION, "version": __version__,
                                                  "created": _now(), **manifest, "rerank": ranking.ROWS_FORMAT})
        _publish(self.index_dir, self.path)
        self.published = self.path

    def __exit__(self, exc_type, exc, tb):
        try:
            if self.published is None:
                if self.writer is not None and not self.writer.is_closed:
                    self.writer.cancel()        # closes its files: a failure leaves nothing open behind
                shutil.rmtree(self.path, ignore_errors=True)    # never leave a half-written generation
            _clean(self.index_dir, keep=self.published or self.previous or self.index_dir)
        finally:
            self._lock.__exit__(exc_type, exc, tb)
        return False


SNAPSHOT_MIN_SHARE = 0.02


def write_snapshot(gen: Path, ix, previous: Path | None = None):
    """What a reader needs before its first search, precomputed once per generation: every entry in document
    order and the document frequency of the commonest terms (`entries.json`), and beside it `columns.json`: each
    entry's id, projects, date and community and where its JSON lies in entries.json. A reader loads the columns
    (small) and parses an entry only when it shows it, so a terminal search at 8,000 entries does not parse 15 MB
    first.
    Each entry's stored JSON is copied as it is."""
    with ix.searcher() as s:
        reader = s.reader()
        raw: list[str | None] = [None] * reader.doc_count_all()
        for docnum, stored in reader.iter_docs():
            raw[docnum] = stored["doc"]
        n = reader.doc_count()
        df = {}
        for fname in ("question", "answer"):
            for term, info in reader.iter_field(fname):
                if info.doc_frequency() > n * SNAPSHOT_MIN_SHARE:
                    term = term.decode() if isinstance(term, bytes) else term
                    df[term] = max(df.get(term, 0), info.doc_frequency())
    df_json = json.dumps(df, ensure_ascii=False)
    chunks = [f'{{"count": {n}, "df": {df_json}, "docs": ['.encode()]
    pos = len(chunks[0])
    columns: dict = {"count": n, "ids": [], "projects": [], "dates": [], "communities": [], "spans": [],
                     "cjk": 0}
    parsed: list[dict | None] = []
    for i, doc in enumerate(raw):
        if i:
            chunks.append(b",\n")
            pos += 2
        data = (doc or "null").encode("utf-8")
        d = json.loads(doc) if doc else None
        parsed.append(d)
        columns["ids"].append(d["id"] if d else None)
        columns["projects"].append(d.get("projects") or [] if d else [])
        columns["dates"].append(d.get("date") if d else None)
        columns["communities"].append(d.get("community") if d else None)
        columns["spans"].append([pos, pos + len(data)] if d else None)
        columns["cjk"] += bool(d and has_cjk(d))
        chunks.append(data)
        pos += len(data)
    chunks.append(b"]}")
    _write_bytes(gen / "entries.json", b"".join(chunks))
    _write_bytes(gen / ranking.ROWS_FILE, ranking.encode_rows(parsed, raw, _analysed_rows(previous)))
    columns["df"] = df
    _write_json(gen / "columns.json", columns)


def _analysed_rows(gen: Path | None) -> dict[str, str]:
    """Entry JSON -> its analysed fields (`ranking.StoredRows.analysed`) in a generation written by this version
    (its schema and rows format), else nothing."""
    manifest = read_manifest(gen)
    if gen is None or manifest.get("schema") != SCHEMA_VERSION or manifest.get("rerank") != ranking.ROWS_FORMAT:
        return {}
    try:
        columns = read_columns(gen)
        data = (gen / "entries.json").read_bytes()
        rows = ranking.StoredRows(gen / ranking.ROWS_FILE, columns["count"])
        return {data[a:b].decode("utf-8"): rows.analysed(num)
                for num, span in enumerate(columns["spans"]) if span for a, b in [span]}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _write_bytes(path: Path, data: bytes):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def has_cjk(entry: dict) -> bool:
    """Whether an entry has any CJK text in the questions and answers the index holds (every turn's: `document`):
    the entries a CJK term can occur in (`Generation.cjk_count`). One CJK word is enough, so this is not
    `confidence.chinese_thread` (a thread with Chinese prose)."""
    texts = [entry.get("question"), entry.get("answer")]
    texts += [turn.get(k) for turn in entry.get("turns") or () for k in ("q", "a")]
    return any(CJK_CHAR.search(t) for t in texts if t)


def read_columns(gen: Path) -> dict | None:
    """`columns.json` (see write_snapshot), or None for an index written before it existed or a damaged one."""
    try:
        columns = json.loads((gen / "columns.json").read_bytes())
    except (OSError, ValueError):
        return None
    return columns if isinstance(columns, dict) and {"count", "ids", "spans", "df"} <= columns.keys() else None


def read_snapshot(gen: Path) -> dict | None:
    try:
        return json.loads((gen / "entries.json").read_bytes())
    except (OSError, ValueError):
        return None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _write_json(path: Path, data):
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def import_threads(threads: Iterable[Thread], index_dir: Path, wait: float = 0.0) -> int:
    """Replace the index with these threads (from `qa-archive export`): backups, moves, other sources."""
    with Draft(index_dir, wait) as draft:
        writer = draft.start()
        posts: dict = {}
        n = 0
        for t in threads:
            writer.add_document(**document(t))
            posts.setdefault(t.source, {"root": "import", "sha": "", "ids": []})["ids"].append(t.id)
            n += 1
        draft.publish({"fingerprint": "import", "entries": n, "posts": posts})
    return n


def all_threads(index_dir: Path) -> list[Thread]:
    """Every thread, in source order then position: what `export` writes."""
    ix, _, _ = open_current(index_dir)
    with ix.searcher() as s:
        docs = [json.loads(f["doc"]) for f in s.all_stored_fields()]
    docs.sort(key=lambda d: (d.get("source") or "", d.get("position") or 0))
    return [Thread.from_dict(d) for d in docs]
