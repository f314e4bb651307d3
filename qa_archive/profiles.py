"""Source profiles: what a community's posts do that the conventions cannot guess.

A source without a profile uses the defaults; a profile (an entry of `sources.yml`) can name the community and its
language, give its own project or topic registry, and add patterns for a section heading, an asker line, an answer
label, a project link line and a tag reference. Nothing here reads posts: the profile is data that `parse` attaches
to each post and `extract` consults.

    sources:
      - path: corpus/weekly
        url: https://example.org/blog/{dir}/
        community: example            # the key of the community facet (`community:example`)
        name: Example Weekly          # its display name
        language: zh
        projects: registries/example.yml
        patterns:
          section: ['^社区答疑$']            # extra Q&A section headings
          asker: ['^来自\\s*(?P<name>\\S+)\\s*的问题[:：]?\\s*(?P<rest>.*)$']   # `name` (and optional `rest`)
          answer: ['^(?:官方回复)\\s*[:：]\\s*']                                 # a prefix removed from the answer
          link: ['^项目地址\\s*[:：]\\s*(?P<url>https?://\\S+)$']               # `url` (and optional `label`)
          tag: ['^topic\\s+(?P<tag>.+)$']                                     # reference-link keys that are tags
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .models import POST_SUFFIXES

GENERIC_DIRS = {"", ".", "posts", "_posts", "content", "blog", "post", "docs", "data", "corpus", "src", "site", "www",
                "newsletters", "newsletter", "en", "zh", "articles"}
PATTERN_KINDS = ("section", "asker", "answer", "link", "tag")


class ProfileError(ValueError):
    """A profile that cannot be used: the message names the field."""


@dataclass
class Profile:
    community: str | None = None          # facet key; None: derived from the source's folder
    name: str | None = None               # display name
    language: str | None = None           # "zh", "en", ...
    url: str | None = None                # URL pattern of its posts
    projects: Path | None = None          # its own project/topic registry (merged before the shared one)
    patterns: dict = field(default_factory=dict)   # kind -> [compiled regex]

    def extra(self, kind: str) -> list[re.Pattern]:
        return self.patterns.get(kind, [])

    def fingerprint(self) -> str:
        """What reading a post with this profile depends on (the community key its entries carry, the URL
        pattern, the registry's text, the patterns): when it changes, the source's posts are read again even if
        they did not change. The display name and language are the community's, not its entries', so not here."""
        try:
            registry = self.projects.read_bytes() if self.projects else b""
        except OSError:
            registry = b"missing"
        parts = [self.community, self.url, str(self.projects or ""),
                 hashlib.sha1(registry).hexdigest(),
                 {k: [r.pattern for r in v] for k, v in sorted(self.patterns.items())}]
        return hashlib.sha1(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


DEFAULT = Profile()


def from_config(item: dict, base: Path | None = None) -> Profile:
    """A profile from one `sources:` entry (the keys other than `path` and `url` are optional)."""
    base = Path(base or ".")
    patterns: dict[str, list[re.Pattern]] = {}
    raw = item.get("patterns") or {}
    if not isinstance(raw, dict):
        raise ProfileError("`patterns` must be a mapping of section/asker/answer/link/tag to regular expressions")
    for kind, values in raw.items():
        if kind not in PATTERN_KINDS:
            raise ProfileError(f"unknown pattern kind {kind!r} (known: {', '.join(PATTERN_KINDS)})")
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list):
            raise ProfileError(f"patterns.{kind} must be a regular expression or a list of them")
        compiled = []
        for v in values:
            try:
                compiled.append(re.compile(str(v), re.I))
            except re.error as e:
                raise ProfileError(f"patterns.{kind}: {v!r} is not a regular expression ({e})") from None
        patterns[kind] = compiled
    projects = item.get("projects")
    community = item.get("community")
    return Profile(community=slug(str(community)) if community else None,
                   name=str(item["name"]) if item.get("name") else None,
                   language=str(item["language"]) if item.get("language") else None,
                   url=item.get("url") if isinstance(item.get("url"), str) else None,
                   projects=(base / str(projects)) if projects else None, patterns=patterns)


def slug(text: str) -> str:
    """`Bitcoin Optech` -> `bitcoin-optech`; CJK letters stay."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^\w]+", "-", text).strip("-_") or "default"


def community_of(root: Path, profile: Profile | None = None) -> str:
    """The profile's community, else the name of the source's folder: the first one above generic folders
    (`content`, `_posts`, `blog`), with a web-site suffix dropped (`sofastack.tech` -> `sofastack`)."""
    if profile is not None and profile.community:
        return profile.community
    path = Path(root).resolve()
    if path.is_file() or path.suffix.lower() in POST_SUFFIXES:
        path = path.parent
    for part in [path, *path.parents][:4]:
        if part != path and any((part / marker).exists() for marker in (".git", "pyproject.toml", "setup.cfg")):
            break                               # not above the project or repository that holds the posts
        name = part.name.lower()
        if name and name not in GENERIC_DIRS:
            name = re.sub(r"\.(com|org|net|io|tech|dev|cn|info|site|blog)$", "", name)
            name = re.sub(r"^www\.", "", name)
            return slug(name)
    return slug(path.name) if path.name else "default"
