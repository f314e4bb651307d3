"""One message catalogue for every interface: errors and notes carry a code and parameters, and the CLI, the pages
and the API render them in the reader's language from `catalogue.yml`. Rewording a message is an edit to that file,
and its Chinese cannot silently go missing: a test checks that every code has both languages."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("catalogue.yml")
LANGUAGES = ("zh", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """code -> {"zh": template, "en": template}; templates use str.format fields named by the parameters."""
    with open(CATALOGUE, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def render(code: str, params: dict | None = None, lang: str = "en") -> str:
    entry = catalogue().get(code)
    if entry is None:
        return code
    template = entry.get(lang) or entry["en"]
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return template


class ArchiveError(Exception):
    """A problem the user can act on: a catalogue code and its parameters. `str()` is the English message, so
    logs and tracebacks stay readable; interfaces call `.render(lang)` for the reader's language."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(render(code, params, "en"))

    def render(self, lang: str = "en") -> str:
        return render(self.code, self.params, lang)
