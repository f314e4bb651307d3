"""The ingest pipeline: sources → posts → threads → a new generation of the index.

    parse.find_posts / parse.read_post     a folder of Markdown files → Posts (front matter, body, problems)
    extract.extract                        a Post → Threads (questions, answers, askers, projects)
    index.document / index.Draft           Threads → Whoosh documents in an unpublished generation, then published

Only posts whose bytes changed since the last ingest are read again (the manifest keeps each post's hash and its
entry ids). Reading and extracting, most of an ingest's work, runs in worker processes (one per core) when there are
enough posts to read; the one Whoosh writer stays in this process and takes their threads in file order, a bounded
number of posts in flight, so memory does not grow with the tree and the index is the same as a serial ingest's. The registry of projects used is written into the generation (`registry-<hash>.yml`), so searches
and `serve` read the one the ingest used, wherever they are started.
 The registry of projects used is written into the generation (`registry-<hash>.yml`), so searches
and `serve` read the one the ingest used, wherever they are started.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .extract import extract
from .index import SCHEMA_VERSION, Draft, document, read_snapshot
from .languages import entry_script
from .models import Thread
from .parse import PostError, Source, find_posts, read_post, relative
from .profiles import community_of
from .projects import Registry, squash

EXTRACTOR_VERSION = 7          # bump when extraction changes: every post is read again on the next ingest
PARALLEL_MIN_POSTS = 48        # fewer posts to read than this: read them here (starting workers costs ~0.5 s)
CHUNK = 8                      # posts per task sent to a worker
IN_FLIGHT = 4                  # tasks per worker sent ahead of the writer: bounds the memory results take


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
    vectors: dict | None = None     # {"embedded": n} or {"background": n, "pid", ...}; None without a model

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items()}


def ingest(sources: list[Source], index_dir: Path, registry: Registry, rebuild: bool = False, wait: float = 0.0,
           progress: Callable[[int, int, str], None] | None = None, workers: int | None = None,
           vectors: str = "auto", embed_progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Read the posts under each source into a new generation of the index, and publish it.

    `workers`: processes that read and extract posts (default: one per core; 1 reads them in this process).
    `vectors`: when the embedding vectors are made (`Vectors`); `embed_progress(done, total)` as they are."""
    started = time.monotonic()
    report = IngestReport()
    recorded = with_profiles(registry, sources)      # recorded with the generation: searches know every tag
    fingerprint = registry_fingerprint(recorded)
    with Draft(Path(index_dir), wait) as draft:
        previous = draft.previous_manifest
        old = previous if not rebuild else {}
        copy_old = bool(old)
        if old and (old.get("schema") != SCHEMA_VERSION or old.get("fingerprint") != fingerprint):
            old = dict(old, posts={})           # new extractor or registry: read every post again
            copy_old = False
        # entries of the published generation that a fresh start drops: counted as removed unless re-added
        dropped = set() if copy_old else {i for info in (previous.get("posts") or {}).values()
                                          for i in info.get("ids") or []}
        writer = draft.start(copy=copy_old)
        posts = dict(old.get("posts") or {})
        roots = [str(s.root.resolve()) for s in sources]
        seen: set[str] = set()
        fresh: dict[str, Thread] = {}              # threads of the posts read now, written after linking
        files = [(s, f) for s in sources for f in find_posts(s.root)]
        done = 0
        todo = []
        profiles = {id(s): s.profile.fingerprint() if s.profile is not None else None for s in sources}
        for src, path in files:
            job = _plan(src, path, posts, seen, report, profiles[id(src)])
            if job is None:
                done += 1
                if progress:
                    progress(done, len(files), str(path))
            else:
                todo.append(job)
        written: set[str] = set()                 # ids of fresh threads already written (no translation possible)
        path_keys: dict[str, int] = {}            # posts at each `post_key`: one alone has no translation by path
        for src, path in files:
            key = post_key(relative(path, src.root))
            path_keys[key] = path_keys.get(key, 0) + 1
        for job, result in zip(todo, read_posts(todo, registry, workers), strict=True):
            done += 1
            if progress:
                progress(done, len(files), str(job.path))
            read = _apply(job, result, posts, seen, writer, report, fresh)
            if read and not any(specific(link_key(u)) for t in read for u in t.links if u) \
                    and path_keys.get(post_key(job.rel), 0) < 2:
                # No thread of this post cites a specific link, and no other post sits at its path in another
                # language, so none can have a translation (see link_translations): write them now, while the
                # workers read on, not in one run at the end.
                for t in read:
                    writer.add_document(**linked_document(t.to_dict(), []))
                    written.add(t.id)
                    del fresh[t.id]
        for source, info in list(posts.items()):
            if info.get("root") in roots and source not in seen:
                writer.delete_by_term("source", source)
                report.removed += len(info.get("ids") or [])
                del posts[source]
        if copy_old and (report.posts_read or report.removed):
            kept = set().union(*(info.get("ids") or [] for info in posts.values())) - set(fresh) - written
            write_linked(writer, fresh, previous_entries(draft.previous, kept))
        elif fresh:
            write_linked(writer, fresh, {})
        if dropped:
            kept = {i for info in posts.values() for i in info.get("ids") or []}
            report.removed += len(dropped - kept)
        held = {**(old.get("communities") or {}), **communities(sources)}
        if copy_old and not report.posts_read and not report.removed and held == previous.get("communities"):
            draft.discard()             # (a community renamed in sources.yml is published even so)
            if draft.previous is not None:
                # vectors the published generation lacks (ingested without the model, or its job died)
                Vectors(vectors, report, embed_progress).fill(draft.previous)
        else:
            text, name = registry_file(recorded)
            total = sum(len(v.get("ids") or []) for v in posts.values())
            try:
                draft.publish({"fingerprint": fingerprint, "entries": total, "registry": name, "posts": posts,
                               "communities": held,
                               "report": {k: v for k, v in report.as_dict().items()
                                          if k not in ("problems", "warnings")}},
                              files={name: text},
                              finish=Vectors(vectors, report, embed_progress))
            except BaseException:
                Vectors.retire(index_dir, draft.previous or index_dir)   # a job started for the draft, if any
                raise
        report.generation = draft.published.name
        Vectors.retire(index_dir, draft.published)
    report.seconds = round(time.monotonic() - started, 2)
    return report


class Vectors:
    """The embedding vectors of a new generation, made while it is published (`Draft.publish`'s `finish`).

    Unchanged text reuses the previous generation's vectors. `mode` says when the new texts are embedded:
    "wait" before publishing; "background" by a job started now (`embed.start_background`), the generation
    published at once; "auto" waits unless there are many of them or the archive is large (`embed.in_foreground`).
    Nothing happens when embeddings are switched off (QA_ARCHIVE_EMBEDDER=none) or the model is not installed."""

    def __init__(self, mode: str, report: IngestReport, progress: Callable[[int, int], None] | None = None):
        from . import embed
        if mode not in embed.VECTOR_MODES:
            raise ValueError(f"vectors must be one of {embed.VECTOR_MODES}")
        self.mode, self.report, self.progress = mode, report, progress

    def __call__(self, path: Path, previous: Path | None):
        from . import embed
        if previous is not None and embed.pending(previous):
            # what its job has made so far is saved when it stops, and reused here
            embed.stop_background(previous, wait=True)
        embedder = embed.get()
        if embedder is None:
            return
        cache = embed.seeded_cache(embedder, previous, path)
        docs = embed.read_docs(path)
        new = cache.missing(docs)
        if not embed.in_foreground(self.mode, new, sum(d is not None for d in docs)):
            self.report.vectors = {"background": new, **embed.start_background(path, previous, new)}
        else:
            self.report.vectors = {"embedded": embed.write_generation(path, previous, embedder, self.progress,
                                                                      cache)}

    def fill(self, path: Path):
        """Add the vectors a published generation lacks (ingested without the model, or its job died), unless a
        job is making them; what a stopped job had made is reused."""
        from . import embed
        embedder = embed.get()
        if embedder is not None and not embed.pending(path) and \
                embed.read_generation(path, embedder, len(embed.read_docs(path))) is None:
            self(path, None)

    @staticmethod
    def retire(index_dir: Path, published: Path):
        """Stop the jobs of the generations the one just published replaces."""
        from . import embed
        embed.stop_all_but(index_dir, published)


@dataclass
class _Job:
    """A post to read: where it is, and what the published generation holds for it."""
    src: Source
    path: Path
    rel: str
    prev: dict | None
    root: str
    profile: str | None = None      # the source's profile fingerprint (Profile.fingerprint), recorded with the post


def _plan(src: Source, path: Path, posts: dict, seen: set, report: IngestReport,
          profile: str | None = None) -> _Job | None:
    """A job when the post must be read; None when it is unchanged (its entries stay) or cannot be taken.
    `profile`: the source's profile fingerprint; a post read under another one is read again."""
    try:
        sha_hint = quick_sha(path)
    except OSError:
        sha_hint = None
    rel = relative(path, src.root)
    if rel in seen:
        # `source` is a path relative to its ingest root: two roots holding the same path cannot both be kept
        report.problems.append((rel, f"is also under another ingested folder; {path} is skipped "
                                     "(ingest such trees into separate indexes, or from their common parent)", True))
        report.posts_failed += 1
        return None
    seen.add(rel)
    prev = posts.get(rel)
    if prev and sha_hint and prev.get("sha") == sha_hint and prev.get("url_pattern") == src.url \
            and prev.get("profile") == profile:
        report.posts_unchanged += 1
        report.unchanged += len(prev.get("ids") or [])
        return None
    return _Job(src, path, rel, prev, str(src.root.resolve()), profile)


def _apply(job: _Job, result: tuple, posts: dict, seen: set, writer, report: IngestReport,
           fresh: dict) -> list[Thread]:
    """A read post's threads into `fresh` (written after linking translations), its record into the manifest's
    posts; its old entries out of the writer. Returns the threads read (none for a post that failed)."""
    prev = job.prev
    if result[0] == "error":
        _, source, message, fatal = result
        report.problems.append((source, message, fatal))
        if fatal:
            report.posts_failed += 1
        else:
            report.posts_skipped += 1
        if not prev:      # (one that had entries stays in `seen`: it keeps them until it is fixed or deleted)
            seen.discard(job.rel)
        return []
    _, source, sha, threads, warnings = result
    report.posts_read += 1
    for w in warnings:
        report.warnings.append((source, w))
    old_ids = set((prev or {}).get("ids") or [])
    if prev:
        writer.delete_by_term("source", source)
    for t in threads:
        fresh[t.id] = t
        if t.id in old_ids:
            report.changed += 1
        else:
            report.added += 1
    new_ids = [t.id for t in threads]
    report.removed += len(old_ids - set(new_ids))
    posts[source] = {"root": job.root, "sha": sha, "ids": new_ids, "url_pattern": job.src.url}
    if job.profile is not None:
        posts[source]["profile"] = job.profile
    return threads


def read_one(path: Path, root: Path, url: str | None, profile, registry: Registry) -> tuple:
    """("ok", source, sha, threads, warnings) or ("error", source, message, fatal)."""
    try:
        post = read_post(path, root, url, profile)
    except PostError as e:
        return ("error", e.source, e.message, e.fatal)
    threads, warnings = extract(post, registry)
    return ("ok", post.source, post.sha, threads, post.warnings + warnings)


def read_posts(jobs: list[_Job], registry: Registry, workers: int | None = None) -> Iterator[tuple]:
    """`read_one` of every job, in order: in worker processes when there are enough, else here."""
    workers = min(workers or os.cpu_count() or 1, max(1, len(jobs) // CHUNK))
    if workers <= 1 or len(jobs) < PARALLEL_MIN_POSTS:
        for job in jobs:
            yield read_one(job.path, job.src.root, job.src.url, job.src.profile, registry)
        return
    tasks = [[(str(j.path), str(j.src.root), j.src.url, j.src.profile) for j in jobs[i:i + CHUNK]]
             for i in range(0, len(jobs), CHUNK)]
    pool = [_Worker(registry) for _ in range(workers)]
    try:
        pending: deque = deque()
        for k, task in enumerate(tasks):
            worker = pool[k % workers]
            worker.send(task)
            pending.append(worker)
            while len(pending) >= workers * IN_FLIGHT:
                yield from pending.popleft().receive()
        while pending:
            yield from pending.popleft().receive()
    finally:
        for worker in pool:
            worker.close()


class _Worker:
    """A `python` process that reads and extracts posts: tasks in on its stdin, results out on its stdout, both
    pickled with a length in front. A new interpreter rather than a fork: it holds neither the write lock nor the
    writer's files, imports nothing of the caller's main module, and exits when its stdin closes (so when this
    process dies, however it dies)."""

    def __init__(self, registry: Registry):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent)]
                                                          + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        self.proc = subprocess.Popen([sys.executable, "-c", "from qa_archive.ingest import worker_main; worker_main()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        _write_frame(self.proc.stdin, registry)

    def send(self, task: list):
        _write_frame(self.proc.stdin, task)

    def receive(self) -> list[tuple]:
        got = _read_frame(self.proc.stdout)
        if got is None:
            raise RuntimeError(f"an ingest worker stopped (exit status {self.proc.wait()})")
        if isinstance(got, BaseException):
            raise got
        return got

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def worker_main():
    """The worker's loop (see `_Worker`): a registry first, then tasks until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the ingest's to handle; it closes our stdin
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        registry = _read_frame(stdin)
        while (task := _read_frame(stdin)) is not None:
            try:
                result = [read_one(Path(path), Path(root), url, profile, registry)
                          for path, root, url, profile in task]
            except Exception as e:      # the writer raises it, as a serial ingest would
                result = e
            _write_frame(stdout, result)
    except (BrokenPipeError, EOFError):
        pass                            # the ingest is gone (killed, or failed): nothing is waiting for us


def _write_frame(f, obj):
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(struct.pack("<Q", len(data)) + data)
    f.flush()


def _read_frame(f):
    head = f.read(8)
    if len(head) < 8:
        return None
    (n,) = struct.unpack("<Q", head)
    return pickle.loads(f.read(n))


def communities(sources: list[Source]) -> dict[str, dict]:
    """Each source's community key -> its display name, language and URL pattern from its profile (None when
    the profile has none): what the web UI shows for a community, recorded in the manifest."""
    out: dict[str, dict] = {}
    for src in sources:
        p = src.profile
        key = community_of(src.root, p)
        got = out.setdefault(key, {"name": None, "language": None, "url": None})
        for k, v in (("name", p and p.name), ("language", p and p.language), ("url", src.url)):
            got[k] = got[k] or v or None
    return out


def with_profiles(registry: Registry, sources: list[Source]) -> Registry:
    """The shared registry plus each source's own (`projects:` in its profile), so the registry recorded with
    the generation knows every community's tags and their aliases (`project:p2tr` finds Taproot)."""
    extra = [Registry.load(s.profile.projects) for s in sources if s.profile is not None and s.profile.projects]
    if not extra:
        return registry
    projects, names = list(registry.projects), {squash(p.name) for p in registry.projects}
    for other in extra:
        for p in other.projects:
            if squash(p.name) not in names:
                names.add(squash(p.name))
                projects.append(p)
    return Registry(projects)


def quick_sha(path: Path) -> str | None:
    if path.is_dir():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def registry_fingerprint(registry: Registry) -> str:
    names = json.dumps([(p.name, p.repo, p.aliases, p.keywords) for p in registry.projects], ensure_ascii=False)
    return hashlib.sha1(f"{SCHEMA_VERSION}/{EXTRACTOR_VERSION}/{names}".encode()).hexdigest()[:16]


def registry_file(registry: Registry) -> tuple[str, str]:
    """The registry as the YAML `Registry.load` reads, and a file name that changes with its content."""
    text = yaml.safe_dump({"projects": [dataclasses.asdict(p) for p in registry.projects]}, allow_unicode=True,
                          sort_keys=False)
    return text, f"registry-{hashlib.sha1(text.encode()).hexdigest()[:12]}.yml"


# ---------------------------------------------------------------------------------------------- translations
#
# A community may publish each post in two languages (Optech: English and Chinese). The same Q&A item in both
# cites the same question link, so two entries of one community, in different scripts, that share a specific link
# are translations of each other. Each entry lists its partners (`translations`: ids), and its document indexes
# the partners' questions and answers in the `translation` field, so a query in one language finds the thread
# written in the other. Links are recomputed over the whole generation at every ingest that changes something:
# an unchanged post's entries gain a partner when the other language's post arrives later.

GENERIC_LINK = 3          # a link shared by this many entries of one script (a repository, a home page) says nothing
def link_key(url: str) -> str:
    """A URL compared loosely: no scheme, no `www.`, no fragment, no empty path segments or trailing slash, host
    in lower case."""
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//(?:www\.)?([^/?#]*)([^?#]*)(\?[^#]*)?", url.strip(), re.I)
    if not m:
        return url.strip()
    path = "/".join(p for p in m.group(2).split("/") if p)
    return f"{m.group(1).lower()}/{path}{m.group(3) or ''}"


def specific(key: str) -> bool:
    """Whether a link (a `link_key`) can name one question: it points below a site's or a repository's root, to a
    numbered page (`/a/76541`, `/t/slug/4101`, `/issues/191`, `?p=12`) or at least three levels down. A home page or a
    repository (`github.com/mosn/mosn`) is cited by items about anything."""
    path, _, query = key.partition("?")
    parts = [p for p in path.split("/")[1:] if p]
    return len(parts) >= 3 or len(parts) == 2 and any(ch.isdigit() for ch in "".join(parts)) \
        or any(ch.isdigit() for ch in query)


# Static-site generators keep a post's translations at the same path under another language's folder
# (Hugo's `content/zh/posts/x.md`, Jekyll's `_posts/zh/…`) or with the language before the extension (`x.zh.md`).
LANGUAGE_CODE = re.compile(r"(?:en|zh|zh[-_](?:cn|hans|hant|tw|hk|sg)|ja|ko|de|fr|es|it|pt|pt[-_]br|ru|vi|id|tr|pl|nl|"
                           r"uk|ar|fa|he|hi|th|cs|sv)", re.I)


def post_key(source: str) -> str:
    """A post's path without its language: `content/en/posts/x.md`, `content/zh/posts/x.md`, `content/posts/x.zh.md`
    and `content/posts/x.md` (Hugo's default language) -> `content/posts/x.md`. Posts with one key, in two scripts,
    are translations of each other."""
    parts = source.replace("\\", "/").split("/")
    kept = [x for x in parts[:-1] if not LANGUAGE_CODE.fullmatch(x)]
    stem, dot, ext = parts[-1].rpartition(".")
    base, lang_dot, lang = stem.rpartition(".")
    name = f"{base}{dot}{ext}" if lang_dot and LANGUAGE_CODE.fullmatch(lang) else parts[-1]
    return "/".join(kept + [name])


def _day(entry: dict) -> int | None:
    try:
        return dt.date.fromisoformat((entry.get("date") or "")[:10]).toordinal()
    except ValueError:
        return None


def link_translations(entries: dict[str, dict]) -> dict[str, list[str]]:
    """Entry id -> ids of its translations (at most one per other script), for entries that have any.

    Two entries are candidates when they are of one community, in different scripts, and share a `specific` link
    that no more than GENERIC_LINK - 1 entries of either script cite. Candidates are paired best first: more shared
    specific links, then the closer date, then the closer position in the post; each entry pairs once per script.
    Then items that cite nothing are paired by position inside posts so paired (`_align_posts`).
    """
    groups: dict[tuple, dict[str, list[str]]] = {}
    scripts: dict[str, str] = {}
    for eid, e in entries.items():
        keys = {k for k in (link_key(u) for u in e.get("links") or [] if u) if specific(k)}
        if not keys:
            continue
        scripts[eid] = entry_script(e)
        for k in keys:
            groups.setdefault((e.get("community") or "", k), {}).setdefault(scripts[eid], []).append(eid)
    score: dict[tuple[str, str], float] = {}
    for by_script in groups.values():
        if len(by_script) < 2:
            continue
        for sa, sb in ((a, b) for a in by_script for b in by_script if a < b):
            ea, eb = by_script[sa], by_script[sb]
            n = max(len(ea), len(eb))
            if n >= GENERIC_LINK:
                continue
            for a in ea:
                for b in eb:
                    score[(a, b)] = score.get((a, b), 0.0) + 1.0 / n

    def order(pair):
        a, b = pair
        da, db = _day(entries[a]), _day(entries[b])
        gap = abs(da - db) if da is not None and db is not None else 10 ** 6
        pos = abs((entries[a].get("position") or 0) - (entries[b].get("position") or 0))
        return (-score[pair], gap, pos, a, b)

    partner: dict[str, dict[str, str]] = {}

    def pair(a: str, b: str, sa: str, sb: str) -> bool:
        if sb in partner.get(a, {}) or sa in partner.get(b, {}):
            return False
        partner.setdefault(a, {})[sb] = b
        partner.setdefault(b, {})[sa] = a
        return True

    for a, b in sorted(score, key=order):
        pair(a, b, scripts[a], scripts[b])
    _align_posts(entries, partner, pair)
    _align_by_path(entries, partner, pair)
    return {eid: sorted(p.values()) for eid, p in partner.items()}


def _align_by_path(entries: dict[str, dict], partner: dict, pair):
    """Items of two posts at one `post_key` (a post and its translation, by where the site keeps it), in different
    scripts and with as many items each, paired by their place in the posts, unless a link paired them otherwise."""
    by_key: dict[tuple, dict[str, list[str]]] = {}
    for eid, e in entries.items():
        key = post_key(e.get("source") or "")
        by_key.setdefault((e.get("community") or "", key), {}).setdefault(e.get("source") or "", []).append(eid)
    for posts in by_key.values():
        if len(posts) != 2:
            continue
        (sa, ea), (sb, eb) = sorted(posts.items())
        if len(ea) != len(eb):
            continue
        ea = sorted(ea, key=lambda i: entries[i].get("position") or 0)
        eb = sorted(eb, key=lambda i: entries[i].get("position") or 0)
        pairs = list(zip(ea, eb, strict=True))      # (as many items each: checked above)
        if any(partner.get(a) and b not in partner[a].values() and any(
                entries[x].get("source") == sb for x in partner[a].values()) for a, b in pairs):
            continue                              # a link paired them another way: the places do not match
        for a, b in pairs:
            sa_, sb_ = entry_script(entries[a]), entry_script(entries[b])
            if sa_ != sb_:
                pair(a, b, sa_, sb_)


def _align_posts(entries: dict[str, dict], partner: dict, pair):
    """Items a link could not pair (one side cites nothing), paired by their place in two posts that are
    translations of each other: posts whose linked items all sit at one same offset of position, and that have
    the same number of items. Each post pairs with one post of the other script."""
    by_post: dict[str, list[str]] = {}
    for eid, e in entries.items():
        by_post.setdefault(e.get("source") or "", []).append(eid)
    offsets: dict[tuple[str, str], set[int]] = {}
    for a, ps in partner.items():
        for b in ps.values():
            sa, sb = entries[a].get("source") or "", entries[b].get("source") or ""
            if sa < sb:
                offsets.setdefault((sa, sb), set()).add(
                    (entries[b].get("position") or 0) - (entries[a].get("position") or 0))
    counterparts: dict[str, int] = {}
    for sa, sb in offsets:
        counterparts[sa] = counterparts.get(sa, 0) + 1
        counterparts[sb] = counterparts.get(sb, 0) + 1
    for (sa, sb), offs in offsets.items():
        if len(offs) != 1 or counterparts[sa] != 1 or counterparts[sb] != 1 \
                or len(by_post[sa]) != len(by_post[sb]):
            continue
        off = offs.pop()
        at = {entries[b].get("position") or 0: b for b in by_post[sb]}
        for a in by_post[sa]:
            b = at.get((entries[a].get("position") or 0) + off)
            if b is None or partner.get(a) or partner.get(b):
                continue
            sa_, sb_ = entry_script(entries[a]), entry_script(entries[b])
            if sa_ != sb_:
                pair(a, b, sa_, sb_)


def linked_document(entry: dict, partners: list[dict]) -> dict:
    """A Whoosh document for an entry (a `Thread.to_dict`), with its translations' ids in the stored entry and
    their questions and answers in the `translation` field."""
    fields = document(Thread.from_dict(entry))
    ids = [p["id"] for p in partners]
    if ids:
        fields["doc"] = json.dumps(dict(json.loads(fields["doc"]), translations=ids), ensure_ascii=False)
        fields["translation"] = "\n".join(f"{t.get('q') or ''}\n{t.get('a') or ''}"
                                           for p in partners for t in p.get("turns") or [])
    return fields


def previous_entries(gen: Path | None, ids: set[str]) -> dict[str, dict]:
    """The stored entries (with their `translations`) of the published generation whose ids are in `ids`."""
    snapshot = read_snapshot(gen) if gen is not None and ids else None
    if not snapshot:
        return {}
    return {d["id"]: d for d in snapshot["docs"] if d is not None and d["id"] in ids}


def write_linked(writer, fresh: dict[str, Thread], kept: dict[str, dict]):
    """Write the threads read now, and rewrite kept (unchanged) entries whose translations changed or whose
    partner was read again, after linking translations over all of them."""
    entries = {**kept, **{i: t.to_dict() for i, t in fresh.items()}}
    links = link_translations(entries)
    for eid, e in entries.items():
        ids = links.get(eid, [])
        if eid in kept and ids == (e.get("translations") or []) and not any(p in fresh for p in ids):
            continue                                    # stored as it should be
        if eid in kept:
            writer.delete_by_term("id", eid)
        writer.add_document(**linked_document(e, [entries[p] for p in ids]))


def import_threads(threads, index_dir: Path, wait: float = 0.0) -> IngestReport:
    """Replace the index with these threads (an export, or threads made elsewhere), translations linked as an
    ingest links them. The report says how many were added and how their vectors are made."""
    report = IngestReport()
    with Draft(Path(index_dir), wait) as draft:
        writer = draft.start()
        fresh = {t.id: t for t in threads}
        posts: dict = {}
        for t in fresh.values():
            posts.setdefault(t.source, {"root": "import", "sha": "", "ids": []})["ids"].append(t.id)
        write_linked(writer, fresh, {})
        report.added = len(fresh)
        draft.publish({"fingerprint": "import", "entries": len(fresh), "posts": posts},
                      finish=Vectors("auto", report))
        report.generation = draft.published.name
        Vectors.retire(index_dir, draft.published)
    return report
