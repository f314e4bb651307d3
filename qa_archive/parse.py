"""Files to posts: find Markdown files under a root, read their YAML front matter, report what cannot be read.

A bad file never stops an ingest: `read_post` raises `PostError` naming the file, and the caller skips it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .messages import SAFE_LOADER
from .models import POST_SUFFIXES, Post
from .profiles import Profile, community_of

MAX_POST_BYTES = 4 * 1024 * 1024     # the largest real post is ~150 KB; anything this big is not a weekly post
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)?\+\+\+[ \t]*(?:\n|\Z)", re.S)
JEKYLL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")       # `_posts/2024-03-26-newsletter.md`


class PostError(Exception):
    """A file that cannot be ingested. `fatal` ones fail the ingest's exit code; the others are skipped quietly."""

    def __init__(self, source: str, message: str, fatal: bool = True):
        super().__init__(f"{source}: {message}")
        self.source, self.message, self.fatal = source, message, fatal


@dataclass
class Source:
    """An ingest root and how its posts link back to the web, e.g. `https://www.sofastack.tech/blog/{dir}/`."""
    root: Path
    url: str | None = None
    profile: Profile | None = None      # the community's profile from sources.yml; None: the defaults

    @classmethod
    def from_config(cls, item: dict, base: Path, url: str | None = None) -> Source:
        """One entry of `sources:` in a sources.yml: `path`, `url` and the profile's keys (see profiles.py)."""
        from .profiles import from_config
        profile = from_config(item, base)
        return cls(Path(base) / str(item["path"]), profile.url or url, profile)


def find_posts(root: Path) -> Iterator[Path]:
    """Every post (`*.md`, `*.markdown`, `*.mdx`) below root, sorted, not following symlinked directories (no
    loops)."""
    root = Path(root)
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if d.lower().endswith(".md")]):
            if name.lower().endswith(POST_SUFFIXES):
                yield Path(dirpath) / name


def relative(path: Path, root: Path) -> str:
    root = Path(root)
    if root.is_file():
        return path.name
    return path.relative_to(root).as_posix()


def read_post(path: Path, root: Path, url_pattern: str | None = None, profile: Profile | None = None) -> Post:
    source = relative(path, root)
    if path.is_dir():
        raise PostError(source, "is a directory whose name ends in .md, not a post; skipped", fatal=False)
    if path.is_symlink() and not path.exists():
        raise PostError(source, "is a broken symbolic link; skipped")
    try:
        size = path.stat().st_size
        if size > MAX_POST_BYTES:
            raise PostError(source, f"is {size // 1024} KiB, over the {MAX_POST_BYTES // 1024} KiB limit for a "
                                    "post; skipped", fatal=False)
        raw = path.read_bytes()
    except OSError as e:
        raise PostError(source, f"cannot be read ({e.strerror or e})") from None
    if not raw.strip():
        raise PostError(source, "is empty; skipped", fatal=False)
    if b"\0" in raw[:8192] or _binary(raw):
        raise PostError(source, "is a binary file, not a text file (it has NUL or control bytes); skipped")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PostError(source, f"is not UTF-8 (invalid byte at offset {e.start}); re-save it as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body, warnings = split_front_matter(text, source)
    title = meta.get("title")
    post = Post(
        source=source,
        title=str(title).strip() if isinstance(title, (str, int, float)) else path.parent.name,
        date=None, body=body, tags=_strings(meta.get("tags")), categories=_strings(meta.get("categories")),
        sha=hashlib.sha256(raw).hexdigest(), warnings=warnings,
    )
    if "date" in meta:
        post.date = parse_date(meta["date"])
        if post.date is None:
            post.warnings.append(f"front matter date {str(meta['date'])[:40]!r} does not parse; the post has no date")
    if post.date is None and (m := JEKYLL_DATE.match(path.name)):
        post.date = parse_date(m.group(1))          # Jekyll: the date is in the file name
    post.body_line = text.count("\n") - body.count("\n") + 1
    post.community = community_of(root, profile)
    post.profile = profile
    # control characters (form feeds, NULs) are not text, and XML (the Atom feed) cannot carry them
    post.body = CONTROL.sub("", body)
    post.url = post_url(path, root, source, meta, url_pattern)
    return post


CONTROL_BYTES = bytes([*range(9), *range(14, 32), 127])      # not tab, newline, vertical tab, form feed or return


def _binary(raw: bytes) -> bool:
    """Random or compiled bytes: text in any encoding (UTF-8, GBK) has almost no control bytes; random bytes have
    about one in nine."""
    head = raw[:8192]
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    return controls > max(len(head) * 0.02, 8)


# Where an alias (`*name`) can begin: at a line's start, after white space (`key: *a`, `- *a`) or a flow indicator
# (`[*a]`, `{k: *a}`, `a,*b`). A `*` inside a word or a quoted URL (`img/A*y3X`) is text, not an alias.
ALIAS_START = re.compile(r"(?:^|[\s\[{,])\*", re.M)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML that reads an alias (`*name`) as empty instead of expanding it: a billion-laughs bomb stays small."""
    aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            self.aliases += 1
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


def _load_yaml(text: str) -> tuple[object, int]:
    if not ALIAS_START.search(text):
        # no alias to guard against: libyaml's parser (SAFE_LOADER) reads the same data faster
        return yaml.load(text, Loader=SAFE_LOADER), 0
    loader = _NoAliasLoader(text)
    try:
        return loader.get_single_data(), loader.aliases
    finally:
        loader.dispose()


def split_front_matter(text: str, source: str) -> tuple[dict, str, list[str]]:
    if text.startswith("+++"):
        return _toml_front_matter(text, source)
    if not text.startswith("---"):
        return {}, text, []
    m = FRONT_MATTER.match(text)
    if not m:
        raise PostError(source, "front matter starts with --- but is never closed")
    warnings = []
    try:
        meta, aliases = _load_yaml(m.group(1) or "")
        meta = meta or {}
        if aliases:
            warnings.append(f"front matter uses YAML aliases ({aliases} `*name` references); they were read as "
                            "empty, not expanded")
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" at line {where.line + 2}" if where else ""
        raise PostError(source, f"front matter is not valid YAML{line}: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(meta, dict):
        raise PostError(source, f"front matter is a YAML {type(meta).__name__}, not a mapping of fields")
    return meta, text[m.end():], warnings


def _toml_front_matter(text: str, source: str) -> tuple[dict, str, list[str]]:
    """Hugo's `+++` TOML front matter (tomllib, Python 3.11+; on older Pythons its `key = value` lines)."""
    m = TOML_FRONT_MATTER.match(text)
    if not m:
        raise PostError(source, "front matter starts with +++ but is never closed")
    try:
        import tomllib
    except ImportError:                 # Python 3.10
        return _toml_lines(m.group(1) or ""), text[m.end():], []
    try:
        meta = tomllib.loads(m.group(1) or "")
    except tomllib.TOMLDecodeError as e:
        raise PostError(source, f"front matter is not valid TOML: {e}") from None
    return meta, text[m.end():], []


def _toml_lines(block: str) -> dict:
    meta: dict = {}
    for line in block.split("\n"):
        m = re.match(r"^\s*([A-Za-z_][\w-]*)\s*=\s*(.+?)\s*$", line)
        if m:
            value = m.group(2)
            if value[:1] in "\"'" and value[-1:] == value[:1]:
                value = value[1:-1]
            elif value.startswith("["):
                value = re.findall(r"[\"']([^\"']*)[\"']", value)
            meta[m.group(1)] = value
    return meta


def parse_date(value) -> str | None:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        s = value.strip()
        for candidate in (s, s.replace(" ", "T", 1), s.replace("Z", "+00:00")):
            try:
                return dt.datetime.fromisoformat(candidate).isoformat()
            except ValueError:
                pass
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return dt.datetime.strptime(s[:11].strip(), fmt).date().isoformat()
            except ValueError:
                pass
    return None


def post_url(path: Path, root: Path, source: str, meta: dict, pattern: str | None) -> str | None:
    """Fill a URL pattern: {dir} the post's folder (or file stem), {slug} front matter slug or {dir}, {path} source,
    {permalink} the front matter's permalink (Jekyll) or {slug}."""
    if isinstance(meta.get("url"), str) and meta["url"].startswith(("http://", "https://")):
        return meta["url"]
    if not pattern:
        return None
    directory = path.parent.name if path.stem in ("index", "_index") else path.stem
    slug = meta.get("slug") if isinstance(meta.get("slug"), str) else directory
    from urllib.parse import quote
    permalink = meta.get("permalink") if isinstance(meta.get("permalink"), str) else slug
    return pattern.format(dir=quote(directory), slug=quote(slug), path=quote(source),
                          permalink=quote(permalink.lstrip("/")))


def _strings(value) -> list[str]:
    """Tags and categories as a short list of strings, whatever shape the YAML had (a YAML bomb stays small)."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value[:50] if isinstance(v, (str, int, float)) and str(v).strip()]
    return []
