"""The command line: help with examples everywhere, JSON for scripts, no tracebacks."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from qa_archive.cli import cli

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


def test_a_page_past_the_end_says_so(run):
    result = run("search", "SOFA", "--page", "99")
    total = json.loads(run("search", "SOFA", "--json").output)["total"]
    assert result.exit_code == 1
    assert "page 99 is past the end" in result.output and f"{total} entries" in result.output
    assert "the last is --page" in result.output
    assert json.loads(run("search", "SOFA", "--page", "99", "--json").output)["hits"] == []   # scripts: data


def test_english_plurals(run):
    one = run("search", "readiness")
    assert one.output.startswith("1 entry\n") and "1 entries" not in one.output
    assert run("search", "MOSN").output.startswith("4 entries")
    assert run("stats").output.startswith("27 entries from 9 posts;")


def test_similar_formats_and_stdin(run):
    question = "Seata TCC 模式里 Cancel 比 Try 先执行导致悬挂，业务上怎么防？"
    data = json.loads(run("similar", question, "--json").output)
    assert data["hits"][0]["asker"] == "ray-huang" and data["hits"][0]["confident"] is True
    reply = run("similar", "-", "--format", "markdown", input=question).output
    assert reply.startswith("这个问题之前有人问过") and "/q/" in reply
    english = run("similar", "How does Kafka rebalance consumer groups when a broker restarts?",
                  "--format", "markdown")
    assert english.exit_code == 0 and english.output == ""          # no confident match: nothing to post


def test_the_readme_documents_every_command():
    from .conftest import REPO
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"qa-archive {name}" in readme, name


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


def test_errors_name_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QA_ARCHIVE_INDEX", raising=False)
    runner = CliRunner()
    for args in (["search", "mosn"], ["search", "mosn", "--index", "elsewhere"], ["show", "abcd"], ["stats"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1 and f"no index at {tmp_path}{os.sep}" in result.output, args
    missing = runner.invoke(cli, ["ingest", "no-such-folder", "--index", "ix"])
    assert missing.exit_code == 2 and str(tmp_path / "no-such-folder") in missing.output
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
