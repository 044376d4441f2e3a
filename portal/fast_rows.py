"""What the fast read paths of both databases share (`portal/sqlite_reads.py`,
`portal/postgres_reads.py`): a query compiled once with its fixed values written in, and rows
as light tuples with SQLAlchemy's Row interface."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter


class FastRow(tuple[Any, ...]):
    """A result row of a fast read: a tuple, with `_mapping` and attributes by column
    name like SQLAlchemy's Row (each statement makes its own subclass, see below)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))


T = TypeVar("T", bound=tuple[Any, ...])


def typed_row(row_type: type[T], row: Any) -> T:
    """A row of a fast read (or SQLAlchemy's) as the named tuple a caller declares: read by
    field name elsewhere, and refused at once if the query's column names ever differ."""
    fields: tuple[str, ...] = getattr(row_type, "_fields")  # noqa: B009
    if tuple(row._fields) != fields:
        raise TypeError(f"columns {tuple(row._fields)} are not {row_type.__name__}{fields}")
    return row_type(*row)


def with_fixed_values_inline(query: Any, dialect: Dialect) -> Any:
    """The query with each text or integer value fixed in it (``status == "booked"``) written
    into the SQL as a literal, and the values given at execution left as parameters.

    SQLite compares a parameter with the condition of each partial index on its column (such
    as bookings' ``WHERE status = 'booked'``) and then prepares the statement afresh every time
    a value is bound to it; a literal is planned once. The literal is the dialect's own
    rendering of the value (quotes doubled), so it reads the same rows.
    """

    def inline(element: Any, **_: Any) -> Any:
        if (
            isinstance(element, BindParameter)
            and not element.required
            and not element.expanding
            and element.callable is None
            and type(element.value) in (str, int)
            and element.type.bind_processor(dialect) is None
        ):
            render = element.type.literal_processor(dialect)
            if render is not None:
                return literal_column(render(element.value), element.type)
        return None

    return visitors.replacement_traverse(cast(visitors.ExternallyTraversible, query), {}, inline)


def result_columns(query: Any, compiled: Any) -> list[tuple[str, Any]]:
    """The (key, column) pairs a statement gives back: a query's columns, or what an INSERT's
    or UPDATE's SQL returns (its RETURNING, and a primary key the dialect returns of itself).
    A write whose columns get values made in Python at execution (a default the statement
    does not give) cannot be compiled once: ValueError."""
    if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
        raise ValueError("a default made in Python at execution")
    selected = getattr(query, "selected_columns", None)
    if selected is not None:
        return list(selected.items())
    return [(column.key, column) for column in compiled.effective_returning or ()]


def row_class(keys: tuple[str, ...]) -> type[FastRow]:
    """A FastRow subclass for a statement's columns, with an attribute per column name."""
    attributes: dict[str, Any] = {"__slots__": (), "_fields": keys}
    for index, key in enumerate(keys):
        if key.isidentifier() and keys.count(key) == 1 and not hasattr(FastRow, key):
            attributes[key] = property(itemgetter(index))
    return type("Row", (FastRow,), attributes)


RowsMaker = Callable[[Iterable[Sequence[Any]]], list[Any]]


def rows_maker(row: type[FastRow], processors: Sequence[Callable[[Any], Any] | None]) -> RowsMaker:
    """What turns a statement's fetched rows into `row`s, each value through its column's
    result processor: a function written for the statement's columns, made once with it.

    A general loop (each value zipped with its processor, a test for None, the value put in a
    list) cost five times the processing itself, about 1 µs a row of six columns. The function
    made here unpacks each row into locals and calls only the processors there are:
    ``[row((v0, v1, p2(v2),)) for (v0, v1, v2,) in fetched]``. Its source is made of the column
    positions alone, nothing read from a query or its rows."""
    if all(processor is None for processor in processors):
        return lambda fetched: list(map(row, fetched))
    names = [f"v{index}" for index in range(len(processors))]
    values = [
        name if processor is None else f"p{index}({name})"
        for index, (name, processor) in enumerate(zip(names, processors, strict=True))
    ]
    source = f"lambda fetched: [row(({', '.join(values)},)) for ({', '.join(names)},) in fetched]"
    scope: dict[str, Any] = {"row": row}
    scope.update((f"p{index}", p) for index, p in enumerate(processors) if p is not None)
    made: RowsMaker = eval(source, scope)  # noqa: S307 (positions only, see above)
    return made


S = TypeVar("S")


class CompiledOnce(Generic[S]):
    """Each query's statement, compiled the first time it is asked for (None for a query the
    fast path cannot run, remembered too); forgotten with the query."""

    def __init__(self, compile_statement: Callable[[Any], S]) -> None:
        self.compile_statement = compile_statement
        self.statements: weakref.WeakKeyDictionary[Any, S | None] = weakref.WeakKeyDictionary()

    def get(self, query: Any) -> S | None:
        try:
            return self.statements[query]
        except KeyError:
            pass
        try:
            statement: S | None = self.compile_statement(query)
        except ValueError:
            statement = None
        self.statements[query] = statement
        return statement
