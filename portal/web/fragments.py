"""A per-process cache of rendered page fragments, keyed by the version of what they show.

Entries are never invalidated: the key holds everything the fragment depends on (whose, which
language, which day, the data's latest change), so a change makes a new key and the old entry
ages out. Several processes each keep their own; none can serve another's stale copy.
"""

from __future__ import annotations

import itertools
import secrets
from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any

from markupsafe import Markup

# Markers name no real content: a page's text cannot guess this process's token.
_MARKER_TOKEN = secrets.token_hex(8)
_MARKER_NUMBERS = itertools.count()


class FragmentCache:
    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def get_many(self, keys: list[Hashable]) -> list[Any | None]:
        """`get` of each key, under one hold of the lock."""
        entries = self._entries
        with self._lock:
            found = [entries.get(key) for key in keys]
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class EncodedHTML:
    """A large cached fragment kept as UTF-8 bytes. A template shows it (once) as a marker,
    which `Pages.render` swaps for these bytes after encoding the rest of the page: the
    fragment is neither copied into the page's text nor encoded again for every request."""

    __slots__ = ("data", "marker")

    def __init__(self, html: Markup) -> None:
        self.data = str(html).encode()
        self.marker = f"<!--fragment-{_MARKER_TOKEN}-{next(_MARKER_NUMBERS)}-->"

    def __html__(self) -> str:
        return self.marker


def splice(body: bytes, fragments: list[EncodedHTML]) -> bytes:
    """The encoded page with each fragment's marker replaced by its bytes."""
    for fragment in fragments:
        body = body.replace(fragment.marker.encode(), fragment.data, 1)
    return body
