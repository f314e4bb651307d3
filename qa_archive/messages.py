"""One message catalogue for every interface: errors and notes carry a code and parameters, and the CLI, the pages
and the API render them in the reader's language. Rewording a message is an edit to a YAML file, and its Chinese
cannot silently go missing: a test checks that every code has both languages.

Two files, one namespace: `catalogue.yml` holds the library's coded errors and notes, `ui.yml` the web interface's
strings and its own error codes (`web.*`, `http.*`). The archive's display name is configuration, not a string:
`archive_name()`.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("catalogue.yml")
UI = Path(__file__).with_name("ui.yml")
LANGUAGES = ("zh", "en")
NAME_ENV = "QA_ARCHIVE_NAME"
# libyaml's safe loader when PyYAML has it (the wheels do): the same data as yaml.safe_load, ten times faster,
# which a terminal command starting cold notices
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=SAFE_LOADER) or {}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """The library's codes: code -> {"zh": template, "en": template}; templates use str.format fields named by the
    parameters."""
    return _load(CATALOGUE)


@lru_cache(maxsize=1)
def interface() -> dict[str, dict[str, str]]:
    """The web interface's strings and its own error codes (`web.*`, `http.*`); a key may add `en_one`/`zh_one`,
    the form for a count of one."""
    return _load(UI)


def known(code: str) -> bool:
    return code in catalogue() or code in interface()


def render(code: str, params: dict | None = None, lang: str = "en") -> str:
    entry = catalogue().get(code) or interface().get(code)
    if entry is None:
        return code
    params = params or {}
    template = None
    if params.get("n") == 1:
        template = entry.get(f"{lang}_one")
    if template is None:
        template = entry.get(lang) or entry["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def text(key: str, lang: str = "en", **params) -> str:
    """An interface string in the reader's language (`n=` picks the singular where a language has one)."""
    return render(key, params, lang)


def archive_name(configured: str | None = None, lang: str = "en") -> str:
    """The archive's display name: the configured one (config `archive.name`, or QA_ARCHIVE_NAME), else a neutral
    default in the reader's language. Never a community's brand unless someone configured it."""
    name = (configured or os.environ.get(NAME_ENV) or "").strip()
    return name or render("site", None, lang)


class ArchiveError(Exception):
    """A problem the user can act on: a catalogue code and its parameters. `str()` is the English message, so
    logs and tracebacks stay readable; interfaces call `.render(lang)` for the reader's language."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(render(code, params, "en"))

    def render(self, lang: str = "en") -> str:
        return render(self.code, self.params, lang)
