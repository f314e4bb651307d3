"""The one tokenizer: English words stemmed on both sides, identifiers whole, Chinese exactly as before."""
from __future__ import annotations

import pickle

import pytest
from whoosh import fields
from whoosh import query as Q
from whoosh.filedb.filestore import RamStorage

from qa_archive import analysis

THREADS = [
    "Can one signature cover several inputs? Only with a new sighash flag.",
    "Why was the output spent twice? A reorg removed the first spending transaction.",
    "What is proof of work? Miners grind a nonce until the header hash is below the target.",
    "Is the work of a proof checked? Reviewers check each proof by hand.",
    "Does OP_CHECKSIG verify schnorr signatures? bip340 keys are x-only since v0.22.0.",
    "sofa-registry 的数据存储在哪里？SOFARegistry 使用数据库做存储。",
]


@pytest.fixture(scope="module")
def searcher():
    schema = fields.Schema(n=fields.STORED, text=fields.TEXT(analyzer=analysis.analyzer()))
    ix = RamStorage().create_index(schema)
    w = ix.writer()
    for i, t in enumerate(THREADS):
        w.add_document(n=i, text=t)
    w.commit()
    with ix.searcher() as s:
        yield s


def find(searcher, query: str) -> set[int]:
    """The threads matching every word of a query, each word analysed as search analyses it."""
    words = [analysis.terms(w, parts=False) for w in query.split()]
    q = Q.And([Q.Or([Q.Term("text", t) for t in ts]) for ts in words if ts])
    return {hit["n"] for hit in searcher.search(q, limit=None)}


def phrase(searcher, text: str) -> set[int]:
    words = [t for t, *_ in analysis.tokens(text)]
    return {hit["n"] for hit in searcher.search(Q.Phrase("text", words), limit=None)}


def test_plural_finds_singular_and_singular_finds_plural(searcher):
    assert 0 in find(searcher, "signatures")
    assert 4 in find(searcher, "signature")
    assert analysis.terms("Signatures") == analysis.terms("signature")


def test_inflections_meet_where_the_stemmer_agrees(searcher):
    assert find(searcher, "spends") == find(searcher, "spending") == {1}
    assert find(searcher, "verified") == {4}
    assert analysis.terms("mining") == analysis.terms("mined")


def test_case_folding_and_full_width_as_before(searcher):
    assert analysis.terms("ＳＩＧＮＡＴＵＲＥＳ") == analysis.terms("signatures")
    assert find(searcher, "SCHNORR") == {4}


def test_stop_words_keep_a_phrase_its_meaning(searcher):
    # "proof of work" is a phrase of three words, not two; it is not "the work of a proof"
    assert phrase(searcher, "proof of work") == {2}
    assert phrase(searcher, "work of a proof") == {3}
    # a query of nothing but common words still means something
    assert analysis.terms("what is it") and find(searcher, "what is proof") == {2}


def test_identifiers_versions_and_hyphenated_names_stay_whole():
    assert analysis.terms("OP_CHECKSIG", parts=False) == ["op_checksig"]
    # letters then digits also as two words (`jdk17` meets `JDK 17`), the whole kept first
    assert analysis.terms("bip340 BIP-340", parts=False) == ["bip340", "bip", "340", "bip-340", "bip340"]
    assert analysis.terms("v0.22.0", parts=False) == ["v0.22.0", "v0220"]
    assert analysis.terms("sofa-registry", parts=False) == ["sofa-registry", *analysis.terms("SOFARegistry")]
    assert analysis.terms("x-only", parts=False) == ["x-only", *analysis.terms("xonly")]
    # a hyphenated name's parts are plain words, stemmed like any other: `fee bumping` finds `fee-bumping`
    assert analysis.terms("fee-bumping") == ["fee-bumping", *analysis.terms("feebumping"), "fee",
                                             *analysis.terms("bumping")]


def test_identifiers_are_found_whole(searcher):
    assert find(searcher, "op_checksig") == {4}
    assert find(searcher, "BIP340") == {4}
    assert find(searcher, "v0.22.0") == {4}
    assert find(searcher, "sofa-registry") == find(searcher, "sofaregistry") == {5}


@pytest.mark.parametrize("text, expected", [
    ("使用数据库做存储", ["使用", "用数", "数据", "据库", "库做", "做存", "存储"]),
    ("Seata 的数据存储", ["seata", "的数", "数据", "据存", "存储"]),
    ("跨机房部署 jraft", ["跨机", "机房", "房部", "部署", "jraft"]),
    ("好", ["好"]),
    ("的 了", []),
    ("ＭＯＳＮ 热升级", ["mosn", "热升", "升级"]),
])
def test_chinese_tokens_unchanged(text, expected):
    assert analysis.terms(text) == expected


def test_chinese_positions_and_offsets_unchanged():
    assert list(analysis.tokens("数据库 的 存储")) == [
        ("数据", 0, 0, 2), ("据库", 1, 1, 3), ("存储", 3, 6, 8)]


def test_spans_mark_every_form_of_the_words_searched():
    text = "The Signatures differ: one signature, two signing keys."
    marked = [text[s:e] for s, e in analysis.spans(text, set(analysis.terms("signatures")))]
    assert marked == ["Signatures", "signature"]
    cjk = "使用数据库做存储"
    assert [cjk[s:e] for s, e in analysis.spans(cjk, set(analysis.terms("数据库")))] == ["数据", "据库"]


def test_the_analyzer_pickles_with_a_schema():
    an = analysis.analyzer()
    assert pickle.loads(pickle.dumps(an)) == an
    other = analysis.analyzer(analysis.English("none"))
    assert pickle.loads(pickle.dumps(other)) == other and other != an
    assert [t.text for t in other("signatures")] == ["signatures"]


def test_spelling_words_are_the_words_as_written():
    """A Whoosh field with `spelling=True` keeps unstemmed words for "did you mean"."""
    an = analysis.analyzer()
    assert an.has_morph()
    assert [t.text for t in an("Signatures spent 数据库 v0.22.0", no_morph=True)] == ["signatures", "spent"]
    schema = fields.Schema(text=fields.TEXT(analyzer=an, spelling=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(text="Schnorr signatures and transactions")
    with ix.searcher() as s:
        assert s.corrector("text").suggest("signatuers", limit=1) == ["signatures"]
        assert s.corrector("text").suggest("transactoins", limit=1) == ["transactions"]


ENGLISH_POST = """
## Weekly Q&A

### 每周读者问答提炼

**@alice** 提问：

> Can one signature cover several inputs of a transaction?

A：Only with a new sighash flag; today every input carries its own signature.

**@bob** 提问：

> Why was my output spent twice?

A：It was not: a reorg removed the first spending transaction, and its signatures were valid again later.

**@carol** 提问：

> How do I use SOFARegistry with sofa-registry-client?

A：Point the client at the session servers; the rest is configuration.
"""


@pytest.fixture(scope="module")
def english_archive(tmp_path_factory, registry):
    from qa_archive.archive import Archive
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source

    from .conftest import write_post
    root = tmp_path_factory.mktemp("english") / "posts"
    write_post(root, "weekly-english", ENGLISH_POST, title="Weekly | English questions")
    index_dir = root.parent / "index"
    ingest([Source(root)], index_dir, registry)
    return Archive(index_dir, registry)


def test_search_finds_other_forms_and_marks_what_matched(english_archive):
    res = english_archive.search("signature")
    assert [h["asker"] for h in res["hits"]] == ["alice", "bob"]
    assert "<mark>signature</mark>" in res["hits"][0]["highlights"]["question"]
    assert "<mark>signatures</mark>" in res["hits"][1]["highlights"]["answer"]
    res = english_archive.search("spends")
    assert res["hits"][0]["asker"] == "bob" and "<mark>spending</mark>" in res["hits"][0]["highlights"]["answer"]


def test_a_project_name_is_still_a_project_name(english_archive):
    for q in ("SOFARegistry", "sofaregistry", "sofa-registry"):
        assert english_archive.search(q)["hits"][0]["asker"] == "carol", q


def test_did_you_mean_suggests_words_as_written(english_archive):
    assert english_archive.search("signatuers")["suggestion"] in ("signature", "signatures")   # never a stem
