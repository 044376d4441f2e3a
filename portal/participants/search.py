"""Finding participants by name or personal number at any scale: each participant's search
terms are kept in `participant_search_terms` whenever a participant is written (through the
ORM: the mapper events below), and a search word matches the terms it begins, as a range of
that table's index, so a search reads the matches, not every participant."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    BindParameter,
    and_,
    bindparam,
    delete,
    event,
    exists,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, aliased

from portal.participants.models import Participant, SearchTerm

TERM_LIMIT = 100
# Sorts after every character a term can hold: "abc" <= term < "abc" + END is "term starts
# with abc" (terms compare by code point: SQLite's default, "C" collation on PostgreSQL).
END = "\U0010ffff"


def terms_of(first_name: str, last_name: str, personal_number: str) -> set[str]:
    """The words a participant is found by: each word of their names casefolded (a hyphenated
    name also by its parts), and their personal number's digits, also without the century."""
    terms = set()
    for word in f"{first_name} {last_name}".casefold().split():
        terms.add(word)
        terms.update(part for part in word.split("-") if part)
    digits = re.sub(r"\D", "", personal_number)
    if digits:
        terms.add(digits)
        if len(digits) == 12:  # a Swedish number: also as YYMMDDNNNN
            terms.add(digits[2:])
    return {term[:TERM_LIMIT] for term in terms}


def search_words(search: str) -> list[str]:
    """The words of a search as terms: casefolded words, a personal number as its digits."""
    words = []
    for word in re.sub(r"[,;:()]", " ", search).casefold().split():
        digits = word.replace("-", "").replace("+", "")
        words.append(digits if digits.isascii() and digits.isdigit() else word)
    return [word[:TERM_LIMIT] for word in words if word]


def matches_every_word(words: list[Any], participant_id: Any = Participant.id) -> list[Any]:
    """Conditions on a participant (`participant_id`, a column): for each word, a term of theirs
    begins with it. A word may be a text or a bound parameter `:name`, whose end of range is
    then `:name_end`."""
    return [
        exists().where(
            SearchTerm.participant_id == participant_id,
            and_(SearchTerm.term >= word, SearchTerm.term < _end(word)),
        )
        for word in words
    ]


def ids_with_a_term_beginning(word: Any) -> tuple[Any, Any]:
    """The ids of the participants with a term that begins with `word`, as a query to read from
    (by the terms' index; an id may come twice) and its id column."""
    term = aliased(SearchTerm)
    return (
        select(term.participant_id).where(term.term >= word, term.term < _end(word)),
        term.participant_id,
    )


def _end(word: Any) -> Any:
    if isinstance(word, BindParameter):
        return bindparam(f"{word.key}_end")
    return word + END


def _write_terms(connection: Connection, participant: Participant, replace: bool) -> None:
    if replace:
        connection.execute(delete(SearchTerm).where(SearchTerm.participant_id == participant.id))
    terms = terms_of(participant.first_name, participant.last_name, participant.personal_number)
    if terms:
        connection.execute(
            insert(SearchTerm),
            [{"term": term, "participant_id": participant.id} for term in sorted(terms)],
        )


@event.listens_for(Participant, "after_insert")
def _terms_of_new(_mapper: Mapper[Any], connection: Connection, target: Participant) -> None:
    _write_terms(connection, target, replace=False)


@event.listens_for(Participant, "after_update")
def _terms_of_changed(_mapper: Mapper[Any], connection: Connection, target: Participant) -> None:
    state = inspect(target)
    if any(
        state.attrs[name].history.has_changes()
        for name in ("first_name", "last_name", "personal_number")
    ):
        _write_terms(connection, target, replace=True)
