"""The command line: help with examples everywhere, JSON for scripts, no tracebacks."""
from __future__ import annotations

import json

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
    assert missing.exit_code == 1 and "no entry" in missing.output
    projects = json.loads(run("projects", "--json").output)
    assert projects[0]["count"] >= projects[-1]["count"]
    stats = json.loads(run("stats", "--json").output)
    assert stats["entries"] == 27 and run("stats").exit_code == 0


def test_bad_queries_get_a_message_not_a_traceback(run):
    for args in (["search", " "], ["search", "x" * 600], ["search", "mosn", "--page", "0"]):
        result = run(*args)
        assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output


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
    monkeypatch.setattr("qa_archive.cli.terminal", lambda: (True, 60))
    out = CliRunner().invoke(cli, ["search", "SOFAJRaft", "快照", "--index", str(sample_index)], color=True).output
    assert "\x1b[" in out and max(len(line) for line in out.splitlines()) < 200


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
