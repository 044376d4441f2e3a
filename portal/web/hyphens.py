"""Long words in headings get soft hyphens, so that on a phone a Danish or Swedish compound
("Rehabiliteringsplanens") breaks at a syllable with a hyphen instead of mid-word without one.
CSS `hyphens: auto` does the same only where the browser has the language's dictionary;
the soft hyphens work everywhere, are not shown unless the word breaks there, and are not
read out. The points come from the hyphenation dictionaries LibreOffice uses (pyphen)."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache, lru_cache

import pyphen
from markupsafe import Markup

# Shorter words fit the narrowest heading line; only longer ones are looked at.
LONG = 14
DICTIONARIES = {"da": "da_DK", "sv": "sv", "en": "en_GB"}
SOFT_HYPHEN = "\u00ad"

TAG = re.compile(r"(<[^>]*>)")
LONG_WORD = re.compile(rf"\w{{{LONG},}}")


@cache
def dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=DICTIONARIES.get(language, "en_GB"), left=3, right=3)


@cache
def hyphenated(word: str, language: str) -> str:
    return str(dictionary(language).inserted(word, hyphen=SOFT_HYPHEN))


def in_text(text: str, language: str) -> str:
    return LONG_WORD.sub(lambda match: hyphenated(match.group(0), language), text)


@lru_cache(maxsize=4096)
def in_heading(inner: str, language: str) -> str:
    """The heading's text, not its tags (a link's address stays as it is); the same headings
    come back on every page, so each is worked out once."""
    parts = TAG.split(inner)
    for index in range(0, len(parts), 2):
        parts[index] = in_text(parts[index], language)
    return "".join(parts)


# A heading in a template's source: its opening tag (the level may be a template expression,
# as in a component), what it holds, and its closing tag.
HEADING_SOURCE = re.compile(
    r"(<h(?:[1-6]|\{\{[^}]*\}\})(?:\s[^>]*)?>)(.*?)(</h(?:[1-6]|\{\{[^}]*\}\})>)", re.S
)
# A filter block that changes no whitespace (`+` turns off trim_blocks and lstrip_blocks).
IN_FILTER = r"\1{%+ filter hyphenated_heading +%}\2{%+ endfilter +%}\3"

# Off while a PDF is rendered: WeasyPrint breaks long words by the print stylesheet, and a
# PDF's text stays as it is written when copied out of it.
hyphenating: ContextVar[bool] = ContextVar("hyphenating", default=True)


def with_hyphenated_headings(source: str) -> str:
    """A template's source with what each heading holds passed through the
    `hyphenated_heading` filter when rendered: headings are found once, when a template is
    compiled, instead of in every page's HTML."""
    return HEADING_SOURCE.sub(IN_FILTER, source)


def heading_filter(language: str) -> Callable[[str], Markup]:
    """The filter for one language: a heading's rendered HTML (escaped by then) with soft
    hyphens in the long words of its text."""

    def hyphenated_heading(inner: str) -> Markup:
        if not hyphenating.get():
            return Markup(inner)  # noqa: S704 -- the heading as rendered
        return Markup(in_heading(str(inner), language))  # noqa: S704 -- the same, hyphenated

    return hyphenated_heading
