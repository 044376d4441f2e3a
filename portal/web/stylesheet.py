"""Keep only the Designsystemet rules the portal's pages can match.

The vendored stylesheet styles every Designsystemet component; the portal renders about a
dozen of them. A selector that needs a component class no template, macro or script of the
portal ever writes can match nothing on our pages, so its rule is left out. Everything else is
kept as it is: element and attribute selectors, custom properties, layers, media queries,
keyframes and classes that are not Designsystemet's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import tinycss2
from tinycss2.ast import LiteralToken, Node

COMPONENT_CLASS = re.compile(r"\bds-[a-z0-9]+(?:-[a-z0-9]+)*")
PREFIX = "ds-"
# Pseudo-classes that match only when one of their selectors does.
MATCHING_FUNCTIONS = frozenset({"is", "where", "matches", "has"})
GROUPING_AT_RULES = frozenset({"layer", "media", "supports", "container"})


def used_classes(files: Iterable[Path]) -> frozenset[str]:
    """Every component class written anywhere in the given sources."""
    found: set[str] = set()
    for file in files:
        found.update(COMPONENT_CLASS.findall(file.read_text(encoding="utf-8")))
    return frozenset(found)


def _split(tokens: Sequence[Node]) -> list[list[Node]]:
    """A selector list split at its top-level commas."""
    groups: list[list[Node]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return groups


def can_match(selector: Sequence[Node], used: frozenset[str]) -> bool:
    """False when the selector needs a component class that is never used."""
    after_dot = False
    for token in selector:
        if after_dot and token.type == "ident":
            if token.value.startswith(PREFIX) and token.value not in used:
                return False
        elif token.type == "function" and token.lower_name in MATCHING_FUNCTIONS:
            arguments = [group for group in _split(token.arguments) if group]
            if arguments and not any(can_match(group, used) for group in arguments):
                return False
        after_dot = token.type == "literal" and token.value == "."
    return True


def _rules(rules: Iterable[Node], used: frozenset[str]) -> str:
    out: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _split(rule.prelude) if can_match(s, used)]
            if selectors:
                prelude: list[Node] = []
                for index, selector in enumerate(selectors):
                    if index:
                        prelude.append(LiteralToken(0, 0, ","))
                    prelude.extend(selector)
                body = _block(rule.content, used)
                out.append(f"{tinycss2.serialize(prelude).strip()}{{{body}}}")
        elif (
            rule.type == "at-rule"
            and rule.content is not None
            and rule.lower_at_keyword in GROUPING_AT_RULES
        ):
            inner = _rules(
                tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True),
                used,
            )
            if inner:
                prelude_text = tinycss2.serialize(rule.prelude)
                out.append(f"@{rule.at_keyword}{prelude_text}{{{inner}}}")
        elif rule.type not in ("whitespace", "comment"):
            out.append(tinycss2.serialize([rule]))
    return "".join(out)


def _block(content: Sequence[Node], used: frozenset[str]) -> str:
    """A rule's block: its declarations, and any nested rules trimmed the same way."""
    parts: list[str] = []
    for item in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True):
        if item.type in ("qualified-rule", "at-rule"):
            parts.append(_rules([item], used))
        else:
            parts.append(tinycss2.serialize([item]))  # a declaration ends with its ";"
    return "".join(parts)


def trim(css: str, used: frozenset[str]) -> str:
    """The stylesheet without the rules that need unused component classes."""
    return _rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), used)
