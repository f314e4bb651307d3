"""The ingest pipeline: sources → posts → threads → a new generation of the index.

    parse.find_posts / parse.read_post     a folder of Markdown files → Posts (front matter, body, problems)
    extract.extract                        a Post → Threads (questions, answers, askers, projects)
    index.document / index.Draft           Threads → Whoosh documents in an unpublished generation, then published

Only posts whose bytes changed since the last ingest are read again (the manifest keeps each post's hash and its
entry ids). The registry of projects used is written into the generation (`registry-<hash>.yml`), so searches
and `serve` read the one the ingest used, wherever they are started.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .extract import extract
from .index import SCHEMA_VERSION, Draft, document
from .parse import PostError, Source, find_posts, read_post, relative
from .profiles import community_of
from .projects import Registry, squash

EXTRACTOR_VERSION = 6          # bump when extraction changes: every post is read again on the next ingest


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
        files = [(s, f) for s in sources for f in find_posts(s.root)]
        for n, (src, path) in enumerate(files, 1):
            if progress:
                progress(n, len(files), str(path))
            _ingest_one(src, path, posts, seen, writer, registry, report, str(src.root.resolve()))
        for source, info in list(posts.items()):
            if info.get("root") in roots and source not in seen:
                writer.delete_by_term("source", source)
                report.removed += len(info.get("ids") or [])
                del posts[source]
        if dropped:
            kept = {i for info in posts.values() for i in info.get("ids") or []}
            report.removed += len(dropped - kept)
        held = {**(old.get("communities") or {}), **communities(sources)}
        if copy_old and not report.posts_read and not report.removed and held == previous.get("communities"):
            draft.discard()             # (a community renamed in sources.yml is published even so)
        else:
            text, name = registry_file(recorded)
            total = sum(len(v.get("ids") or []) for v in posts.values())
            draft.publish({"fingerprint": fingerprint, "entries": total, "registry": name, "posts": posts,
                           "communities": held,
                           "report": {k: v for k, v in report.as_dict().items()
                                      if k not in ("problems", "warnings")}},
                          files={name: text})
        report.generation = draft.published.name
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _ingest_one(src: Source, path: Path, posts: dict, seen: set, writer, registry, report: IngestReport, root: str):
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
