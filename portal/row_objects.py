"""Rows read as objects of the mapped classes without an ORM session (`Database.read_objects`,
`Database.get_row`): a page's rows as read-only objects, joined with `attach`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Select, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.attributes import instance_state

M = TypeVar("M")


def detached(model: type[M], values: Mapping[str, Any]) -> M:
    """An instance of a mapped class holding a row's values, as if loaded and detached: its
    attributes are read like any loaded object's, without the per-attribute change tracking
    that calling the constructor sets off. Never add it to a session."""
    instance: M = _new_instance(cast(Any, model))()
    instance.__dict__.update(values)
    return instance


@cache
def object_columns(model: Any, prefix: str = "") -> tuple[Any, ...]:
    """A mapped class's columns, each labelled with its attribute's name (after `prefix`)."""
    mapper = sa_inspect(model)
    return tuple(
        mapper.local_table.c[attribute.columns[0].key].label(prefix + attribute.key)
        for attribute in mapper.column_attrs
    )


@cache
def attribute_names(model: Any) -> tuple[str, ...]:
    return tuple(attribute.key for attribute in sa_inspect(model).column_attrs)


def select_objects(*entities: Any) -> Select[Any]:
    """A Core query of a mapped class's rows, for `Database.read_objects`: add the conditions,
    joins and order, and build it once (a function under `functools.cache`). Given several
    classes (and columns), each row holds an object of each and the columns' values, read
    with the same tuple of classes (None for a column)."""
    if len(entities) == 1:
        return select(*object_columns(entities[0]))
    columns: list[Any] = []
    for n, entity in enumerate(entities):
        mapped = isinstance(entity, type)
        columns.extend(object_columns(entity, f"_{n}_") if mapped else [entity])
    return select(*columns)


def objects_of(kind: Any, rows: list[Any]) -> list[Any]:
    """`read_objects`' rows as objects of `kind`: a mapped class, a tuple of them (and None
    for each plain column, as `select_objects` was given), or None for the rows as they are."""
    if kind is None or not rows:
        return rows
    if not isinstance(kind, tuple):
        load = loader(kind, tuple(rows[0]._fields))
        return [load(row) for row in rows]
    # Each part: its loader (None for a column), its first position and the one after it.
    parts_of: list[tuple[Callable[[Sequence[Any]], Any] | None, int, int]] = []
    at = 0
    for entity in kind:
        if entity is None:
            parts_of.append((None, at, at + 1))
            at += 1
            continue
        names = attribute_names(entity)
        parts_of.append((loader(entity, names), at, at + len(names)))
        at += len(names)
    return [
        tuple(row[i] if load is None else load(row[i:end]) for load, i, end in parts_of)
        for row in rows
    ]


@cache
def loader(model: Any, names: tuple[str, ...]) -> Callable[[Sequence[Any]], Any]:
    """What makes an object of `model` of a row's values, given in the order of the attribute
    `names`, as if loaded and detached, with the identity of a loaded row (a relationship not
    read with it, see `attach`, raises DetachedInstanceError when touched instead of reading
    as empty): made once per class and columns, it puts the row into the object's attributes
    at once (half the cost of a mapping made of each row)."""
    new = _new_instance(model)
    identity_class, key_names = _identity_of(model)
    positions = tuple(names.index(name) for name in key_names)

    def load(values: Sequence[Any]) -> Any:
        instance = new()
        instance.__dict__.update(zip(names, values, strict=True))
        instance_state(instance).key = (
            identity_class,
            tuple([values[position] for position in positions]),
            None,
        )
        return instance

    return load


@cache
def _identity_of(model: Any) -> tuple[type[Any], tuple[str, ...]]:
    mapper = sa_inspect(model)
    names = tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)
    return mapper._identity_class, names


def attach(
    parents: Iterable[Any],
    relationship: str,
    children: Iterable[Any],
    child_key: str,
    parent_key: str = "id",
    one: bool = False,
) -> None:
    """Fill each parent's `relationship` with the children whose `child_key` equals the
    parent's `parent_key`, in the children's order, as a loader would: a list, or with `one`
    the child or None (for a many-to-one, `child_key="id"` and `parent_key` the foreign key)."""
    grouped: dict[Any, list[Any]] = {}
    for child in children:
        grouped.setdefault(getattr(child, child_key), []).append(child)
    for parent in parents:
        found = grouped.get(getattr(parent, parent_key), [])
        parent.__dict__[relationship] = (found[0] if found else None) if one else found


@cache
def _new_instance(model: Any) -> Callable[[], Any]:
    mapper = sa_inspect(model)
    if not mapper.configured:
        configure_mappers()
    new_instance: Callable[[], Any] = mapper.class_manager.new_instance
    return new_instance
