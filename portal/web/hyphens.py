"""Long words in headings get soft hyphens, so that on a phone a Danish or Swedish compound
("Rehabiliteringsplanens") breaks at a syllable with a hyphen instead of mid-word without one.
CSS `hyphens: auto` does the same only where the browser has the language's dictionary;
the soft hyphens work everywhere, are not shown unless the word breaks there, and are not
read out. The points come from the hyphenation dictionaries LibreOffice uses (pyphen)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pyphen

# Shorter words fit the narrowest heading line; only longer ones are looked at.
LONG = 14
DICTIONARIES = {"da": "da_DK", "sv": "sv", "en": "en_GB"}
SOFT_HYPHEN = "\u00ad"

HEADING = re.compile(r"(<h[1-6]\b[^>]*>)(.*?)(</h[1-6]>)", re.S)
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


def hyphenate_headings(html: str, language: str) -> str:
    """`html` with soft hyphens in the long words of its headings."""
    return HEADING.sub(
        lambda match: match.group(1) + in_heading(match.group(2), language) + match.group(3),
        html,
    )
