"""Whether My Plan's job goals name any occupation the participant looks for a job as. The
seeds ask that the job goal be the same in My Plan, My CV and "I am looking for a job as"; the
portal points out a mismatch to the participant and the caseworker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol

from sqlalchemy import BindParameter, bindparam, union_all

from portal.cv.service import sought_rows_query, sought_uris_query
from portal.db import Database
from portal.occupations.search import words
from portal.occupations.service import other_names_rows_query
from portal.plan.service import job_goal_rows_query


@dataclass(frozen=True)
class SoughtOccupation:
    """An occupation the participant looks for work as (from "I am looking for a job as")."""

    uri: str | None
    label: str


@lru_cache(maxsize=4096)
def word_set(text: str) -> frozenset[str]:
    """The folded words of a text (goal texts and occupation labels recur on every page)."""
    return frozenset(words(text))


def _names_alike(goal: str, label: str) -> bool:
    """Whether a goal's text and an occupation's label name the same job: every word of one
    is a word of the other ("Bagare / konditor" names "bagare"), folded as search folds."""
    goal_words, label_words = word_set(goal), word_set(label)
    if not goal_words or not label_words:
        return False
    return label_words <= goal_words or goal_words <= label_words


class NamedGoal(Protocol):
    """What the job-goal check reads of a goal (a GoalVersion, or a row of its columns)."""

    @property
    def removed(self) -> bool: ...
    @property
    def occupation_uri(self) -> str | None: ...
    @property
    def text(self) -> str: ...


def job_goal_mismatch(job_goals: Sequence[NamedGoal], sought: Sequence[SoughtOccupation]) -> bool:
    """True when both lists have entries and no job goal names any occupation sought: the
    seeds ask that the job goal be the same in My Plan, My CV and "I am looking for a job as".
    A goal matches by occupation (URI) or by its text (see `_names_alike`)."""
    goals = [goal for goal in job_goals if not goal.removed]
    if not goals or not sought:
        return False
    uris = {occupation.uri for occupation in sought if occupation.uri}
    return not any(
        (goal.occupation_uri and goal.occupation_uri in uris)
        or any(_names_alike(goal.text, occupation.label) for occupation in sought)
        for goal in goals
    )


@cache
def goal_mismatch_query() -> Any:
    """What the check reads first, in one statement of tagged rows: ("goal", removed,
    occupation, text) for each job goal's latest version, and ("sought", false, occupation,
    label) for each occupation sought, by the label it was chosen by. Built once, run with
    {"participant_id": ...}; see `mismatch_in` and `goal_mismatch`."""
    participant_id: BindParameter[int] = bindparam("participant_id")
    return union_all(job_goal_rows_query(participant_id), sought_rows_query(participant_id))


@cache
def other_names_query() -> Any:
    """Rows like `goal_mismatch_query`'s sought ones for every other name of the occupations
    sought (in every language); run with {"participant_id": ...}."""
    participant_id: BindParameter[int] = bindparam("participant_id")
    return other_names_rows_query(sought_uris_query(participant_id))


def mismatch_in(rows: Iterable[Any]) -> bool:
    """From rows of `goal_mismatch_query` (and `other_names_query`): whether the job goals
    name none of the occupations sought, by occupation or by a name of it in any language.
    A goal's row is read by name (removed, occupation_uri, text), like a GoalVersion."""
    goals: list[Any] = []
    sought: list[SoughtOccupation] = []
    for row in rows:
        if row.kind == "goal":
            goals.append(row)
        else:
            sought.append(SoughtOccupation(row.occupation_uri, row.text))
    return job_goal_mismatch(goals, sought)


async def goal_mismatch(
    database: Database, participant_id: int, first: Iterable[Any] | None = None
) -> bool:
    """Whether My Plan's job goals name none of the occupations sought (see `mismatch_in`).
    `first`: the rows of `goal_mismatch_query`, when the caller has read them already. The
    other names of the occupations are read only when the chosen labels match no goal: more
    names can clear a mismatch, never make one."""
    who = {"participant_id": participant_id}
    if first is None:
        (first,) = await database.read_all((goal_mismatch_query(), who))
    rows = list(first)
    if not mismatch_in(rows):
        return False
    (names,) = await database.read_all((other_names_query(), who))
    return mismatch_in([*rows, *names])
