"""The project registry: canonical names, aliases and repositories, from the packaged `projects.yml` (or the file
QA_ARCHIVE_PROJECTS or a source profile names).

One place answers "which project is this?" for the extractor (link-line labels, mentions in text), the index
(tags) and the query language (`project:jraft`).
"""
from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from .messages import SAFE_LOADER

PACKAGED = Path(__file__).resolve().parent / "projects.yml"


def squash(name: str) -> str:
    """`SOFA-Registry`, `sofa registry` and `SOFARegistry` all squash to `sofaregistry`."""
    name = unicodedata.normalize("NFKC", name or "").lower()
    return re.sub(r"[\s\-_.*「」\[\]()（）]+", "", name)


@dataclass
class Project:
    name: str
    repo: str | None = None
    aliases: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


class Registry:
    def __init__(self, projects: list[Project]):
        self.projects = projects
        self.by_key: dict[str, Project] = {}
        for p in projects:
            for key in [p.name, *p.aliases]:
                self.by_key.setdefault(squash(key), p)

    @cached_property
    def _mention(self) -> re.Pattern | None:
        """Mentions in running text: ASCII names, any case, hyphens or spaces between their letters allowed, not
        inside a longer ASCII word. Longest keys first so `sofajraft` wins over `jraft`. Compiled on first use (a
        keyword search never asks; compiling costs a cold terminal search about 10 ms)."""
        keys = sorted((k for k in self.by_key if k.isascii() and len(k) >= 3), key=len, reverse=True)
        alts = ["[-_ ]?".join(re.escape(ch) for ch in k) for k in keys]
        return re.compile(r"(?<![a-z0-9])(" + "|".join(alts) + r")(?![a-z0-9])") if alts else None

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Registry:
        return _load(str(path or default_path()))

    def lookup(self, label: str, fuzzy: bool = True) -> Project | None:
        """The project a label names: exact after squashing, or a near miss (`SOFARegistery`)."""
        key = squash(label)
        if not key:
            return None
        if key in self.by_key:
            return self.by_key[key]
        if fuzzy and len(key) >= 5:
            close = difflib.get_close_matches(key, list(self.by_key), n=1, cutoff=0.85)
            if close:
                return self.by_key[close[0]]
        return None

    def by_url(self, url: str) -> Project | None:
        """The project whose repository a URL points into (the longest matching repo wins)."""
        best = None
        u = (url or "").lower().rstrip("/")
        for p in self.projects:
            r = (p.repo or "").lower().rstrip("/")
            if r and (u == r or u.startswith(r + "/")) and (best is None or len(r) > len(best.repo)):
                best = p
        return best

    def mentions(self, text: str) -> list[str]:
        """Canonical names of the projects a text mentions, in order of first mention."""
        if not self._mention:
            return []
        found: list[str] = []
        text = re.sub(r"https?://\S+", " ", unicodedata.normalize("NFKC", text or "").lower())
        for m in self._mention.finditer(text):
            p = self.by_key.get(squash(m.group(1)))
            if p and p.name not in found:
                found.append(p.name)
        return found

    def topics(self, text: str) -> list[str]:
        """The project whose topic keywords (`全局事务` for Seata) a text uses most: a weaker signal than a name."""
        folded = unicodedata.normalize("NFKC", text or "").lower()
        best, best_hits = [], 0
        for p in self.projects:
            hits = sum(1 for k in p.keywords if _has_keyword(folded, k.lower()))
            if hits > best_hits:
                best, best_hits = [p.name], hits
        return best

    def canonical(self, name: str) -> str:
        p = self.lookup(name, fuzzy=False)
        return p.name if p else name


def _has_keyword(text: str, keyword: str) -> bool:
    """`tc` is a keyword in `TC 集群` but not in `btc` or `match`: a Latin keyword is a whole word."""
    if not keyword.isascii():
        return keyword in text
    return re.search(r"(?<![a-z0-9])" + re.escape(keyword) + r"(?![a-z0-9])", text) is not None


def default_path() -> Path:
    """QA_ARCHIVE_PROJECTS, else the packaged registry. Never a file found through the working directory: the
    registry an ingest used is recorded with its generation, and where a command is started must not change it."""
    env = os.environ.get("QA_ARCHIVE_PROJECTS")
    return Path(env) if env else PACKAGED


@lru_cache(maxsize=8)
def _load(path: str) -> Registry:
    raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}    # (a cold `search` reads one)
    projects = []
    for item in raw.get("projects") or []:
        if isinstance(item, dict) and item.get("name"):
            projects.append(Project(name=str(item["name"]), repo=item.get("repo"),
                                    aliases=[str(a) for a in item.get("aliases") or []],
                                    keywords=[str(k) for k in item.get("keywords") or []]))
    return Registry(projects)

