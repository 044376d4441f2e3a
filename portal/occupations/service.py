"""Loading the occupation list into the database, and each process's search indexes.

An import replaces every label in one transaction and keeps occupations by URI (what
participants chose stays valid when the list is reloaded). A process builds its in-memory index
per language from the database the first time it searches, and builds it again when a newer
import has happened (one primary-key read per search tells it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, false, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portal.db import Database, utcnow
from portal.occupations.listfile import Row, read_rows
from portal.occupations.models import Occupation, OccupationImport, OccupationLabel
from portal.occupations.search import ALTERNATIVE, GROUP, HIDDEN, PREFERRED, Hit, OccupationIndex


async def import_list(db: AsyncSession, rows: Iterable[Row], source: str) -> int:
    """Replace the list's labels with `rows`; returns how many occupations it has."""
    rows = list(rows)
    known = {uri: id_ for uri, id_ in await db.execute(select(Occupation.uri, Occupation.id))}
    groups = {row.uri: row.group for row in rows}
    new = [{"uri": uri, "group_code": group} for uri, group in groups.items() if uri not in known]
    if new:
        await db.execute(insert(Occupation), new)
        known = {uri: id_ for uri, id_ in await db.execute(select(Occupation.uri, Occupation.id))}
    await db.execute(delete(OccupationLabel))
    labels = []
    for row in rows:
        occupation = known[row.uri]
        labels.append((occupation, row.language, PREFERRED, row.preferred))
        labels += [(occupation, row.language, ALTERNATIVE, a) for a in row.alternatives]
        labels += [(occupation, row.language, HIDDEN, h) for h in row.hidden]
        if row.group_label:
            labels.append((occupation, row.language, GROUP, row.group_label))
    await db.execute(
        insert(OccupationLabel),
        [
            {"occupation_id": o, "language": lang, "kind": kind, "label": label[:300]}
            for o, lang, kind, label in labels
        ],
    )
    db.add(
        OccupationImport(source=source[:300], occupation_count=len(groups), imported_at=utcnow())
    )
    await db.flush()
    return len(groups)


async def import_file(database: Database, path: Path, only_if_empty: bool = False) -> int | None:
    """Load a list file in one transaction; None when skipped because a list is loaded."""
    if only_if_empty and await database.read(latest_import) is not None:
        return None
    rows = list(read_rows(path))
    async with database.transaction() as db:
        return await import_list(db, rows, path.name)


def build_index(db: Session, language: str) -> OccupationIndex:
    """The index of one language from the database (runs in a synchronous session)."""
    rows = db.execute(
        select(
            OccupationLabel.occupation_id,
            OccupationLabel.kind,
            OccupationLabel.label,
        )
        .where(OccupationLabel.language == language)
        .order_by(OccupationLabel.occupation_id, OccupationLabel.id)
    ).all()
    uris = {id_: uri for id_, uri in db.execute(select(Occupation.id, Occupation.uri))}
    labels: dict[int, list[tuple[str, str]]] = {}
    for occupation_id, kind, label in rows:
        labels.setdefault(occupation_id, []).append((kind, label))
    index = OccupationIndex()
    for occupation_id, items in labels.items():
        preferred = next((label for kind, label in items if kind == PREFERRED), None)
        if preferred is None:
            continue
        group = next((label for kind, label in items if kind == GROUP), "")
        others = [(kind, label) for kind, label in items if kind in (ALTERNATIVE, HIDDEN)]
        index.add(uris[occupation_id], preferred, others, group)
    return index.freeze()


def latest_import(db: Session) -> int | None:
    return db.execute(select(func.max(OccupationImport.id))).scalar()


@dataclass
class Indexes:
    """This process's indexes, by language, for the import they were built from."""

    built_from: int | None = None
    by_language: dict[str, OccupationIndex] | None = None

    def __post_init__(self) -> None:
        self.by_language = {}
        self.lock = asyncio.Lock()

    async def search(self, database: Database, language: str, query: str) -> list[Hit]:
        current = await database.read(latest_import)
        assert self.by_language is not None
        if current != self.built_from or language not in self.by_language:
            async with self.lock:
                if current != self.built_from:
                    self.by_language = {}
                    self.built_from = current
                if language not in self.by_language:
                    self.by_language[language] = await database.read(build_index, language)
        return self.by_language[language].search(query)


async def labels_of(db: AsyncSession, uris: Iterable[str], language: str) -> dict[str, str]:
    """The preferred label of each URI in the language (URIs no longer listed are left out)."""
    uris = list(uris)
    if not uris:  # an empty IN has SQLite read every label in the language
        return {}
    rows = await db.execute(
        select(Occupation.uri, OccupationLabel.label)
        .join(OccupationLabel, OccupationLabel.occupation_id == Occupation.id)
        .where(
            Occupation.uri.in_(uris),
            OccupationLabel.language == language,
            OccupationLabel.kind == PREFERRED,
        )
    )
    return {uri: label for uri, label in rows}


def preferred_label(uri: Any) -> Any:
    """The preferred label, in the language {"language"}, of the occupation whose URI is
    `uri` (a column of the query it goes into), or NULL: `labels_of` inside one query."""
    return (
        select(OccupationLabel.label)
        .join(Occupation, Occupation.id == OccupationLabel.occupation_id)
        .where(
            Occupation.uri == uri,
            OccupationLabel.language == bindparam("language"),
            OccupationLabel.kind == PREFERRED,
        )
        .limit(1)
        .scalar_subquery()
    )


def other_names_rows_query(uris: Any) -> Any:
    """("sought", false, occupation, label) for every preferred and alternative name, in every
    language, of the occupations among `uris` (a subquery of URIs)."""
    return (
        select(
            literal("sought").label("kind"),
            false().label("removed"),
            Occupation.uri.label("occupation_uri"),
            OccupationLabel.label.label("text"),
        )
        .join(OccupationLabel, OccupationLabel.occupation_id == Occupation.id)
        .where(Occupation.uri.in_(uris), OccupationLabel.kind.in_((PREFERRED, ALTERNATIVE)))
    )
