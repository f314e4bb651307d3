"""Text on a terminal: wrapping by display columns, colour after wrapping, whole URLs, NO_COLOR, the pager,
plurals; and the real thing in a pseudo-terminal: a Chinese result within the terminal's width, escape codes whole."""
from __future__ import annotations

import errno
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_archive.terminal import (
    ESCAPE,
    RESET,
    URL,
    clip,
    color_wanted,
    display_width,
    fill,
    pad,
    paged,
    pager_command,
    plural,
    wrap,
)

from .conftest import REPO

QUESTION = ("请问 SOFAJRaft 的选举超时默认是多少，GC 停顿会不会导致频繁切主？详见 "
            "https://www.sofastack.tech/projects/sofa-jraft/jraft-user-guide/#election-timeout 谢谢。我们用的是 "
            "Seata 1.4.2 版本，报错 io.seata.common.exception.FrameworkException: can not connect to services。")


def plain(line: str) -> str:
    return ESCAPE.sub("", line)


def assert_whole_escapes(line: str):
    """Every escape code in the line is complete, and no colour runs on past the line's end."""
    assert "\x1b" not in plain(line), repr(line)
    assert not any(frag in plain(line) for frag in ("[1;33m", "[0m", "33m")), repr(line)
    codes = ESCAPE.findall(line)
    assert not codes or codes[-1] == RESET, repr(line)


# ---------------------------------------------------------------------------------------------- wrapping

@pytest.mark.parametrize("width", [20, 31, 40, 61, 80])
def test_chinese_wraps_by_columns_within_the_width(width):
    lines = fill(QUESTION, width, color=False, indent="   Q: ", subsequent_indent="      ")
    url = URL.search(QUESTION).group(0)
    for line in lines:
        if url not in line:
            assert display_width(line) <= width, (width, line)
    assert sum(display_width(x) for x in lines) > len(QUESTION)        # 字 counted as two columns
    # nothing lost or added but the indents and the spaces at the breaks
    squeeze = lambda s: "".join(s.split())                             # noqa: E731
    assert squeeze("".join(x[6:] for x in lines)) == squeeze(QUESTION)


def test_a_url_is_never_broken():
    url = "https://www.sofastack.tech/projects/sofa-jraft/jraft-user-guide/#election-timeout"
    for width in (20, 40, 60, 100):
        lines = fill(QUESTION, width, color=False)
        assert sum(url in line for line in lines) == 1, width
        assert all(line.count("://") <= 1 for line in lines)
    # hyphens in a URL are no break points, and punctuation after it is not part of it
    lines = fill("见 https://example.org/a-very-long-path-with-hyphens-in-it，谢谢。", 24, color=False)
    assert "https://example.org/a-very-long-path-with-hyphens-in-it，" in lines
    assert URL.search("see https://x.io/a.").group(0) == "https://x.io/a."


def test_a_word_wider_than_the_line_is_cut_at_a_seam():
    assert fill("io.seata.common.exception.FrameworkException: boom", 30, color=False) == [
        "io.seata.common.exception.", "FrameworkException: boom"]
    assert fill("x" * 25, 10, color=False) == ["x" * 10, "x" * 10, "x" * 5]          # no seam: by columns


def test_no_line_starts_with_closing_punctuation():
    text = "分支在一阶段提交本地事务之前，要先向 TC 申请这一行的全局锁。拿不到锁的一方会在本地重试。"
    for width in range(8, 40):
        for line in fill(text, width, color=False)[1:]:
            assert line[0] not in "，。、；：！？）》」", (width, line)


@pytest.mark.parametrize("width", [12, 25, 33, 60])
def test_colour_is_applied_after_wrapping(width):
    pieces = [("请问 ", None), ("SOFAJRaft", "mark"), (" 的选举超时默认是多少，", None), ("GC 停顿", "mark"),
              ("会不会导致频繁切主？", None), ("全局锁全局锁全局锁全局锁", "mark")]
    coloured = fill(pieces, width, color=True, indent="   Q: ", subsequent_indent="      ")
    bare = fill(pieces, width, color=False, indent="   Q: ", subsequent_indent="      ")
    assert [plain(x) for x in coloured] == bare                         # colour changes no break
    for line in coloured:
        assert display_width(line) <= width
        assert_whole_escapes(line)
    # a mark cut by a line break is coloured on both lines
    marked_lines = [x for x in coloured if "\x1b[1;33m" in x]
    assert len(marked_lines) >= 2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(list("字符串测试，。（ abcdefg-_.:/ \n") +
                                                  ["https://x.io/a-b", "全局锁", "Seata", "\x1b[31m"]),
                                  max_size=20).map("".join),
                          st.sampled_from([None, "mark", "dim"])), max_size=8),
       st.integers(min_value=4, max_value=50))
def test_any_text_wraps_within_the_width_with_whole_escape_codes(pieces, width):
    lines = fill(pieces, width, color=True, indent="> ", subsequent_indent="  ")
    text = "".join(t for t, _ in pieces).replace("\x1b", "")
    for line in lines:
        assert_whole_escapes(line)
        if "://" not in line:
            assert display_width(line) <= width, (line, width)
    squeeze = lambda s: "".join(s.split())                             # noqa: E731
    assert squeeze("".join(plain(x)[2:] for x in lines)) == squeeze(text)


def test_wrap_returns_pieces_and_keeps_paragraphs():
    lines = wrap([("第一段", "bold"), ("\n第二段", None)], 40)
    assert lines == [[("第一段", "bold")], [("第二段", None)]]
    assert wrap("", 10) == [[]]


def test_control_characters_never_reach_the_terminal():
    line = fill("a\x1b[31mred\x07 b\rc", 40, color=False)[0]
    assert "\x1b" not in line and "\r" not in line and "\x07" not in line


def test_clip_and_pad_count_columns():
    assert clip("SOFA Weekly | 示例：Koupleless 共享 bean", 20) == "SOFA Weekly | 示例…"
    assert display_width(clip("全局锁" * 10, 11)) <= 11
    assert clip("short", 10) == "short"
    assert display_width(pad("字", 6)) == 6 and pad("abc", 2) == "abc"


# ---------------------------------------------------------------------------------------------- colour, pager

class FakeTTY:
    def __init__(self, tty=True):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_no_color_and_pipes_turn_colour_off():
    assert color_wanted(FakeTTY(), env={})
    assert not color_wanted(FakeTTY(), env={"NO_COLOR": "1"})
    assert color_wanted(FakeTTY(), env={"NO_COLOR": ""})                # no-color.org: set and non-empty
    assert not color_wanted(FakeTTY(), env={"TERM": "dumb"})
    assert not color_wanted(FakeTTY(tty=False), env={})


def test_the_pager_is_chosen_as_git_does(monkeypatch):
    assert pager_command({"QA_ARCHIVE_PAGER": "less -S", "PAGER": "more"}) == "less -S"
    assert pager_command({"PAGER": "less -S"}) == "less -S"
    assert pager_command({"PAGER": "cat"}) is None and pager_command({"PAGER": ""}) is None
    assert pager_command({"QA_ARCHIVE_PAGER": "", "PAGER": "less"}) is None
    assert pager_command({"PAGER": "no-such-pager-here -R"}) is None          # not installed: print, not lose
    assert pager_command({"PAGER": "sed 's/^/> /' | cat"}) == "sed 's/^/> /' | cat"
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/less")
    assert pager_command({}) == "less"


def test_paged_output_goes_through_the_pager_on_a_terminal_only(tmp_path, monkeypatch):
    out, env = tmp_path / "paged.txt", tmp_path / "less.txt"
    monkeypatch.setenv("QA_ARCHIVE_PAGER", f"cat > {out}; echo \"$LESS\" > {env}")
    monkeypatch.delenv("LESS", raising=False)
    with paged(enabled=True, stream=FakeTTY()) as on:
        print("第一行")
        print("second")
    assert on and out.read_text(encoding="utf-8") == "第一行\nsecond\n"
    assert env.read_text().strip() == "FRX"
    out.unlink()
    for enabled, stream in ((False, FakeTTY()), (True, FakeTTY(tty=False))):
        with paged(enabled=enabled, stream=stream) as on:
            pass
        assert not on and not out.exists()


def test_a_reader_quitting_the_pager_ends_the_output_quietly(monkeypatch):
    monkeypatch.setenv("QA_ARCHIVE_PAGER", "head -c 1 >/dev/null")
    with paged(stream=FakeTTY()):
        for _ in range(20000):
            print("全局锁" * 20)


def test_plurals():
    assert [plural(n, "entry") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert plural(1, "post") == "1 post" and plural(9, "post") == "9 posts"
    assert plural(2, "match") == "2 matches" and plural(2, "day") == "2 days"
    assert plural(1234, "source") == "1,234 sources" and plural(2, "index", "indexes") == "2 indexes"


# ---------------------------------------------------------------------------------------------- a real terminal

def run_in_pty(args: list[str], columns: int, env: dict | None = None, rows: int = 400) -> str:
    """Run `qa-archive ARGS` with a pseudo-terminal of `columns` x `rows` as its stdin, stdout and stderr; the
    text it showed (the terminal's CR LF as LF)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    child_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "PAGER",
                                                                  "QA_ARCHIVE_PAGER", "LESS")}
    child_env.update({"TERM": "xterm-256color", "PYTHONUTF8": "1"}, **(env or {}))
    proc = subprocess.Popen([sys.executable, "-m", "qa_archive.cli", *args], stdin=slave, stdout=slave,
                            stderr=slave, env=child_env, cwd=REPO, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError as e:
            if e.errno != errno.EIO:                      # EIO: every process holding the terminal has exited
                raise
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait() == 0, b"".join(chunks).decode("utf-8", "replace")
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [40, 57, 80])
def test_a_chinese_result_fits_a_real_terminal(sample_index, columns):
    out = run_in_pty(["search", "SOFAJRaft", "快照", "--index", str(sample_index)], columns,
                     env={"QA_ARCHIVE_PAGER": "cat"})
    lines = out.splitlines()
    assert lines[0].endswith(("entry", "entries")) and "快照" in out
    assert "\x1b[1;33m" in out                                       # a terminal gets colour
    body = [x for x in lines if plain(x).lstrip().startswith(("Q:", "A:")) or plain(x).startswith("      ")]
    assert len(body) >= 3 and any(display_width(x) > columns - 8 for x in body)   # wrapped, not cut short
    for line in lines:
        assert_whole_escapes(line)
        if "://" not in line:
            assert display_width(line) <= columns, (columns, line)


def test_no_color_in_a_real_terminal(sample_index):
    out = run_in_pty(["search", "SOFAJRaft", "快照", "--index", str(sample_index)], 60,
                     env={"NO_COLOR": "1", "QA_ARCHIVE_PAGER": "cat"})
    assert "快照" in out and "\x1b" not in out


def test_a_real_terminal_gets_the_pager_unless_no_pager(sample_index):
    pager = {"QA_ARCHIVE_PAGER": "sed 's/^/PAGED: /'"}
    paged_out = run_in_pty(["search", "SOFAJRaft", "快照", "--index", str(sample_index)], 80, env=pager)
    assert all(line.startswith("PAGED: ") for line in paged_out.splitlines() if line)
    for args in (["search", "SOFAJRaft", "快照", "--no-pager"], ["--no-pager", "search", "SOFAJRaft", "快照"]):
        out = run_in_pty([*args, "--index", str(sample_index)], 80, env=pager)
        assert "PAGED" not in out and "快照" in out
    piped = subprocess.run([sys.executable, "-m", "qa_archive.cli", "search", "SOFAJRaft", "快照", "--index",
                            str(sample_index)], capture_output=True, text=True, cwd=REPO,
                           env={**os.environ, **pager, "PYTHONUTF8": "1"}, check=True).stdout
    assert "PAGED" not in piped and "\x1b" not in piped and "快照" in piped


def test_show_wraps_a_whole_thread_in_a_real_terminal(sample_index, sample_archive):
    entry_id = sample_archive.search("SOFAJRaft 快照")["hits"][0]["id"]
    out = run_in_pty(["show", entry_id[:6], "--index", str(sample_index)], 44, env={"QA_ARCHIVE_PAGER": "cat"})
    assert entry_id in out and "Q: " in plain(out)
    lines = out.splitlines()
    where = sample_archive.get(entry_id)["url"] or sample_archive.get(entry_id)["source"]
    assert lines[-1] in (f"source: {where}", where)        # a path that does not fit gets its own line, whole
    for line in lines:
        assert_whole_escapes(line)
        if " " in plain(line).strip():
            assert display_width(line) <= 44, line



def test_the_message_language_follows_the_locale():
    from qa_archive.terminal import language
    assert language({}) == "en" and language({"LANG": "C.UTF-8"}) == "en"
    assert language({"LANG": "zh_CN.UTF-8"}) == "zh" and language({"LC_MESSAGES": "zh_TW", "LANG": "C"}) == "zh"
    assert language({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
