"""The shared types that flow through the stages: a post read from disk, and a Q&A thread extracted from it.

Every later stage (index, search, web, cli) speaks in these; nothing reaches back into an earlier stage.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field

POST_SUFFIXES = (".md", ".markdown", ".mdx")      # what a post's file is called (`.mdx`: Docusaurus, Astro)


@dataclass
class Post:
    source: str                 # path relative to the ingest root, with forward slashes
    title: str
    date: str | None            # ISO 8601 (date or datetime) or None when the post has none / it did not parse
    body: str                   # Markdown without the front matter, LF line endings
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    sha: str = ""               # content fingerprint, for incremental ingest
    warnings: list[str] = field(default_factory=list)
    community: str | None = None   # the source's community (its profile's, else its folder's name)
    profile: object = None         # the source's `profiles.Profile`, or None for the defaults
    body_line: int = 1             # the file's line on which the body starts (after the front matter)


@dataclass
class Turn:
    q: str                      # plain text
    a: str | None
    q_md: str = ""              # the Markdown as written, for display
    a_md: str | None = None


@dataclass
class Thread:
    id: str
    source: str
    title: str
    date: str | None
    url: str | None
    asker: str | None
    turns: list[Turn]
    projects: list[str]
    links: list[str]
    position: int = 0           # order within its post
    community: str | None = None   # which community's post it came from (the facet `community:`)

    @property
    def question(self) -> str:
        return self.turns[0].q if self.turns else ""

    @property
    def answer(self) -> str:
        return (self.turns[0].a or "") if self.turns else ""

    def to_dict(self) -> dict:
        """The export shape: the contract of `qa-archive export`, the JSON API and `import`."""
        return {
            "id": self.id, "source": self.source, "title": self.title, "date": self.date, "url": self.url,
            "asker": self.asker, "question": self.question, "answer": self.answer,
            "turns": [{"q": t.q, "a": t.a} for t in self.turns],
            "turns_md": [{"q": t.q_md, "a": t.a_md} for t in self.turns],
            "projects": list(self.projects), "links": list(self.links), "position": self.position,
            "community": self.community,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Thread:
        mds = d.get("turns_md") or [{} for _ in d.get("turns") or []]
        turns = [Turn(q=t.get("q") or "", a=t.get("a"), q_md=m.get("q") or t.get("q") or "",
                      a_md=m.get("a") if m.get("a") is not None else t.get("a"))
                 for t, m in zip(d.get("turns") or [], mds, strict=False)]
        if not turns and (d.get("question") or d.get("answer")):
            turns = [Turn(q=d.get("question") or "", a=d.get("answer"), q_md=d.get("question") or "",
                          a_md=d.get("answer"))]
        return cls(id=d["id"], source=d.get("source") or "", title=d.get("title") or "", date=d.get("date"),
                   url=d.get("url"), asker=d.get("asker"), turns=turns, projects=list(d.get("projects") or []),
                   links=list(d.get("links") or []), position=int(d.get("position") or 0),
                   community=d.get("community") or None)


def fold(text: str) -> str:
    """Letters, digits and CJK only, NFKC-folded and lower-cased: for ids and fuzzy comparisons."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def thread_id(source: str, asker: str | None, question: str, taken: set[str]) -> str:
    """A stable id: the same post and question give the same id on every ingest; other posts never move it."""
    base = hashlib.sha1(f"{source}\n{fold(asker or '')}\n{fold(question)[:200]}".encode()).hexdigest()[:12]
    ident, n = base, 2
    while ident in taken:           # two identical questions in one post
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident


__all__ = ["Post", "Turn", "Thread", "fold", "thread_id", "asdict"]
