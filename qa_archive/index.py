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

import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as windex
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from . import __version__
from .analysis import analyzer
from .models import Thread
from .projects import Registry, squash

if TYPE_CHECKING:
    from .parse import Source

SCHEMA_VERSION = 4
EXTRACTOR_VERSION = 6          # bump when extraction changes: every post is read again on the next ingest
KEEP_GENERATIONS = 2           # the one published and the one before it, for readers still holding it


class IndexError_(Exception):
    """The index is missing, busy, damaged or from another version. The message says what to do."""


class IndexBusy(IndexError_):
    pass


def schema() -> Schema:
    text = analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        title=TEXT(analyzer=text, field_boost=0.5),
        question=TEXT(analyzer=text, field_boost=2.0),
        answer=TEXT(analyzer=text),
        asker=ID(),
        projects=KEYWORD(lowercase=True, commas=True, scorable=True),
        community=ID(stored=True),
        year=NUMERIC(stored=True, sortable=True),
        date=DATETIME(sortable=True),
        doc=STORED(),
    )


def document(t: Thread) -> dict:
    """One thread as a Whoosh document. `doc` keeps the whole thread for display and export."""
    import datetime as dt
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
    """(whoosh index, generation path, manifest) of the published index, or IndexError_ saying what is wrong."""
    index_dir = Path(index_dir)
    gen = current_dir(index_dir)
    if gen is None:
        if (index_dir / "current").is_symlink():
            raise IndexError_(f"the index at {index_dir} is damaged (its published generation is missing); "
                              "run `qa-archive ingest --rebuild`")
        raise IndexError_(f"no index at {index_dir}: run `qa-archive ingest PATH --index {index_dir}` first")
    manifest = read_manifest(gen)
    if manifest.get("schema") != SCHEMA_VERSION:
        raise IndexError_(f"the index at {index_dir} was written by another version of qa-archive (schema "
                          f"{manifest.get('schema')}, this one reads {SCHEMA_VERSION}); run "
                          "`qa-archive ingest --rebuild`")
    try:
        ix = windex.open_dir(str(gen))
        with ix.reader() as reader:          # opens every segment: a missing or damaged file shows here
            reader.doc_count()
        return ix, gen, manifest
    except Exception as e:  # whoosh raises many kinds for a damaged directory
        raise IndexError_(f"the index at {index_dir} cannot be opened ({type(e).__name__}: {e}); run "
                          "`qa-archive ingest --rebuild`") from None


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
                    raise IndexBusy(f"the index at {index_dir} is busy: another ingest is writing it "
                                    "(use --wait SECONDS to wait for it)") from None
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


class _Unchanged(Exception):
    """No post changed: there is nothing to publish."""


@dataclass
class IngestReport:
    posts_read: int = 0
    posts_unchanged: int = 0
    posts_skipped: int = 0
    posts_failed: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)     # (source, message, fatal)
    warnings: list = field(default_factory=list)     # (source, message)
    generation: str = ""
    seconds: float = 0.0

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items()}


def ingest(sources: list[Source], index_dir: Path, registry: Registry, rebuild: bool = False, wait: float = 0.0,
           progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
    """Read the posts under each source into a new generation of the index, and publish it."""
    from .parse import find_posts  # the reading side (search) never needs the Markdown machinery
    started = time.monotonic()
    index_dir = Path(index_dir)
    report = IngestReport()
    with write_lock(index_dir, wait):
        old_gen = current_dir(index_dir)
        old = read_manifest(old_gen) if not rebuild else {}
        fingerprint = _fingerprint(registry)
        if old and (old.get("schema") != SCHEMA_VERSION or old.get("fingerprint") != fingerprint):
            old = dict(old, posts={})           # new extractor or registry: read every post again
            copy_old = False
        else:
            copy_old = bool(old)
        _clean(index_dir, keep=old_gen or index_dir)
        gen = _new_generation(index_dir)
        try:
            if copy_old and old_gen is not None:
                shutil.copytree(old_gen, gen, dirs_exist_ok=True)
                (gen / "manifest.json").unlink(missing_ok=True)
                ix = windex.open_dir(str(gen))
            else:
                ix = windex.create_in(str(gen), schema())
            posts = dict(old.get("posts") or {})
            roots = [str(s.root.resolve()) for s in sources]
            seen: set[str] = set()
            files = [(s, f) for s in sources for f in find_posts(s.root)]
            writer = ix.writer(limitmb=128)
            try:
                for n, (src, path) in enumerate(files, 1):
                    if progress:
                        progress(n, len(files), str(path))
                    _ingest_one(src, path, posts, seen, writer, registry, report, str(src.root.resolve()))
                for source, info in list(posts.items()):
                    if info.get("root") in roots and source not in seen:
                        writer.delete_by_term("source", source)
                        report.removed += len(info.get("ids") or [])
                        del posts[source]
                if copy_old and not report.posts_read and not report.removed:
                    writer.cancel()             # nothing changed: the published generation stays
                    raise _Unchanged
                writer.commit(optimize=True)
            except BaseException:
                if not writer.is_closed:
                    writer.cancel()
                raise
            write_snapshot(gen, ix)
            total = sum(len(v.get("ids") or []) for v in posts.values())
            manifest = {"schema": SCHEMA_VERSION, "fingerprint": fingerprint, "version": __version__,
                        "created": _now(), "entries": total,
                        "posts": posts, "report": {k: v for k, v in report.as_dict().items()
                                                   if k not in ("problems", "warnings")}}
            _write_json(gen / "manifest.json", manifest)
            _publish(index_dir, gen)
        except _Unchanged:
            shutil.rmtree(gen, ignore_errors=True)
            gen = old_gen
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)   # never leave a half-written generation
            raise
        _clean(index_dir, keep=gen)
        report.generation = gen.name
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _ingest_one(src: Source, path: Path, posts: dict, seen: set, writer, registry, report: IngestReport, root: str):
    from .extract import extract
    from .parse import PostError, read_post, relative
    try:
        sha_hint = _quick_sha(path)
    except OSError:
        sha_hint = None
    rel = relative(path, src.root)
    if rel in seen:
        # `source` is a path relative to its ingest root: two roots holding the same path cannot both be kept
        report.problems.append((rel, f"is also under another ingested folder; {path} is skipped "
                                     "(ingest such trees into separate indexes, or from their common parent)", True))
        report.posts_failed += 1
        return
    prev = posts.get(rel)
    if prev and sha_hint and prev.get("sha") == sha_hint and prev.get("url_pattern") == src.url:
        seen.add(rel)
        report.posts_unchanged += 1
        report.unchanged += len(prev.get("ids") or [])
        return
    try:
        post = read_post(path, src.root, src.url, src.profile)
    except PostError as e:
        report.problems.append((e.source, e.message, e.fatal))
        if e.fatal:
            report.posts_failed += 1
        else:
            report.posts_skipped += 1
        if prev:
            seen.add(rel)      # a post that became unreadable keeps its entries until it is fixed or deleted
        return
    seen.add(post.source)
    report.posts_read += 1
    threads, warnings = extract(post, registry)
    for w in post.warnings + warnings:
        report.warnings.append((post.source, w))
    old_ids = set((prev or {}).get("ids") or [])
    if prev:
        writer.delete_by_term("source", post.source)
    for t in threads:
        writer.add_document(**document(t))
        if t.id in old_ids:
            report.changed += 1
        else:
            report.added += 1
    new_ids = [t.id for t in threads]
    report.removed += len(old_ids - set(new_ids))
    posts[post.source] = {"root": root, "sha": post.sha, "ids": new_ids, "url_pattern": src.url}


SNAPSHOT_MIN_SHARE = 0.02


def write_snapshot(gen: Path, ix):
    """What a reader needs before its first search, precomputed once per generation: every entry in document
    order and the document frequency of the commonest terms. Loading it is one JSON parse, so a terminal search
    does not walk the whole index (about 0.7 s at 6,000 entries) before answering."""
    with ix.searcher() as s:
        reader = s.reader()
        docs = [None] * reader.doc_count_all()
        for docnum, stored in reader.iter_docs():
            docs[docnum] = json.loads(stored["doc"])
        n = reader.doc_count()
        df = {}
        for fname in ("question", "answer"):
            for term, info in reader.iter_field(fname):
                if info.doc_frequency() > n * SNAPSHOT_MIN_SHARE:
                    term = term.decode() if isinstance(term, bytes) else term
                    df[term] = max(df.get(term, 0), info.doc_frequency())
    _write_json(gen / "entries.json", {"count": n, "docs": docs, "df": df})


def read_snapshot(gen: Path) -> dict | None:
    try:
        return json.loads((gen / "entries.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _quick_sha(path: Path) -> str | None:
    if path.is_dir():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(registry: Registry) -> str:
    names = json.dumps([(p.name, p.repo, p.aliases, p.keywords) for p in registry.projects], ensure_ascii=False)
    return hashlib.sha1(f"{SCHEMA_VERSION}/{EXTRACTOR_VERSION}/{names}".encode()).hexdigest()[:16]


def _now() -> str:
    import datetime as dt
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
    index_dir = Path(index_dir)
    with write_lock(index_dir, wait):
        old_gen = current_dir(index_dir)
        _clean(index_dir, keep=old_gen or index_dir)
        gen = _new_generation(index_dir)
        try:
            ix = windex.create_in(str(gen), schema())
            writer = ix.writer(limitmb=128)
            posts: dict = {}
            n = 0
            try:
                for t in threads:
                    writer.add_document(**document(t))
                    posts.setdefault(t.source, {"root": "import", "sha": "", "ids": []})["ids"].append(t.id)
                    n += 1
                writer.commit(optimize=True)
            except BaseException:
                if not writer.is_closed:
                    writer.cancel()           # closes its files: a bad line leaves nothing open behind
                raise
            write_snapshot(gen, ix)
            _write_json(gen / "manifest.json", {"schema": SCHEMA_VERSION, "fingerprint": "import",
                                                "version": __version__, "entries": n, "posts": posts,
                                                "created": _now()})
            _publish(index_dir, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        _clean(index_dir, keep=gen)
    return n


def all_threads(index_dir: Path) -> list[Thread]:
    """Every thread, in source order then position: what `export` writes."""
    ix, _, _ = open_current(index_dir)
    with ix.searcher() as s:
        docs = [json.loads(f["doc"]) for f in s.all_stored_fields()]
    docs.sort(key=lambda d: (d.get("source") or "", d.get("position") or 0))
    return [Thread.from_dict(d) for d in docs]
