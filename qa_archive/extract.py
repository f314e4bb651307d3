"""Posts to Q&A threads, by walking markdown-it-py's token stream.

The post body is parsed once into top-level blocks. Paragraphs are cut into lines (at soft breaks and `<br>`),
because the weekly posts put an answer and its project link line in one paragraph. Each piece is then classified
by what it says (an asker line, a group header, an `A：` answer, a project link line, a quoted question, a section
heading) and a small state machine turns the pieces into threads. Nothing here reads the raw text with regexes
alone: the regexes only look at the plain text of one line that the tokens delimit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .models import Post, Thread, Turn, thread_id
from .projects import Registry

_md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")

NUM = r"(?:\d{1,3}\s*[、.．,，)）]\s*)"
# `**1、@name** 提问：`, `@name 提问：`, `**1.@handle** #914`, optionally with the question on the same line
ASKER_AT = re.compile(rf"^\s*{NUM}?@\s*(?P<name>[^\s@#：:，,]{{1,40}})\s*(?:提问|问题|问)?\s*(?:#\s*\d+)?\s*(?:提问)?\s*[:：]?\s*"
                      rf"(?P<rest>.*)$")
# `**1、@John Deng** 提问：`: a name with spaces, when 提问 or an issue number ends the line
ASKER_AT_SPACED = re.compile(rf"^\s*{NUM}?@\s*(?P<name>[^\s@#：:，,。][^@#：:，,。]{{0,39}}?)\s*(?:提问\s*[:：]?|#\s*\d+)\s*$")
# `**1. 清源** 提问：` (no @: the word 提问 is required and nothing may follow it)
ASKER_NAMED = re.compile(rf"^\s*{NUM}?(?P<name>[^\s@#：:，,。]{{1,30}})\s*提问\s*[:：]?\s*$")
# `**2.Ann Lee & 赵宇** 提问：`: names with spaces, only when the line starts in bold
ASKER_SPACED = re.compile(rf"^\s*{NUM}?(?P<name>[^@#：:，,。]{{1,30}}?)\s*提问\s*[:：]?\s*$")
# `**3、提问：**`: an item without an asker
ASKER_NONE = re.compile(rf"^\s*{NUM}?(?:提问|问题|Q)\s*[:：]\s*$")
# `**2、关于 SOFARegistry 的几个问题：**`: several askers under one topic
GROUP = re.compile(rf"^\s*{NUM}?关于\s*(?P<topic>.+?)\s*(?:的)?\s*(?:几个|一些|相关)?\s*(?:问题|提问)(?:回答|解答)?\s*[:：]?\s*$")
ANSWER = re.compile(r"^\s*(?:A|答|回答)\s*[:：]+\s*")
ANSWER_MD = re.compile(r"^\s*(?:(\*\*|__)\s*(?:A|答|回答)\s*[:：]+\s*\1|(?:A|答|回答)\s*[:：]+)\s*")
# `「SOFARegistry」：url`, `SOFAJRaft：url`, `MOSN:url`
LINK_LINE = re.compile(r"^\s*(?P<open>「)?\s*(?P<label>[^「」：:\n]{1,40}?)\s*(?(open)」\s*[:：]?|[:：])\s*"
                       r"(?P<url>https?://\S+)\s*$")
QA_HEADING = re.compile(r"问答|答疑|\bQ\s*&?\s*A\b|QA|issue\s*精选", re.I)


def is_qa_heading(text: str) -> bool:
    """`每周读者问答提炼`, `本周 QA`, `GitHub issue 精选`; not the tagline `筛选每周精华问答，同步开源进展`."""
    return len(text) <= 30 and "，" not in text and bool(QA_HEADING.search(text))
BR = re.compile(r"<br\s*/?>", re.I)
EDITOR_POINTER = re.compile(r"^\s*(相关阅读|推荐阅读|延伸阅读|相关推荐|往期回顾)\s*[:：]")
QUOTE_PREFIX = re.compile(r"^[ \t]{0,3}> ?")
STRAY_STARS = re.compile(r"(^|\s)\*+|\*+(\s|$)")     # emphasis markers CommonMark left as text


@dataclass
class Piece:
    """One classified unit of a post: a paragraph line, a quote, a heading or another block."""
    kind: str            # "line" | "quote" | "heading" | "block"
    text: str            # plain text
    md: str              # the Markdown as written
    bold: bool = False   # the whole line is bold: a section title in the posts that use no headings
    urls: list = field(default_factory=list)


@dataclass
class _Item:
    asker: str | None
    group: _Group | None
    turns: list = field(default_factory=list)        # [[q_texts, q_mds, a_texts | None, a_mds | None]]
    links: list = field(default_factory=list)        # [(label, url)] from project link lines
    section: int = 0                                  # items of one section may share a closing link line
    quoted: bool = False                              # the current question came from a blockquote
    done: bool = False                                # a project link line closed the item

    def turn(self):
        if not self.turns:
            self.turns.append([[], [], None, None])
        return self.turns[-1]


@dataclass
class _Group:
    topic: str
    links: list = field(default_factory=list)
    items: list = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- tokens to pieces

INVISIBLE = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00a0": " ",
                           "\u3000": " ", **{chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}})


def inline_text(children: list[Token] | None) -> str:
    out = []
    for t in children or []:
        if t.type == "text":
            # emphasis markers CommonMark could not pair (`1*（对于 BoltV1）*和`) are markup, not text
            out.append(t.content.replace("*", "").translate(INVISIBLE))
        elif t.type == "code_inline":
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak") or (t.type == "html_inline" and BR.fullmatch(t.content.strip())):
            out.append("\n")
    return "".join(out)


def inline_urls(children: list[Token] | None) -> list[str]:
    return [t.attrGet("href") for t in children or [] if t.type == "link_open" and t.attrGet("href")]


def is_bold_line(children: list[Token] | None) -> bool:
    depth, seen = 0, False
    for t in children or []:
        if t.type == "strong_open":
            depth += 1
            seen = True
        elif t.type == "strong_close":
            depth -= 1
        elif depth == 0 and (t.type not in ("text", "softbreak") or t.content.strip()):
            return False
    return seen


def pieces(body: str) -> tuple[list[Piece], list[str]]:
    """The post as a flat list of pieces, and warnings about its Markdown (an unclosed code fence)."""
    tokens = _md.parse(body)
    lines = body.split("\n")
    out, warnings = [], []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.level != 0:
            i += 1
            continue
        # the tokens of this top-level block
        j = i
        if tok.nesting == 1:
            depth = 0
            while j < len(tokens):
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
        block = tokens[i:j + 1]
        i = j + 1
        start, end = tok.map or (0, 0)
        source = "\n".join(lines[start:end])
        if tok.type == "paragraph_open":
            out.extend(_paragraph_lines(block[1]))
        elif tok.type == "heading_open":
            out.append(Piece("heading", inline_text(block[1].children).strip(), source))
        elif tok.type == "blockquote_open":
            text = "\n".join(_block_text(block))
            md = "\n".join(QUOTE_PREFIX.sub("", ln, count=1) for ln in source.split("\n"))
            urls = [u for t in block if t.type == "inline" for u in inline_urls(t.children)]
            out.append(Piece("quote", text, BR.sub("\n", md), urls=urls))
        elif tok.type == "html_block":
            # the text of raw HTML, without what browsers never show (scripts, styles, comments)
            visible = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|\Z)|<!--.*?(-->|\Z)", " ", tok.content)
            text = re.sub(r"<[^>]*>", " ", visible).strip()
            if text:
                out.append(Piece("block", text, text))
        elif tok.type == "bullet_list_open" and _all_link_lines(block):
            for t in block:                        # `- SOFABoot：url` items are project link lines
                if t.type == "inline":
                    out.append(Piece("line", inline_text(t.children).strip(), t.content,
                                     urls=inline_urls(t.children)))
        elif tok.type == "hr":
            out.append(Piece("heading", "", source))
        else:
            if tok.type == "fence" and not _closes_fence(lines[end - 1], tok.markup, start, end):
                warnings.append(f"code fence opened at line {start + 1} is never closed")
            out.append(Piece("block", "\n".join(_block_text(block)), source))
    return out, warnings


def _all_link_lines(block: list[Token]) -> bool:
    texts = [inline_text(t.children).strip() for t in block if t.type == "inline"]
    return bool(texts) and all(LINK_LINE.match(x) and not LINK_LINE.match(x).group("label").strip()[:1].isdigit()
                               for x in texts)


def _closes_fence(last: str, markup: str, start: int, end: int) -> bool:
    return end - start >= 2 and last.strip().startswith(markup[:3]) and set(last.strip()) <= set(markup[0])


def _block_text(block: list[Token]) -> list[str]:
    texts, number = [], ""
    for t in block:
        if t.type == "list_item_open" and t.info:          # `3.` of an ordered list is part of what was said
            number = f"{t.info}{t.markup} "
        elif t.type == "inline":
            texts.append(number + inline_text(t.children))
            number = ""
        elif t.type in ("fence", "code_block"):
            texts.append(t.content.rstrip("\n"))
    return [s for s in texts if s.strip()]


def _paragraph_lines(inline: Token) -> list[Piece]:
    """A paragraph cut at its line breaks: `A：…<br />SOFAJRaft：url` is an answer line and a link line."""
    result = []
    for raw in BR.split(inline.content):
        for line in raw.split("\n"):
            if not line.strip():
                continue
            children = _md.parseInline(line)[0].children
            text = STRAY_STARS.sub(r"\1\2", inline_text(children)).strip()
            result.append(Piece("line", text, line.strip(), is_bold_line(children), inline_urls(children)))
    return result


# ---------------------------------------------------------------------------------------------- pieces to threads

def extract(post: Post, registry: Registry) -> tuple[list[Thread], list[str]]:
    """The Q&A threads of a post, and warnings (a Q&A heading with nothing extracted, Markdown problems)."""
    parts, warnings = pieces(post.body)
    parts = _join_split_link_lines(_split_quotes(parts, registry), registry)
    items: list[_Item] = []
    group: _Group | None = None
    item: _Item | None = None
    in_qa = False
    qa_heading_seen = False
    section = 0

    def close_item():
        nonlocal item
        if item is not None and (any(t[2] for t in item.turns) or (item.done and any(t[0] for t in item.turns))):
            items.append(item)
            if item.group:
                item.group.items.append(item)
        item = None

    def close_all():
        nonlocal group, section
        close_item()
        group = None
        section += 1

    def start_item(asker, numbered=True):
        nonlocal item, group
        close_item()
        if numbered and group is not None and asker is not None and _has_number(p.text.lstrip("* ")):
            group = None          # `**3、@name**` ends the group `**2、关于 …**`
        item = _Item(asker=asker, group=group, section=section)

    for p in parts:
        if p.kind == "heading":
            close_all()
            in_qa = is_qa_heading(p.text)
            qa_heading_seen |= in_qa
            continue
        if p.kind == "line":
            # stray emphasis markers (`**1、@name **提问：` is not bold in CommonMark) do not change what a line says
            text = p.text.replace("*", "")
            m = ASKER_AT_SPACED.match(text) or ASKER_AT.match(text)
            if m and _plausible_name(m.group("name")):
                start_item(_name(m.group("name")))
                in_qa = True
                rest = (m.groupdict().get("rest") or "").strip()
                if rest and not re.fullmatch(r"[:：#\d\s]*", rest):
                    t = item.turn()
                    t[0].append(rest)
                    t[1].append(re.sub(r"^.*?提问\s*[:：]\s*", "", p.md, count=1))
                continue
            m = None if ASKER_NONE.match(text) else (ASKER_NAMED.match(text) or (p.md.lstrip().startswith(("**", "__")) and ASKER_SPACED.match(text)))
            if m and _plausible_name(m.group("name")):
                start_item(_name(m.group("name")))
                in_qa = True
                continue
            if ASKER_NONE.match(text):
                start_item(None)
                in_qa = True
                continue
            m = GROUP.match(text)
            if m and len(text) <= 120:
                close_all()
                group = _Group(topic=m.group("topic"))
                in_qa = True
                continue
            link = _link_line(p, registry)
            if link:
                label, url = link
                target = item if item is not None else group
                if target is not None:
                    target.links.append((label, url))
                    if item is not None:
                        item.done = True
                        if item.group is not None:       # the group's link line follows its last item
                            item.group.links.append((label, url))
                continue
            if p.bold and not ANSWER.match(p.text) and (item is None or item.done or not _label_like(p.text)):
                close_all()
                in_qa = is_qa_heading(p.text)
                qa_heading_seen |= in_qa
                continue
            if item is None or item.done:
                continue
            if EDITOR_POINTER.match(text):              # `相关阅读：…` is the editor's, not the answer's
                item.done = True
                continue
            if ANSWER.match(p.text):
                t = item.turn()
                if t[2] is None:
                    t[2], t[3] = [], []
                t[2].append(ANSWER.sub("", p.text, count=1))
                t[3].append(ANSWER_MD.sub("", p.md, count=1))
                continue
            _append(item, p)
            continue
        if p.kind == "quote":
            if item is not None and item.done:       # a follow-up after the project link line
                item.done = False
            elif item is None:
                if not in_qa or (group is None and not items):
                    continue
                start_item(None, numbered=False)     # a quoted question with no asker line
            t = item.turn()
            if t[2] is not None:                     # answered: this quote is a follow-up question
                item.turns.append([[], [], None, None])
                t = item.turns[-1]
            q_text, a_text = _split_on_answer(p.text)
            q_md, a_md = _split_on_answer(p.md)
            t[0].append(q_text)
            t[1].append(q_md)
            if a_text is not None:                   # `>question` then a lazy `A：answer` line: one blockquote
                t[2], t[3] = [a_text], [a_md or a_text]
            item.quoted = True
            continue
        if item is not None and not item.done:       # lists, code, tables, images inside a question or answer
            _append(item, p)
    close_all()

    threads = _threads(post, items, registry)
    if qa_heading_seen and not threads:
        warnings.append("has a Q&A section but no thread could be extracted from it (an unknown format?)")
    return threads, warnings


LABEL_ONLY = re.compile(r"^\s*(「)?\s*(?P<label>[^「」：:\n]{1,40}?)\s*(?(1)」)\s*[:：]\s*$")
URL_ONLY = re.compile(r"^\s*https?://\S+\s*$")


def _join_split_link_lines(parts: list[Piece], registry: Registry) -> list[Piece]:
    """`「SOFARegistry」：` in one paragraph and its URL in the next are one project link line."""
    out: list[Piece] = []
    for p in parts:
        prev = out[-1] if out else None
        if (prev is not None and p.kind == "line" and prev.kind == "line" and URL_ONLY.match(p.text)
                and (m := LABEL_ONLY.match(prev.text.replace("*", "")))
                and (m.group(1) or registry.lookup(m.group("label")))):
            out[-1] = Piece("line", f"{prev.text.replace('*', '').strip()}{p.text.strip()}",
                            f"{prev.md}{p.md}", urls=p.urls or [p.text.strip()])
            continue
        out.append(p)
    return out


def _starts_item(text: str) -> bool:
    text = text.replace("*", "")
    return bool(ASKER_AT.match(text) or ASKER_NAMED.match(text) or GROUP.match(text))


def _split_quotes(parts: list[Piece], registry: Registry) -> list[Piece]:
    """A blockquote that swallowed the next line (a lazy continuation line) is cut there, when that line is an
    asker line or a project link line."""
    def ends_quote(text: str, urls=()) -> bool:
        return _starts_item(text) or bool(_link_line(Piece("line", text, text, urls=list(urls)), registry))

    out: list[Piece] = []
    for p in parts:
        if p.kind != "quote" or not any(ends_quote(ln) for ln in p.text.split("\n")[1:]):
            out.append(p)
            continue
        chunk: list[str] = []
        for line in p.md.split("\n"):
            children = _md.parseInline(line)[0].children
            text = STRAY_STARS.sub(r"\1\2", inline_text(children)).strip()
            if ends_quote(text, inline_urls(children)):
                if chunk:
                    out.append(_quote_piece(chunk))
                out.append(Piece("line", text, line.strip(), is_bold_line(children), inline_urls(children)))
                chunk = []
            else:
                chunk.append(line)
        if chunk:
            out.append(_quote_piece(chunk))
    return out


def _quote_piece(md_lines: list[str]) -> Piece:
    md = "\n".join(QUOTE_PREFIX.sub("", ln, count=1) for ln in md_lines)
    tokens = _md.parse(md)
    return Piece("quote", "\n".join(_block_text(tokens)), md,
                 urls=[u for t in tokens if t.type == "inline" for u in inline_urls(t.children)])


def _split_on_answer(text: str) -> tuple[str, str | None]:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i and ANSWER_MD.match(line):
            return "\n".join(lines[:i]), ANSWER_MD.sub("", "\n".join(lines[i:]), count=1)
    return text, None


def _append(item: _Item, p: Piece):
    t = item.turn()
    if t[2] is not None:
        t[2].append(p.text)
        t[3].append(p.md)
    elif item.quoted and p.kind == "line" and p.text:
        t[2], t[3] = [p.text], [p.md]                # an answer written without `A：`
    else:
        t[0].append(p.text)
        t[1].append(p.md)


def _name(name: str) -> str | None:
    """`谭新宇提问` (no space before 提问) is the asker 谭新宇; `@ 提问：` (a name we cannot read) is no asker."""
    return re.sub(r"(提问|问题)$", "", name.strip("* ")) or None


def _has_number(text: str) -> bool:
    return bool(re.match(rf"^\s*{NUM}", text))


def _plausible_name(name: str) -> bool:
    name = name.strip("* ")
    return 0 < len(name) <= 40 and not name.startswith("http")


def _label_like(text: str) -> bool:
    """A short bold line ending in a colon (`**注意：**`) inside an answer is a label, not a new section."""
    return len(text) <= 20 and text.rstrip().endswith((":", "："))


def _link_line(p: Piece, registry: Registry) -> tuple[str | None, str] | None:
    """(project label or None, url) when a line is a project link line, else None."""
    m = LINK_LINE.match(p.text)
    if not m:
        return None
    label = m.group("label").strip("* ")
    url = p.urls[-1] if p.urls else m.group("url")
    project = registry.lookup(label)
    if m.group("open") or project:
        return label, url
    # `MOSN:url`, `SOFAJRaft：url`: a bare label counts when it looks like a project name, not a sentence
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 .\-]{1,30}", label) and len(label.split()) <= 3:
        return label, url
    return None


def _join(texts: list[str]) -> str:
    return re.sub(r"\n{2,}", "\n", "\n".join(s.strip() for s in texts if s and s.strip())).strip()


def _threads(post: Post, items: list[_Item], registry: Registry) -> list[Thread]:
    threads, taken = [], set()
    for pos, it in enumerate(items):
        turns = []
        for q, qmd, a, amd in it.turns:
            turns.append(Turn(q=_join(q), a=_join(a) if a is not None else None,
                              q_md=_join_md(qmd), a_md=_join_md(amd) if amd is not None else None))
        while len(turns) > 1 and not turns[-1].q and not turns[-1].a:
            turns.pop()
        pairs = it.links or (it.group.links if it.group else [])
        links = list(dict.fromkeys(url for _, url in pairs))
        projects = _projects(pairs, it, turns, registry)
        thread = Thread(id="", source=post.source, title=post.title, date=post.date, url=post.url,
                        asker=it.asker, turns=turns, projects=projects, links=links, position=pos)
        thread.id = thread_id(post.source, it.asker, thread.question, taken)
        threads.append(thread)
    # Editors often put one link line after a run of questions about the same project: a thread without link
    # lines shares the one that closes its run, when it is about that project (or about none we could tell).
    for i, t in enumerate(threads):
        if t.links:
            continue
        closing = None
        for j in range(i + 1, len(threads)):
            if items[j].section != items[i].section:
                break
            if threads[j].links:
                closing = threads[j]
                break
        if closing is not None and (not t.projects or set(t.projects) & set(closing.projects)):
            t.links = list(closing.links)
            t.projects = t.projects or list(closing.projects)
    for i, t in enumerate(threads):                  # still nothing: the project of a neighbour
        if not t.projects:
            near = [n for n in threads[i + 1:i + 2] + threads[max(i - 1, 0):i] if n.projects]
            if near:
                t.projects = list(near[0].projects)
    return threads


def _join_md(mds: list[str]) -> str:
    return "\n\n".join(m.strip() for m in mds if m and m.strip())


def _projects(pairs, it: _Item, turns: list[Turn], registry: Registry) -> list[str]:
    """Tags from the link lines (label, else the repository the URL points into), else from mentions in the thread."""
    found: list[str] = []
    for label, url in pairs:
        p = registry.lookup(label) or registry.by_url(url)
        name = p.name if p else (label if re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-]{1,30}", label) else None)
        if name and name not in found:
            found.append(name)
    if not found:
        # what the question is about decides; the answer may mention other projects in passing
        question = " ".join([it.group.topic if it.group else ""] + [t.q for t in turns])
        thread = question + " " + " ".join(t.a or "" for t in turns)
        found = registry.mentions(question) or list(dict.fromkeys(registry.mentions(thread)
                                                                   + registry.topics(question))) \
            or registry.topics(thread)
    return found
