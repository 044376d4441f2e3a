"""Components whose HTML depends on their parameters alone (a form field, a button, a tag, a
pager) are rendered once per process for each set of parameters, and then taken from here.

A page's fields and buttons are mostly the same from one request to the next (the empty share
form, the settings' fields, "Change" and "Remove"), and calling their macros was a fifth of some
pages' time. A component is one of these when everything it shows comes from its parameters,
its language's translations (each language's environment keeps its own) and what the key
holds of the rendering (the request's language, whether headings are hyphenated): `PURE`
names them; each is called with one dict and no body.

The key is the parameters as plain values with each one's type beside it: a `Markup` and a
plain string of the same text are equal in Python, but a component escapes one and not the
other, so they never share an entry. Parameters of any other kind (an object), or a text
longer than `LONGEST_TEXT` (what someone wrote), are not kept: the component is rendered as
before. A kept call holds its parameters, typed values among them, in this process's memory,
as the cached fragments hold the pages' parts: up to `max_entries` calls per language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import Undefined
from markupsafe import Markup

from portal.web.fragments import FragmentCache
from portal.web.hyphens import hyphenating
from portal.web.i18n import LazyText, current_language

# The components of templates/components/ that show only what they are given.
PURE = frozenset(
    {
        "button",
        "checkbox",
        "checkbox_group",
        "empty_state",
        "error_summary",
        "item_actions",
        "link_card",
        "meeting_details",
        "pager",
        "radio_group",
        "select_field",
        "tag",
        "text_field",
        "textarea_field",
    }
)
LONGEST_TEXT = 300  # a longer text is someone's writing, not worth keeping
MOST_ITEMS = 64  # a longer list (a select's options) is kept only up to this length
# Kept as they are: values that are equal only when they show the same (not floats: -0.0 and
# 0.0 are equal; datetimes are kept by their text, as one moment in two zones is equal too).
_PLAIN = (int, bool, type(None), dt.date)


class _NotKept(Exception):
    """A parameter that cannot be part of a key."""


def frozen(value: Any) -> Hashable:
    """`value` as a hashable key that tells its type: dicts (with text keys, in their order,
    which a component's attributes are shown in), lists, tuples and sets of plain values
    (texts, Markup, whole numbers, booleans, None, dates, moments by their text and zone), a
    lazy translation (as its text) and a name the page does not have (Jinja's Undefined).
    Raises _NotKept for anything else."""
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    freeze = _FREEZERS.get(kind)
    if freeze is None:
        raise _NotKept
    return freeze(value)


def _text(value: str) -> Hashable:
    if len(value) > LONGEST_TEXT:
        raise _NotKept
    return (type(value), str(value))


def _counted(values: Any) -> Any:
    if len(values) > MOST_ITEMS:
        raise _NotKept
    return values


def _key_text(key: Any) -> str:
    if type(key) is not str:
        raise _NotKept
    return str(key)


_FREEZERS: dict[type, Callable[[Any], Hashable]] = {
    str: _text,
    Markup: _text,
    dict: lambda value: (
        dict,
        tuple((_key_text(key), frozen(item)) for key, item in _counted(value).items()),
    ),
    list: lambda value: (list, tuple(frozen(item) for item in _counted(value))),
    tuple: lambda value: (tuple, tuple(frozen(item) for item in _counted(value))),
    set: lambda value: (set, frozenset(frozen(item) for item in _counted(value))),
    frozenset: lambda value: (frozenset, frozenset(frozen(item) for item in _counted(value))),
    dt.datetime: lambda value: (dt.datetime, value.isoformat(), value.tzname()),
    # A name the page does not have: shown as nothing, as None is not.
    Undefined: lambda value: (Undefined,),
    # A lazy translation: shown as its text in the request's language, escaped like a str.
    LazyText: lambda value: _text(str(value)),
}


class PureComponents:
    """One language environment's pure components and the kept HTML of their calls."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.macros: set[Any] = set()  # the environment's pure components' Macros
        self.rendered = FragmentCache(max_entries=max_entries)

    def add(self, name: str, macro: Any) -> None:
        if name in PURE:
            self.macros.add(macro)

    def call(self, macro: Any, params: Any, make: Callable[[], Any]) -> Any:
        """The component's HTML for these parameters: kept, or made by `make` (and kept)."""
        key = self.key(macro, params)
        if key is None:
            return make()
        html = self.rendered.get(key)
        if html is None:
            html = make()
            self.rendered.put(key, html)
        return html

    def key(self, macro: Any, params: Any) -> Hashable | None:
        """The key of this call, or None when it is not to be kept: the macro (of one
        language's environment), what the rendering reads besides its parameters (the
        request's language, which the date formats and lazy labels follow, and whether
        headings are hyphenated, which they are not in a PDF), and the parameters."""
        if macro not in self.macros or type(params) is not dict:
            return None
        try:
            return (macro, current_language.get(), hyphenating.get(), frozen(params))
        except _NotKept:
            return None
