"""The command line: help with examples everywhere, JSON for scripts, no tracebacks."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_archive.cli import cli
from qa_archive.terminal import display_width

from .conftest import SAMPLES, write_post

COMMANDS = sorted(cli.commands)


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    assert set(COMMANDS) >= {"ingest", "export", "import", "search", "show", "similar", "projects", "stats",
                             "serve"}
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, name


@pytest.fixture(scope="module")
def run(sample_index):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [*args, "--index", str(sample_index)], input=input)
    return invoke


def test_search_text_and_json(run):
    text = run("search", "SOFAJRaft", "快照")
    assert text.exit_code == 0 and "entries" in text.output and "\x1b[" not in text.output   # no colour when piped
    data = json.loads(run("search", "SOFAJRaft 快照", "--json", "-n", "2").output)
    assert data["total"] >= 1 and len(data["hits"]) <= 2 and "score" in data["hits"][0]
    assert "highlights" in data["hits"][0]


def test_show_projects_stats(run, sample_archive):
    entry_id = sample_archive.search("SOFARegistry")["hits"][0]["id"]
    shown = run("show", entry_id)
    assert shown.exit_code == 0 and "Q: " in shown.output and "A: " in shown.output
    assert json.loads(run("show", entry_id, "--json").output)["id"] == entry_id
    missing = run("show", "nope")
    assert missing.exit_code == 1 and "no entry with id 'nope'" in missing.output
    projects = json.loads(run("projects", "--json").output)
    assert projects[0]["count"] >= projects[-1]["count"]
    stats = json.loads(run("stats", "--json").output)
    assert stats["entries"] == 27 and run("stats").exit_code == 0


def test_bad_queries_get_a_message_not_a_traceback(run):
    for args in (["search", " "], ["search", "x" * 600]):
        result = run(*args)
        assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, says", [
    (["--page", "0"], ["'--page'", "0 is not in the range"]),
    (["--limit", "500"], ["'--limit'", "500 is not in the range"]),
    (["--limit", "ten"], ["'--limit'", "'ten' is not a valid integer"]),
    (["--after", "2021-13-01"], ["'--after'", "'2021-13-01' is not a date", "YYYY-MM-DD"]),
    (["--before", "yesterday"], ["'--before'", "'yesterday' is not a date"]),
    (["--sort", "best"], ["'--sort'", "'best' is not one of"]),
    (["--project", "nosuch"], ["'--project'", "no project named 'nosuch' (`qa-archive projects` lists"]),
    (["--project", "rpc"], ["'--project'", "no project named 'rpc'; did you mean SOFARPC"]),
])
def test_a_bad_option_value_is_named_with_what_is_wrong(run, args, says):
    result = run("search", "mosn", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    for text in says:
        assert text in result.output, (args, result.output)


def test_a_leading_dash_word_is_an_exclusion_not_an_option(run, sample_index):
    everything = json.loads(run("search", "事务", "--json").output)
    assert any("Seata" in h["projects"] for h in everything["hits"])
    without = run("search", "-Seata", "事务", "--json")
    assert without.exit_code == 0, without.output
    assert not any("Seata" in h["projects"] for h in json.loads(without.output)["hits"])
    alone = run("search", "-Seata", "--json")                     # only an exclusion: everything else
    assert alone.exit_code == 0 and 0 < json.loads(alone.output)["total"] < 27
    # the real options still work, short and long, before and after the words, and -- still ends options
    short = json.loads(run("search", "-n", "2", "-SOFARPC", "-p", "mosn", "--json").output)
    assert short["limit"] == 2 and short["filters"]["project"] == ["MOSN"]
    assert json.loads(run("search", "mosn", "-n1", "--json").output)["limit"] == 1
    after_dashes = CliRunner().invoke(cli, ["search", "--json", "--index", str(sample_index), "--", "-Seata", "事务"])
    assert json.loads(after_dashes.output)["query"] == "-Seata 事务"
    typo = run("search", "mosn", "--limt", "3")                    # a mistyped option is still an error
    assert typo.exit_code == 2 and "No such option '--limt'" in typo.output
    pasted = run("similar", "-Xmx 设置多大，SOFAJRaft 快照会不会 OOM？", "--json")    # a question starting with -
    assert pasted.exit_code == 0 and json.loads(pasted.output)["hits"], pasted.output


def test_a_pasted_question_never_lands_on_nothing(run):
    pasted = ('你好，Seata TCC 模式里 Cancel 比 Try 先执行导致悬挂，报错 "io.seata.TransactionException: branch '
              'status unknown"，业务上怎么防？')
    assert json.loads(run("search", pasted, "--json").output)["total"] == 0     # the quoted error is nowhere
    out = run("search", pasted).output
    assert out.startswith("0 entries\nNothing matches the query as written; prior threads like it")
    first = out.split("\n1. ", 1)[1].splitlines()
    assert "@ray-huang" in first[0] and "悬挂" in out and "confident: this thread very likely answers it" in out
    assert "prior threads" not in run("search", "zzqqxx").output               # nothing alike: nothing shown
    filtered = run("search", pasted, "--after", "2030-01-01").output              # a filter found nothing: say so
    assert filtered.startswith("0 entries") and "prior threads" not in filtered


def test_a_page_past_the_end_says_so(run):
    result = run("search", "SOFA", "--page", "99")
    total = json.loads(run("search", "SOFA", "--json").output)["total"]
    assert result.exit_code == 1
    last = json.loads(run("search", "SOFA", "--json").output)["pages"]
    assert "page 99 is past the end" in result.output and f"{total} results" in result.output
    assert f"the last page is {last}" in result.output
    assert run("search", "SOFA", "--page", "99", "--json").exit_code == 1     # the library's rule, for data too
    assert run("search", "zzqqxx", "--page", "99").output.startswith("0 entries")  # nothing found: no last page


def test_search_json_has_permalinks_and_the_look_alikes_and_a_confident_answer_comes_first(run):
    data = json.loads(run("search", "Seata", "--json", "--base-url", "https://qa.example.org").output)
    assert data["hits"][0]["permalink"] == f"https://qa.example.org/q/{data['hits'][0]['id']}"
    assert data["ask"] == {"hits": [], "confident": False, "question_like": False}
    asked = "请问 Seata TCC 模式里 Cancel 比 Try 先执行导致悬挂，业务上怎么防？"
    data = json.loads(run("search", asked, "--json").output)
    assert data["ask"]["question_like"] and data["ask"]["confident"]
    assert data["ask"]["hits"][0]["permalink"].startswith("http://127.0.0.1:8080/q/")
    out = run("search", asked).output
    if data["total"]:           # keyword hits too: the confident look-alike is printed before them
        assert out.index("very likely answers it") < out.index(f"{data['total']} entr")


def test_a_markdown_reply_with_local_links_says_so(run):
    question = "Seata TCC 模式里 Cancel 比 Try 先执行导致悬挂，业务上怎么防？"
    local = run("similar", question, "--format", "markdown")
    assert "(this machine)" in local.stderr and "http://127.0.0.1:8080/q/" in local.stdout
    public = run("similar", question, "--format", "markdown", "--base-url", "https://qa.example.org")
    assert "this machine" not in public.stderr and "https://qa.example.org/q/" in public.stdout


def test_english_plurals(run):
    one = run("search", "readiness")
    assert one.output.startswith("1 entry\n") and "1 entries" not in one.output
    assert run("search", "MOSN").output.startswith("4 entries")
    assert run("stats").output.startswith("27 entries from 9 posts;")


def test_similar_formats_and_stdin(run):
    question = "Seata TCC 模式里 Cancel 比 Try 先执行导致悬挂，业务上怎么防？"
    data = json.loads(run("similar", question, "--json").output)
    assert data["hits"][0]["asker"] == "ray-huang" and data["hits"][0]["confident"] is True
    reply = run("similar", "-", "--format", "markdown", input=question).stdout
    assert reply.startswith("这个问题之前有人问过") and "/q/" in reply
    english = run("similar", "How does Kafka rebalance consumer groups when a broker restarts?",
                  "--format", "markdown")
    assert english.exit_code == 0 and english.output == ""          # no confident match: nothing to post


def test_the_readme_documents_every_command():
    from .conftest import REPO
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"qa-archive {name}" in readme, name


def test_the_readme_builds_the_real_archive_in_a_place_of_its_own():
    """Its ingest of a real corpus names an index of its own (never `index/`, where a first run used to put the
    samples), and the serve that follows uses the same one."""
    from .conftest import REPO
    blocks, block = [], []
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("    "):
            block.append(line.strip())
        elif block and line.strip() == "":
            continue
        elif block:
            blocks.append(block)
            block = []
    ingests = [(b, i) for b in blocks for i, x in enumerate(b) if x.startswith("qa-archive ingest ../")]
    assert ingests
    for b, i in ingests:
        assert "--index" in b[i] or any(x.startswith("export QA_ARCHIVE_INDEX=") for x in b[:i]), b[i]
        assert "QA_ARCHIVE_INDEX=index" not in " ".join(b) and "--index index" not in " ".join(b)


def test_a_terminal_gets_colour_and_its_width(sample_index, monkeypatch):
    from qa_archive.terminal import ESCAPE, display_width
    monkeypatch.setattr("qa_archive.cli.screen", lambda: (True, 60))
    out = CliRunner().invoke(cli, ["search", "SOFAJRaft", "快照", "--index", str(sample_index)]).output
    assert "\x1b[1;33m" in out
    for line in out.splitlines():
        if "://" not in line:
            assert display_width(line) <= 60, line
        assert "\x1b" not in ESCAPE.sub("", line)                  # every escape code whole


def test_show_takes_a_unique_id_prefix(run, sample_archive):
    entry_id = sample_archive.search("readiness")["hits"][0]["id"]
    for prefix in (entry_id[:4], entry_id[:7], entry_id[:7].upper()):
        shown = run("show", prefix, "--json")
        assert shown.exit_code == 0 and json.loads(shown.output)["id"] == entry_id, prefix
    short = run("show", entry_id[:3])
    assert short.exit_code == 1 and "at least 4 characters" in short.output


def test_an_ambiguous_id_prefix_lists_the_candidates(tmp_path):
    from qa_archive.index import import_threads
    from qa_archive.models import Thread
    rows = [{"id": f"abcd{n:08x}", "question": f"第 {n} 个问题？", "answer": "答案。", "turns": [
        {"q": f"第 {n} 个问题？", "a": "答案。"}], "title": f"SOFA Weekly | 第 {n} 期", "date": "2024-05-10",
        "source": f"p{n}/index.md"} for n in range(3)]
    import_threads([Thread.from_dict(r) for r in rows], tmp_path / "ix")
    result = CliRunner().invoke(cli, ["show", "abcd", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1 and "'abcd' is ambiguous: 3 entries start with it" in result.output
    assert all(r["id"] in result.output for r in rows) and "SOFA Weekly | 第 1 期" in result.output
    assert json.loads(CliRunner().invoke(cli, ["show", "abcd00000002", "--json", "--index",
                                               str(tmp_path / "ix")]).output)["id"] == "abcd00000002"


def shown_at(monkeypatch, width: int, entry_id: str, index: Path, color: bool = False) -> list[str]:
    """`show`'s lines on a terminal `width` columns wide (CliRunner's stdout is no terminal: always 100 wide)."""
    monkeypatch.setattr("qa_archive.cli.screen", lambda: (color, width))
    result = CliRunner().invoke(cli, ["show", entry_id, "--index", str(index)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_show_keeps_a_code_blocks_indentation_and_lines(tmp_path, registry, monkeypatch):
    """A fixture post whose answer ends in a fenced Go block: ingest stores the code without its fences, one line
    per line, indented; `show` prints those lines as they are, not wrapped, and the prose around them wrapped."""
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source

    from .conftest import REPO
    posts = tmp_path / "posts"
    posts.mkdir()
    name = "en-go-questions-of-the-week.md"
    (posts / name).write_text((REPO / "tests" / "fixtures" / "unseen" / name).read_text(encoding="utf-8"),
                              encoding="utf-8")
    ingest([Source(posts)], tmp_path / "ix", registry)
    hit = json.loads(CliRunner().invoke(cli, ["search", "stale loop variable", "--json", "--index",
                                              str(tmp_path / "ix")]).output)["hits"][0]
    lines = shown_at(monkeypatch, 24, hit["id"], tmp_path / "ix")
    code = ["   for _, v := range items {", "       v := v", "       go func() { use(v) }()", "   }"]
    start = lines.index(code[0])
    assert lines[start:start + 4] == code                  # indentation kept, a 29-column line left whole at 24
    prose = [ln for ln in lines[:start] if ln.startswith(("A: ", "   "))]
    assert len(prose) > 5 and all(display_width(ln) <= 24 for ln in prose)


def imported(tmp_path, answer: str) -> Path:
    """An index holding one entry with this answer, as `import` stores it."""
    from qa_archive.index import import_threads
    from qa_archive.models import Thread
    row = {"id": "c0de00000001", "question": "How do I roll the cluster?", "answer": answer,
           "turns": [{"q": "How do I roll the cluster?", "a": answer}], "title": "Weekly", "date": "2024-05-10",
           "source": "p/index.md"}
    import_threads([Thread.from_dict(row)], tmp_path / "ix")
    return tmp_path / "ix"


def test_show_prints_paragraphs_lists_and_fenced_code_each_in_its_own_way(tmp_path, monkeypatch):
    answer = ("Three steps, in this order:\n"
              "- stop the old node and wait until its lease has expired\n"
              "- start the new one\n"
              "  - with the same data directory\n"
              "- check the logs\n\n"
              "The config the new node needs:\n\n"
              "```yaml\nserver:\n  port: 8080\n\n  peers: [a, b]\n```\n\n"
              "After that the cluster catches up by itself within a few seconds, unless the snapshot is too old.")
    lines = shown_at(monkeypatch, 40, "c0de00000001", imported(tmp_path, answer))
    a = lines.index("A: Three steps, in this order:")
    assert lines[a + 1:a + 6] == [
        "   - stop the old node and wait until",
        "     its lease has expired",                 # an item's own wrapped line hangs under its text
        "   - start the new one",
        "     - with the same data directory",         # a nested item keeps its indentation
        "   - check the logs"]
    assert lines[a + 6:a + 16] == [
        "", "   The config the new node needs:", "",
        "   ```yaml", "   server:", "     port: 8080", "", "     peers: [a, b]", "   ```", ""]
    last = lines[a + 16:a + 19]
    assert last[0].startswith("   After that") and all(display_width(ln) <= 40 for ln in last)
    assert " ".join(ln.strip() for ln in last) == answer.split("\n\n")[-1]


def test_show_wraps_long_prose_chinese_included_and_colours_only_the_label(tmp_path, monkeypatch):
    answer = ("SOFARegistry 的数据节点按照一致性哈希分片，会话节点只缓存订阅关系，"
              "所以扩容数据节点时需要等待数据迁移完成，期间读写都不会中断。 " + "The same goes for session nodes, which hold no data. " * 3).strip()
    index = imported(tmp_path, answer)
    lines = shown_at(monkeypatch, 50, "c0de00000001", index)
    a = next(i for i, ln in enumerate(lines) if ln.startswith("A: "))
    body = lines[a:lines.index("", a)]
    assert len(body) > 4 and all(display_width(ln) <= 50 for ln in body)
    assert all(ln.startswith("   ") for ln in body[1:])
    from qa_archive.terminal import ESCAPE
    coloured = shown_at(monkeypatch, 50, "c0de00000001", index, color=True)
    assert coloured[a].startswith("\x1b[1mA:\x1b[0m ") and [ESCAPE.sub("", ln) for ln in coloured] == lines


def test_errors_name_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QA_ARCHIVE_INDEX", raising=False)
    runner = CliRunner()
    for args in (["search", "mosn"], ["search", "mosn", "--index", "elsewhere"], ["show", "abcd"], ["stats"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1 and f"no index at {tmp_path}{os.sep}" in result.output, args
    missing = runner.invoke(cli, ["ingest", "no-such-folder", "--index", "ix"])
    assert missing.exit_code == 2 and str(tmp_path / "no-such-folder") in missing.output
    for args, name in ((["import", "gone.jsonl"], "gone.jsonl"), (["ingest", "--config", "gone.yml"], "gone.yml")):
        result = runner.invoke(cli, [*args, "--index", "ix"])
        assert result.exit_code == 2 and f"{tmp_path / name} does not exist" in result.output, args
    monkeypatch.setenv("QA_ARCHIVE_INDEX", "from-env")
    assert str(tmp_path / "from-env") in runner.invoke(cli, ["search", "mosn"]).output


def test_bad_config_and_import_files_get_messages(tmp_path):
    runner = CliRunner()
    for text in ("sources: [{url: x}]", "- a\n- b\n", "sources: [unclosed"):
        cfg = tmp_path / "s.yml"
        cfg.write_text(text, encoding="utf-8")
        result = runner.invoke(cli, ["ingest", "--config", str(cfg), "--index", str(tmp_path / "ix")])
        assert result.exit_code == 2 and "--config" in result.output and "Traceback" not in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('[1, 2]\n{"id": "x", "turns": [1]}\n', encoding="utf-8")
    result = runner.invoke(cli, ["import", str(bad), "--index", str(tmp_path / "ix2")])
    assert result.exit_code == 1 and "bad.jsonl:1: not an exported entry" in result.output


# ---------------------------------------------------------------------------------------------- doctor

def test_doctor_says_which_index_and_what_each_source_holds(run, sample_index):
    from .conftest import SAMPLES
    text = run("doctor")
    assert text.exit_code == 0, text.output
    out = text.output
    assert f"index       {sample_index} (from --index)" in out
    from qa_archive.index import SCHEMA_VERSION
    assert "generation  gen-" in out and f"schema      {SCHEMA_VERSION} (this qa-archive reads {SCHEMA_VERSION})" in out
    assert "registry    " in out and "projects.yml (" in out
    assert "holds       27 entries from 9 posts in 1 source" in out
    assert str(SAMPLES) in out and "the sample posts" in out and "no source URL" in out
    assert out.rstrip().endswith("ok")
    data = json.loads(run("doctor", "--json").output)
    assert data["entries"] == 27 and data["posts"] == 9 and data["generation"].startswith("gen-")
    assert data["sources"] == [{"path": str(SAMPLES), "posts": 9, "entries": 27, "url_patterns": [],
                                "communities": ["posts"], "exists": True, "sample": True}]
    assert "(community posts; no source URL; the sample posts)" in out
    assert data["registry"]["projects"] > 10 and data["problems"] == [] and data["warnings"] == []
    assert data["registry"]["recorded"].startswith(str(sample_index)) and data["registry"]["recorded"].endswith(".yml")
    assert data["registry"]["next_ingest_rereads"] is False and "only changed posts are read" in out
    assert data["vectors"] == {"model": "e5-small-q4", "entries": 27}
    assert "vectors     e5-small-q4, 27 entries: similar questions matched by meaning" in out


def test_doctor_says_when_no_vectors_are_stored(tmp_path):
    posts = tmp_path / "posts"
    write_post(posts, "w1", "### 本周问答\n\n**@li** 提问：\n\n> Seata 怎么回滚？\n\nA：看 undo_log。\n")
    index = str(tmp_path / "ix")
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(posts), "--index", index], env={"QA_ARCHIVE_EMBEDDER": "none"}).exit_code == 0
    out = runner.invoke(cli, ["doctor", "--index", index]).output
    assert "vectors     none: similar questions matched by words only" in out and "QA_ARCHIVE_EMBEDDER=none" in out
    data = json.loads(runner.invoke(cli, ["doctor", "--index", index, "--json"]).output)
    assert data["vectors"] is None and any("no embedding vectors" in w for w in data["warnings"])
    # the model on, no vectors stored: `similar` says why it takes a while before it answers
    asked = runner.invoke(cli, ["similar", "Seata 回滚", "--index", index], env={"QA_ARCHIVE_EMBEDDER": "hash"})
    assert "built without vectors: embedding its 1 entries" in asked.stderr and "undo_log" in asked.stdout


def test_doctor_says_when_the_next_ingest_reads_everything_again(run, tmp_path, monkeypatch):
    other = tmp_path / "projects.yml"
    other.write_text("projects:\n  - name: Seata\n    repo: https://github.com/apache/incubator-seata\n",
                     encoding="utf-8")
    monkeypatch.setenv("QA_ARCHIVE_PROJECTS", str(other))
    data = json.loads(run("doctor", "--json").output)
    assert data["registry"]["next_ingest"] == str(other) and data["registry"]["next_projects"] == 1
    assert data["registry"]["next_ingest_rereads"] is True
    assert "every post is read again" in run("doctor").output


def test_doctor_reports_a_missing_index_and_mixed_samples(tmp_path, registry):
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source

    from .conftest import SAMPLES, write_post
    runner = CliRunner()
    missing = runner.invoke(cli, ["doctor", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and f"no index at {tmp_path / 'none'}" in missing.output
    corpus = tmp_path / "corpus"
    write_post(corpus, "sofa-weekly-1", "**@甲** 提问：\n\n> Seata 好用吗？\n\nA：好用。\n")
    ingest([Source(corpus, "https://example.org/blog/{dir}/"), Source(SAMPLES)], tmp_path / "mixed", registry)
    data = json.loads(runner.invoke(cli, ["doctor", "--json", "--index", str(tmp_path / "mixed")]).output)
    assert [(s["path"], s["posts"], s["entries"], s["sample"]) for s in data["sources"]] == [
        (str(SAMPLES), 9, 27, True), (str(corpus), 1, 1, False)]
    assert data["sources"][1]["url_patterns"] == ["https://example.org/blog/{dir}/"]
    assert any("sample posts are mixed" in w for w in data["warnings"])
    text = runner.invoke(cli, ["doctor", "--index", str(tmp_path / "mixed")]).output
    assert "warning: the sample posts are mixed with other sources" in text and "    1 post       1 entry  " in text


# ---------------------------------------------------------------------------------------------- serve

@pytest.fixture
def served(monkeypatch):
    """`serve` up to the moment a server would start: the app and the bound socket it would get."""
    started = []

    def fake_run_server(app, sock, host, port, workers, threads, dev):
        started.append({"app": app, "port": port})
        sock.close()
    monkeypatch.setattr("qa_archive.cli.run_server", fake_run_server)
    return started


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_2(sample_index, served):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--index", str(sample_index), "--port", str(port)])
        # and as a real process: nothing of gunicorn's, one line on stderr, before any server starts
        proc = subprocess.run([sys.executable, "-m", "qa_archive.cli", "serve", "--index", str(sample_index),
                               "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert result.exit_code == 2 and not served
    line = f"Error: port {port} is in use on 127.0.0.1 (another server?): stop it or choose another with --port"
    assert result.output.splitlines() == [line]
    assert proc.returncode == 2 and proc.stderr.splitlines() == [line] and proc.stdout == ""


def test_serve_names_a_bad_host_or_port(sample_index, served):
    bad_host = CliRunner().invoke(cli, ["serve", "--index", str(sample_index), "--host", "192.0.2.1"])  # TEST-NET
    assert bad_host.exit_code == 2 and bad_host.output.startswith("Error: cannot listen on 192.0.2.1:8080: ")
    bad_port = CliRunner().invoke(cli, ["serve", "--index", str(sample_index), "--port", "70000"])
    assert bad_port.exit_code == 2 and "70000 is not in the range" in bad_port.output
    assert not served


def test_serve_names_a_bad_setting_or_config_file_in_one_line(sample_index, served, monkeypatch, tmp_path):
    monkeypatch.delenv("QA_ARCHIVE_CONFIG", raising=False)
    monkeypatch.setenv("QA_ARCHIVE_SEARCH_MEANING", "maybe")
    result = CliRunner().invoke(cli, ["serve", "--index", str(sample_index), "--port", "0"])
    assert result.exit_code == 1 and not served
    assert result.output.splitlines() == \
        ["Error: QA_ARCHIVE_SEARCH_MEANING or search.meaning must be on or off, not 'maybe'"]
    monkeypatch.delenv("QA_ARCHIVE_SEARCH_MEANING")
    monkeypatch.setenv("QA_ARCHIVE_CONFIG", str(tmp_path / "missing.yml"))
    result = CliRunner().invoke(cli, ["serve", "--index", str(sample_index), "--port", "0"])
    assert result.exit_code == 1 and not served and len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: cannot read the config file ") and "missing.yml" in result.output


def test_serve_passes_the_base_url_to_the_app(sample_index, served, monkeypatch):
    runner = CliRunner()
    monkeypatch.delenv("QA_ARCHIVE_BASE_URL", raising=False)
    result = runner.invoke(cli, ["serve", "--index", str(sample_index), "--port", "0",
                                 "--base-url", "https://qa.example.org/archive/"])
    assert result.exit_code == 0, result.output
    assert served[-1]["app"].config["BASE_URL"] == "https://qa.example.org/archive"
    assert "as https://qa.example.org/archive/" in result.output
    feed = served[-1]["app"].test_client().get("/feed.atom").get_data(as_text=True)      # what the web does with it
    assert "<id>https://qa.example.org/archive/q/" in feed and "localhost" not in feed
    monkeypatch.setenv("QA_ARCHIVE_BASE_URL", "http://proxy.local:9000")
    assert runner.invoke(cli, ["serve", "--index", str(sample_index), "--port", "0"]).exit_code == 0
    assert served[-1]["app"].config["BASE_URL"] == "http://proxy.local:9000"
    monkeypatch.delenv("QA_ARCHIVE_BASE_URL")
    assert runner.invoke(cli, ["serve", "--index", str(sample_index), "--port", "0"]).exit_code == 0
    assert not served[-1]["app"].config.get("BASE_URL")
    for bad in ("qa.example.org", "ftp://x.org", "https://x.org/?a=1", "https://"):
        result = runner.invoke(cli, ["serve", "--index", str(sample_index), "--port", "0", "--base-url", bad])
        assert result.exit_code == 2 and f"{bad!r} is not a base URL" in result.output, bad
    similar_link = json.loads(runner.invoke(cli, ["similar", "Seata 全局锁", "--json", "--index", str(sample_index),
                                                  "--base-url", "https://qa.example.org/"]).output)
    assert similar_link["hits"][0]["permalink"].startswith("https://qa.example.org/q/")


def test_a_first_run_serves_the_samples_from_their_own_index(tmp_path, served, monkeypatch):
    """The README's order on a fresh clone: `serve`, then build the real archive; no sample ever joins it."""
    import shutil

    from qa_archive.archive import Archive

    from .conftest import SAMPLES, write_post
    clone = tmp_path / "clone"
    shutil.copytree(SAMPLES, clone / "data" / "posts")
    (clone / "index").mkdir()
    (clone / "index" / ".gitkeep").touch()
    monkeypatch.chdir(clone)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("QA_ARCHIVE_INDEX", raising=False)
    runner = CliRunner()
    first = runner.invoke(cli, ["serve", "--port", "0"])
    assert first.exit_code == 0, first.output
    sample_dir = Path(served[-1]["app"].config["INDEX_DIR"])
    assert sample_dir.is_relative_to(tmp_path / "cache" / "qa-archive") and Archive(sample_dir).count() == 27
    assert "serving the sample posts" in first.output and str(sample_dir) in first.output
    assert [p.name for p in (clone / "index").iterdir()] == [".gitkeep"]           # index/ untouched
    again = runner.invoke(cli, ["serve", "--port", "0"])                          # the same index, up to date
    assert again.exit_code == 0 and Path(served[-1]["app"].config["INDEX_DIR"]) == sample_dir

    # the README: `export QA_ARCHIVE_INDEX=…`, ingest the real corpus, doctor, serve
    corpus = tmp_path / "corpus"
    write_post(corpus, "sofa-weekly-1", "**@甲** 提问：\n\n> Seata 的全局锁怎么用？\n\nA：看文档。\n")
    monkeypatch.setenv("QA_ARCHIVE_INDEX", str(tmp_path / "archive"))
    assert runner.invoke(cli, ["ingest", str(corpus), "--url", "https://example.org/{dir}/"]).exit_code == 0
    doctor = json.loads(runner.invoke(cli, ["doctor", "--json"]).output)
    assert [s["path"] for s in doctor["sources"]] == [str(corpus)] and doctor["entries"] == 1
    assert runner.invoke(cli, ["serve", "--port", "0"]).exit_code == 0
    assert served[-1]["app"].config["INDEX_DIR"] == str(tmp_path / "archive")
    hits = Archive(tmp_path / "archive").search("Seata")["hits"]
    assert [h["url"] for h in hits] == ["https://example.org/sofa-weekly-1/"]     # no sample thread


def test_a_configured_empty_index_is_refused_not_filled_with_samples(tmp_path, served, monkeypatch):
    from .conftest import SAMPLES
    clone = tmp_path / "clone"
    (clone / "data").mkdir(parents=True)
    (clone / "data" / "posts").symlink_to(SAMPLES)                 # a fresh clone: data/posts right here
    monkeypatch.chdir(clone)
    monkeypatch.delenv("QA_ARCHIVE_INDEX", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for args, env, where in ((["--index", str(tmp_path / "empty")], {}, tmp_path / "empty"),
                             ([], {"QA_ARCHIVE_INDEX": str(tmp_path / "e2")}, tmp_path / "e2"),
                             ([], {"QA_ARCHIVE_CONFIG": str(tmp_path / "site.yml")}, clone / "index")):
        result = CliRunner().invoke(cli, ["serve", "--port", "0", *args], env=env)
        assert result.exit_code == 1 and f"no index at {where}" in result.output, result.output
        assert "sample" not in result.output
    assert not served and not any((tmp_path / "empty").glob("gen-*")) and not (tmp_path / "cache").exists()


def test_messages_come_from_the_catalogue_in_the_terminal_language(run, monkeypatch):
    """The CLI's messages are catalogue codes: English by default, Chinese under a Chinese locale."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    english = run("show", "zzzzzzzz")
    assert english.exit_code == 1 and "no entry with id 'zzzzzzzz' or an id starting with it" in english.output
    assert "the last page is" in run("search", "SOFA", "--page", "99").output
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    chinese = run("show", "zzzzzzzz")
    assert chinese.exit_code == 1 and "没有编号为 'zzzzzzzz' 或以它开头的问答" in chinese.output
    assert "第 99 页超出了范围" in run("search", "SOFA", "--page", "99").output       # library errors too
    assert "不是日期" in run("search", "SOFA", "--after", "soon").output
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")                                        # LC_ALL comes first
    assert "is not a date" in run("search", "SOFA", "--after", "soon").output


def test_inspect_prints_the_posts_warnings_and_counts_in_words(tmp_path):
    """The post's own warnings (front matter YAML aliases read as empty) are printed; counts say thread/turn."""
    post = tmp_path / "weekly.md"
    post.write_text('---\ntitle: &t "SOFA Weekly | 示例"\ndescription: *t\ndate: 2021-03-05\n---\n\n'
                    "### 每周读者问答提炼\n\n**@li** 提问：\n\n> Seata 的 AT 模式怎么回滚？\n\n"
                    "A：依靠 undo_log 里的前后镜像生成反向 SQL。\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["inspect", str(post)])
    assert out.exit_code == 0, out.output
    assert "warning: front matter uses YAML aliases" in out.output
    assert "1 thread\n" in out.output and "(s)" not in out.output and "1 turn," in out.output
    data = json.loads(CliRunner().invoke(cli, ["inspect", str(post), "--json"]).output)
    assert any("YAML aliases" in w for w in data["warnings"])
    from qa_archive.terminal import DEFAULT_WIDTH, display_width
    long = CliRunner().invoke(cli, ["inspect", str(SAMPLES / "sofa-weekly-20191122-example" / "index.md")]).output
    parts = [line for line in long.splitlines() if line.startswith("  line ") and "  " in line[8:]]
    assert parts and all(display_width(line) <= DEFAULT_WIDTH for line in parts)     # cut by columns, not characters
    assert any(line.endswith("…") for line in parts)


def test_doctor_refuses_an_empty_index_and_writes_times_and_long_lines_for_people(run):
    empty = CliRunner().invoke(cli, ["doctor", "--index", ""])
    assert empty.exit_code == 2 and "the path is empty" in empty.output and "no index at" not in empty.output
    out = run("doctor").output
    gen = next(line for line in out.splitlines() if line.startswith("generation"))
    assert re.search(r"written \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC by", gen), gen
    assert all(len(line) <= 100 for line in out.splitlines())           # piped: 100 columns, long lines wrapped
    data = json.loads(run("doctor", "--json").output)
    assert data["created"].count("-") >= 2                                # scripts keep the ISO time


def test_an_unknown_project_is_one_usage_error_for_search_and_similar(run):
    for command in (["search", "TCC"], ["similar", "Seata TCC 悬挂怎么处理？"]):
        out = run(*command, "--project", "Seeta")
        assert out.exit_code == 2 and "no project named 'Seeta'; did you mean Seata?" in out.output, out.output


def test_search_output_speaks_the_terminal_language(run, monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    out = run("search", "Seata", "-n", "1").output
    assert re.match(r"\d+ 条问答，第 1/\d+ 页", out) and "项目：" in out and "entries" not in out
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert re.match(r"\d+ entries, page 1 of \d+", run("search", "Seata", "-n", "1").output)


def test_stats_and_the_ingest_summary_speak_the_terminal_language(run, monkeypatch, tmp_path):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    out = run("stats", "--no-pager").output
    assert re.match(r"\d+ 条问答，来自 \d+ 篇文章；索引 ", out) and "每年问答数：" in out and "Per year" not in out
    posts = tmp_path / "posts"
    write_post(posts, "w1", "### 本周问答\n\n**@li** 提问：\n\n> Seata 怎么回滚？\n\nA：看 undo_log。\n")
    summary = CliRunner().invoke(cli, ["ingest", str(posts), "--index", str(tmp_path / "ix")], env={
        "QA_ARCHIVE_EMBEDDER": "none"})
    assert summary.exit_code == 0 and "读取 1 篇文章" in summary.output and "新增 1" in summary.output
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert re.match(r"\d+ entries from \d+ posts; index ", run("stats", "--no-pager").output)
