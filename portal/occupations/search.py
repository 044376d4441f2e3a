"""Type-ahead search over the occupation list, in memory, one index per language.

Matching folds case and diacritics and treats the Nordic spellings alike (å = aa, æ = ä,
ø = ö), so "sjuksköterska" is found by "SJUKSKOTERSKA" and "Åbenrå" by "aabenraa". Every
word of the query must begin a word of a label (in any order). Ranking: the preferred label
begins with the query; a word of the preferred label does; an alternative or hidden label
begins with it; a word of one does; the group's label does. Then shorter labels first.

Lookups bisect a sorted list of (word, entry) pairs, so a query touches only the entries that
have a word with its prefix, never the whole list.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

PREFERRED, ALTERNATIVE, HIDDEN, GROUP = "preferred", "alternative", "hidden", "group"
NORDIC = str.maketrans({"å": "a", "æ": "a", "ä": "a", "ø": "o", "ö": "o"})
WORD = re.compile(r"[0-9a-z]+")
MAX_RESULTS = 10


def fold(text: str) -> str:
    """Lower case without diacritics, the Nordic letters as their base letter and "aa" as
    "a": so å = aa = a, æ = ä = a, ø = ö = o, for the typist with or without those keys."""
    based = unicodedata.normalize("NFKD", text.lower().translate(NORDIC))
    plain = "".join(c for c in based if not unicodedata.combining(c))
    return plain.replace("aa", "a")


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


@dataclass(frozen=True)
class Hit:
    uri: str
    label: str  # the preferred label, shown
    group_label: str
    matched: str  # the label that matched, when not the preferred one


@dataclass
class _Entry:
    uri: str
    preferred: str
    group_label: str
    labels: list[tuple[str, str, tuple[str, ...], str]]  # kind, label, its words, joined


class OccupationIndex:
    """The searchable labels of one language."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.pairs: list[tuple[str, int]] = []

    def add(
        self,
        uri: str,
        preferred: str,
        others: Iterable[tuple[str, str]],
        group_label: str = "",
    ) -> None:
        named = [(PREFERRED, preferred), *((k, label) for k, label in others if label)]
        if group_label:
            named.append((GROUP, group_label))
        labels = []
        for kind, label in named:
            label_words = tuple(words(label))
            labels.append((kind, label, label_words, " ".join(label_words)))
        index = len(self.entries)
        self.entries.append(_Entry(uri, preferred, group_label, labels))
        for word in {w for _kind, _label, label_words, _joined in labels for w in label_words}:
            self.pairs.append((word, index))

    def freeze(self) -> OccupationIndex:
        self.pairs.sort()
        return self

    def _candidates(self, prefix: str) -> set[int]:
        found = set()
        position = bisect_left(self.pairs, (prefix, -1))
        while position < len(self.pairs) and self.pairs[position][0].startswith(prefix):
            found.add(self.pairs[position][1])
            position += 1
        return found

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[Hit]:
        terms = words(query)
        if not terms:
            return []
        # Start from the rarest term's candidates.
        candidate_sets = sorted((self._candidates(t) for t in terms), key=len)
        candidates = set.intersection(*candidate_sets) if candidate_sets else set()
        whole = " ".join(terms)
        ranked = []
        for index in candidates:
            entry = self.entries[index]
            best = None
            for kind, label, label_words, joined in entry.labels:
                rank = _rank(kind, label_words, joined, whole, terms)
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, label, kind)
            if best is not None:
                rank, label, kind = best
                matched = "" if kind in (PREFERRED, GROUP) else label
                ranked.append((rank, len(entry.preferred), fold(entry.preferred), entry, matched))
        ranked.sort(key=lambda r: (r[0], r[1], r[2]))
        return [
            Hit(entry.uri, entry.preferred, entry.group_label, matched)
            for _rank_, _length, _folded, entry, matched in ranked[:limit]
        ]


def _rank(
    kind: str, label_words: tuple[str, ...], joined: str, whole: str, terms: list[str]
) -> int | None:
    """0 best; None when this label does not match every term."""
    if not all(any(w.startswith(t) for w in label_words) for t in terms):
        return None
    starts = joined.startswith(whole)
    if kind == PREFERRED:
        return 0 if starts else 1
    if kind == GROUP:
        return 4
    return 2 if starts else 3
