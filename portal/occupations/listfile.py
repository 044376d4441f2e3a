"""The occupation list's file format, and its derivation from the ESCO CSV exports.

The format (UTF-8 CSV with a header, optionally gzipped) has one row per occupation and
language:

    uri,group,group_label,language,preferred,alternatives,hidden

`uri` identifies the occupation (an ESCO concept URI, or e.g. "disco-ams:123456"); `group` is
its ISCO-08 (or DISCO-08) group code and `group_label` that group's name; `language` is sv, da
or en; `preferred` is the label shown; `alternatives` and `hidden` are further labels that
search finds, separated by " | ". A replacement list (say Denmark's DISCO-AMS) is written in
this format and loaded with `portal occupations import FILE`.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.settings import PROJECT_ROOT

COLUMNS = ("uri", "group", "group_label", "language", "preferred", "alternatives", "hidden")
LANGUAGES = ("sv", "da", "en")
SEPARATOR = " | "
DEFAULT_LIST = PROJECT_ROOT / "data" / "occupations" / "esco-1.0.8.csv.gz"
ATTRIBUTION = "This service uses the ESCO classification of the European Commission."


@dataclass(frozen=True)
class Row:
    uri: str
    group: str
    group_label: str
    language: str
    preferred: str
    alternatives: tuple[str, ...]
    hidden: tuple[str, ...]


class ListFormatError(ValueError):
    pass


def _labels(text: str) -> tuple[str, ...]:
    return tuple(label.strip() for label in text.split(SEPARATOR) if label.strip())


def read_rows(path: Path) -> Iterator[Row]:
    """The rows of a list file; a ListFormatError names the first bad line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ListFormatError(f"the header must be: {','.join(COLUMNS)}")
        for line, record in enumerate(reader, start=2):
            if record["language"] not in LANGUAGES:
                raise ListFormatError(f"line {line}: language must be one of sv, da, en")
            if not record["uri"].strip() or not record["preferred"].strip():
                raise ListFormatError(f"line {line}: uri and preferred are required")
            yield Row(
                record["uri"].strip(),
                record["group"].strip(),
                record["group_label"].strip(),
                record["language"],
                record["preferred"].strip(),
                _labels(record["alternatives"]),
                _labels(record["hidden"]),
            )


def _lines(text: str) -> str:
    """ESCO keeps several labels in one field, one per line."""
    return SEPARATOR.join(label.strip() for label in text.splitlines() if label.strip())


def derive_from_esco(esco_dir: Path) -> bytes:
    """The list file (gzipped) from ESCO's occupations_{lang}.csv and ISCOGroups_{lang}.csv."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for language in LANGUAGES:
        with (esco_dir / f"ISCOGroups_{language}.csv").open(encoding="utf-8", newline="") as f:
            groups = {g["code"]: g["preferredLabel"] for g in csv.DictReader(f)}
        with (esco_dir / f"occupations_{language}.csv").open(encoding="utf-8", newline="") as f:
            occupations = sorted(csv.DictReader(f), key=lambda o: o["conceptUri"])
        for o in occupations:
            writer.writerow(
                (
                    o["conceptUri"],
                    o["iscoGroup"],
                    groups.get(o["iscoGroup"], ""),
                    language,
                    o["preferredLabel"].strip(),
                    _lines(o["altLabels"]),
                    _lines(o["hiddenLabels"]),
                )
            )
    return gzip.compress(out.getvalue().encode("utf-8"), mtime=0)
