"""Shared fixtures: a read-only index of our sample posts and one of the shared corpus, built once per session;
a fresh temporary index for each test that writes."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from qa_archive.archive import Archive
from qa_archive.ingest import ingest
from qa_archive.parse import Source
from qa_archive.projects import Registry

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "posts"
SHARED = Path(os.environ.get("QA_ARCHIVE_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "sofastack.tech"
GOLD = SHARED / "gold"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.load(REPO / "qa_archive" / "projects.yml")


def ingested(tmp_path_factory, name: str, root: Path, registry) -> Path:
    index_dir = tmp_path_factory.mktemp(name) / "index"
    ingest([Source(root)], index_dir, registry)
    return index_dir


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, registry) -> Path:
    return ingested(tmp_path_factory, "sample", SAMPLES, registry)


@pytest.fixture(scope="session")
def sample_archive(sample_index) -> Archive:
    return Archive(sample_index)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, registry) -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing at {CORPUS} (set QA_ARCHIVE_SHARED to the shared folder)")
    return ingested(tmp_path_factory, "corpus", CORPUS, registry)


@pytest.fixture(scope="session")
def corpus_archive(corpus_index) -> Archive:
    return Archive(corpus_index)


FRONT = """---
title: "{title}"
date: {date}
tags: ["SOFA Weekly"]
---
"""


def write_post(root: Path, name: str, body: str, title: str = "SOFA Weekly | 测试", date: str = "2024-05-10",
               front: str | None = None) -> Path:
    """A post in Hugo's layout (name/index.md), or a flat file when name ends in .md."""
    path = root / name if name.endswith(".md") else root / name / "index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    head = FRONT.format(title=title, date=date) if front is None else front
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return path
