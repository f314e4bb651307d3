"""Text for a terminal: wrapping by display columns, colour, a pager, English plurals.

Chinese characters take two columns on a terminal, so wrapping counts columns (wcwidth), not characters. Text is
wrapped first and coloured after: styles travel beside the text as `(text, style)` pieces, and escape codes are
added line by line, so a line never holds half an escape code and every coloured line ends with a reset. A URL is
never broken (a terminal could not open it); a URL wider than the screen gets a line of its own. Colour follows
`NO_COLOR` (https://no-color.org) and is off when the output is not a terminal. Long output on a terminal goes
through a pager as git does: `QA_ARCHIVE_PAGER`, else `PAGER`, else `less`, with `LESS=FRX` unless `LESS` is set
(less quits by itself when the text fits one screen).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from wcwidth import wcwidth

Piece = tuple[str, "str | None"]          # (text, style name or None)

STYLES = {"bold": "1", "dim": "2", "mark": "1;33", "id": "36", "note": "33", "error": "31", "ok": "32"}
RESET = "\x1b[0m"
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
URL = re.compile(r"(?:https?|ftp)://[!-~]+")         # printable ASCII only: `见 https://x.io/a，谢谢` ends at `，`
URL_TAIL = ".,;:!?'\""
# Kinsoku: no line starts with closing punctuation, none ends with opening punctuation.
NO_START = set("，。、；：！？）》」』】〕〉”’…·,.;:!?)]}%")
NO_END = set("（《「『【〔〈“‘([{")
SEAMS = "./_-:,;=&?"                  # where a word wider than a line is cut, if one is in its second half
DEFAULT_WIDTH = 100
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")   # an escape or a carriage return in the text would move the cursor


# ---------------------------------------------------------------------------------------------- measuring

def char_width(ch: str) -> int:
    """Columns a character takes: 2 for CJK, 0 for combining marks and control characters."""
    w = wcwidth(ch)
    return w if w > 0 else 0


def display_width(text: str) -> int:
    """Columns a string takes on a terminal; escape codes take none."""
    return sum(char_width(c) for c in ESCAPE.sub("", text))


# ---------------------------------------------------------------------------------------------- the screen

def color_wanted(stream=None, env=None) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set to anything non-empty or TERM is dumb."""
    env = os.environ if env is None else env
    stream = stream or sys.stdout
    if env.get("NO_COLOR"):
        return False
    if env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def screen_width(stream=None) -> int:
    """The terminal's width in columns, COLUMNS winning over what the terminal reports; output that is not a
    terminal (piped, redirected) is DEFAULT_WIDTH wide whatever COLUMNS says."""
    stream = stream or sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return DEFAULT_WIDTH
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        columns = int(env)
    return columns or shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def paint(text: str, style: str | None, color: bool) -> str:
    """`text` in a style, reset at its end; plain text without colour. Never called on wrapped-away halves."""
    if not color or not style or not text:
        return text
    return f"\x1b[{STYLES.get(style, style)}m{text}{RESET}"


def render(pieces: Iterable[Piece], color: bool) -> str:
    """One line of pieces as a string: adjacent pieces of a style are joined, each styled run closes itself."""
    out, run, run_style = [], [], None
    for text, style in pieces:
        if not text:
            continue
        if style != run_style and run:
            out.append(paint("".join(run), run_style, color))
            run = []
        run_style = style
        run.append(text)
    if run:
        out.append(paint("".join(run), run_style, color))
    return "".join(out)


# ---------------------------------------------------------------------------------------------- wrapping

def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) tokens: `space`, `url` (unbreakable), `word` (a run of narrow characters) and `wide`
    (one CJK character, a break opportunity on either side)."""
    pos = 0
    for m in URL.finditer(text):
        url = m.group(0)
        while url and (url[-1] in URL_TAIL or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        if len(url) <= len(m.group(0).split("://")[0]) + 3:
            continue
        yield from _plain_tokens(text[pos:m.start()])
        yield "url", url
        pos = m.start() + len(url)
    yield from _plain_tokens(text[pos:])


def _plain_tokens(text: str) -> Iterator[tuple[str, str]]:
    word = []
    for ch in text:
        if ch.isspace():
            if word:
                yield "word", "".join(word)
                word = []
            yield "space", ch
        elif char_width(ch) == 2:
            if word:
                yield "word", "".join(word)
                word = []
            yield "wide", ch
        else:
            word.append(ch)
    if word:
        yield "word", "".join(word)


def _atoms(text: str) -> list[tuple[str, int, int, bool]]:
    """The text as unbreakable atoms (kind, start, end, is_url), with kinsoku punctuation glued to its neighbour."""
    atoms: list[list] = []
    pos = 0
    glue_next = False
    for kind, tok in _tokens(text):
        start, end = pos, pos + len(tok)
        pos = end
        if kind == "space":
            atoms.append(["space", start, end, False])
            glue_next = False
            continue
        if atoms and atoms[-1][0] != "space" and (glue_next or tok[0] in NO_START):
            atoms[-1][2] = end                     # glued: no break between them
            atoms[-1][3] = atoms[-1][3] or kind == "url"
        else:
            atoms.append(["text", start, end, kind == "url"])
        glue_next = tok[-1] in NO_END
    return [tuple(a) for a in atoms]


def _flatten(pieces: list[Piece]) -> tuple[str, list]:
    """The pieces' text, and the style of each of its characters."""
    text = "".join(t for t, _ in pieces)
    styles = []
    for t, s in pieces:
        styles.extend([s] * len(t))
    return text, styles


def _slice(text: str, styles: list, start: int, end: int) -> list[Piece]:
    out: list[Piece] = []
    for i in range(start, end):
        if out and out[-1][1] == styles[i]:
            out[-1] = (out[-1][0] + text[i], styles[i])
        else:
            out.append((text[i], styles[i]))
    return out


def wrap(pieces: Iterable[Piece] | str, width: int, indent: str = "", subsequent_indent: str | None = None
         ) -> list[list[Piece]]:
    """Wrap styled text into lines of at most `width` columns (indent included), breaking at spaces and between
    CJK characters. A word longer than a line is cut by columns; a URL is never cut and may overflow alone on its
    line. Newlines in the text start new lines. Returns each line as pieces, indent first."""
    if isinstance(pieces, str):
        pieces = [(pieces, None)]
    pieces = [(CONTROL.sub("", t.replace("\t", " ")), s) for t, s in pieces if t]
    text, styles = _flatten(pieces)
    sub = indent if subsequent_indent is None else subsequent_indent
    lines: list[list[Piece]] = []
    offset = 0
    for para in text.split("\n"):
        para_styles = styles[offset:offset + len(para)]
        offset += len(para) + 1
        lines.extend(_wrap_paragraph(para, para_styles, width, indent if not lines else sub, sub))
    return [_merge(line) for line in lines]


def _merge(line: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for text, style in line:
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        elif text:
            out.append((text, style))
    return out


def _wrap_paragraph(text: str, styles: list, width: int, first: str, sub: str) -> list[list[Piece]]:
    lines: list[list[Piece]] = []
    cur: list[Piece] = [(first, None)] if first else []
    used = display_width(first)
    pending_space: tuple[int, int] | None = None
    has_text = False

    def flush():
        nonlocal cur, used, has_text
        lines.append(cur)
        cur = [(sub, None)] if sub else []
        used = display_width(sub)
        has_text = False

    for kind, start, end, is_url in _atoms(text):
        if kind == "space":
            if has_text:
                pending_space = (start, end)
            continue
        chunk = text[start:end]
        w = display_width(chunk)
        gap = 1 if pending_space and has_text else 0
        if has_text and used + gap + w > width:
            flush()
            gap = 0
        if gap:
            cur.append((" ", styles[pending_space[0]] if styles[pending_space[0]] == styles[start] else None))
            used += 1
        pending_space = None
        if used + w <= width or is_url:
            cur.extend(_slice(text, styles, start, end))
            used += w
            has_text = True
            continue
        # a word wider than the line: cut it by columns
        i = start
        while i < end:
            j, cols = i, 0
            avail = max(width - used, 1)
            while j < end and cols + char_width(text[j]) <= avail:
                cols += char_width(text[j])
                j += 1
            if j == i:
                if has_text:
                    flush()
                    continue
                j, cols = i + 1, char_width(text[i])        # a column too narrow for one character
            if j < end:                                     # prefer a seam: io.seata.| common/| long_|name
                seam = max(text.rfind(c, i, j) for c in SEAMS)
                if seam >= 0 and seam + 1 - i >= (j - i) // 2:
                    cols -= display_width(text[seam + 1:j])
                    j = seam + 1
            cur.extend(_slice(text, styles, i, j))
            used += cols
            has_text = True
            i = j
            if i < end:
                flush()
    lines.append(cur)
    return lines


def fill(pieces: Iterable[Piece] | str, width: int, color: bool, indent: str = "",
         subsequent_indent: str | None = None) -> list[str]:
    """`wrap`, then colour: the lines as strings ready to print."""
    return [_rstrip_line(line, color) for line in wrap(pieces, width, indent, subsequent_indent)]


def _rstrip_line(line: list[Piece], color: bool) -> str:
    while line and not line[-1][0].strip():
        line = line[:-1]
    if line:
        line = line[:-1] + [(line[-1][0].rstrip(), line[-1][1])]
    return render(line, color)


# ---------------------------------------------------------------------------------------------- stored text

FENCE_LINE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# Indented by ASCII spaces or a tab: ingest keeps leading spaces only in code (a paragraph's lines lose theirs), and
# a Chinese paragraph may open with ideographic spaces (U+3000), which are prose, not code.
INDENTED = re.compile(r"^[ \t]+\S")
# The unindented first and last lines of a code block: `func f() {`, `}`, `<bean …>`, `</bean>`.
CODE_EDGE = re.compile(r"[{(\[]\s*$|^[}\])]|^<.*>\s*$")
# A list item's marker, so that its wrapped lines go under its text: `- `, `* `, `• `, `3. `, `3) `, `3、`, `(3)`.
LIST_ITEM = re.compile(r"^(?:[-*+•]\s+|\d{1,3}[.)]\s+|\d{1,3}、\s*|[（(]\d{1,3}[）)]\s*)")


def _code_lines(lines: list[str]) -> list[bool]:
    """Which lines are code: inside ``` (or ~~~) fences, fences included; indented; or the unindented first or last
    line of an indented block (CODE_EDGE), which reads wrong when wrapped as much as the block does."""
    code, fence = [], None
    for line in lines:
        m = FENCE_LINE.match(line)
        if fence is not None:
            code.append(True)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None                          # the closing fence
        elif m:
            code.append(True)
            fence = m.group(1)
        else:
            code.append(bool(INDENTED.match(line)))
    # Grow each block by its edges, repeatedly: `}` then `}` closing two levels are both code.
    grown = True
    while grown:
        grown = False
        for i, line in enumerate(lines):
            if not code[i] and line.strip() and CODE_EDGE.search(line) and (
                    (i > 0 and code[i - 1] and lines[i - 1].strip())
                    or (i + 1 < len(lines) and code[i + 1] and lines[i + 1].strip())):
                code[i] = grown = True
    return code


def fill_text(text: str, width: int, color: bool, label: Iterable[Piece] = (), indent: str = "") -> list[str]:
    """Stored text (a question, an answer) as lines to print: `label` (say `[("A: ", "bold")]`) opens the first
    line and `indent` the others, which should be as wide as the label.

    `fill` would run the text through one wrap, which drops every line's leading spaces and breaks long code lines.
    Stored text keeps the post's own line breaks: blank lines between paragraphs, one line per list item, code with
    its line breaks and indentation (with or without ``` fences; ingest drops them, an import may keep them). So
    the text goes line by line and lines are never joined: a code line is printed as it is after the indent, never
    wrapped (a long one runs past the width, as in a terminal's own cat); any other line is wrapped by display
    columns on its own, a list item's wrapped lines hanging under its text rather than under its marker."""
    label = list(label)
    lines = text.split("\n")
    while lines and not lines[0].strip():            # blank lines at either end would only leave holes
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return [_rstrip_line(label, color)]
    out = []
    for i, (line, code) in enumerate(zip(lines, _code_lines(lines), strict=True)):
        if code:
            # A tab would jump to the terminal's tab stops, counted from the screen's edge, not from our indent.
            line = CONTROL.sub("", line.expandtabs(4))
            out.append(_rstrip_line([*(label if i == 0 else [(indent, None)]), (line, None)], color))
            continue
        marker = LIST_ITEM.match(line)
        hang = indent + " " * display_width(marker.group(0)) if marker else indent
        # `wrap` skips leading spaces, so the indent goes in as `indent=`, not as a piece of the text; the label is
        # text ("A:") and may be a piece, as `show` always had it.
        wrapped = (wrap([*label, (line, None)], width, subsequent_indent=hang) if i == 0
                   else wrap(line, width, indent=indent, subsequent_indent=hang))
        out.extend(_rstrip_line(ln, color) for ln in wrapped)
    return out


def clip(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `width` columns, ending with "…" when cut (a list of titles stays one line each)."""
    text = " ".join(CONTROL.sub("", text).split())
    if display_width(text) <= width:
        return text
    out, used = [], display_width(ellipsis)
    for ch in text:
        w = char_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + ellipsis


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` columns (str.ljust counts characters, and 字 takes two columns)."""
    return text + " " * max(0, width - display_width(text))


# ---------------------------------------------------------------------------------------------- words

def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """`1 entry`, `2 entries`, `0 posts`, `1,234 matches`: the count and the right English form."""
    if plural_form is None:
        if re.search(r"[^aeiou]y$", singular):
            plural_form = singular[:-1] + "ies"
        elif re.search(r"(s|x|z|ch|sh)$", singular):
            plural_form = singular + "es"
        else:
            plural_form = singular + "s"
    return f"{n:,} {singular if n == 1 else plural_form}"


def language(env=None) -> str:
    """The terminal's language for messages, as POSIX locales choose it: the first of LC_ALL, LC_MESSAGES, LANG that
    is set; "zh" when it starts with zh, else "en"."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return "zh" if env[name].lower().startswith("zh") else "en"
    return "en"


# ---------------------------------------------------------------------------------------------- the pager

def pager_command(env=None) -> str | None:
    """The pager to run, as git chooses it: QA_ARCHIVE_PAGER, PAGER, else `less`; None for `cat` or empty."""
    env = os.environ if env is None else env
    for name in ("QA_ARCHIVE_PAGER", "PAGER"):
        if name in env:
            cmd = env[name].strip()
            return None if cmd in ("", "cat") or not _runnable(cmd) else cmd
    return "less" if shutil.which("less") else None


def _runnable(cmd: str) -> bool:
    """False for a pager that is not installed: the text is then printed, not lost in a shell's error."""
    import shlex
    try:
        words = shlex.split(cmd)
    except ValueError:
        return True
    if not words or "=" in words[0] or any(c in cmd for c in "|;&<>$`("):
        return True                                  # a shell pipeline or assignment: let the shell run it
    return shutil.which(words[0]) is not None


@contextmanager
def paged(enabled: bool = True, stream=None):
    """Send what is printed inside to a pager when `stream` (stdout) is a terminal and paging is enabled.

    Yields True when a pager runs. Like git, the pager decides: `less -FRX` shows short text and quits. Quitting the
    pager early ends the output quietly. A pager that cannot start means plain output."""
    stream = stream or sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    cmd = pager_command() if enabled and tty else None
    if not cmd:
        yield False
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        yield False
        return
    pipe = io.TextIOWrapper(proc.stdin, encoding=getattr(stream, "encoding", None) or "utf-8",
                            errors="replace", write_through=True)
    old = sys.stdout
    sys.stdout = pipe
    try:
        yield True
    except BrokenPipeError:
        pass                                     # the reader quit the pager before the end
    finally:
        sys.stdout = old
        try:
            pipe.close()
        except OSError:
            pass
        while True:
            try:
                proc.wait()
                break
            except KeyboardInterrupt:            # as git: Ctrl-C goes to the pager, which keeps the terminal
                continue


__all__ = ["Piece", "display_width", "char_width", "color_wanted", "screen_width", "paint", "render", "wrap",
           "fill", "fill_text", "clip", "pad", "plural", "pager_command", "paged"]
