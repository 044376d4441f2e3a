"""The rules of staff user administration, on plain values: an organisation's authorizations as
periods, what each kind of change does to them, and what no change may break.

A change never takes effect when it is saved: it waits in the administrator's "users to sign"
list. Signing applies every change of the list to the organisation's periods (`apply`), checks
the organisation-wide rules on the result (`organisation_problems`) and writes the difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from portal.web.i18n import gettext

ADMIN = "authorization_admin"
CHANGE_KINDS = ("create", "change", "end", "batch")

# A user is known by their id, or, while a change that creates them waits, by "new:<change id>".
UserKey = str


@dataclass(frozen=True)
class Period:
    """An authorization: a role held from `start` to `end` (inclusive; None = open-ended)."""

    id: int | None  # None until written
    role: str
    start: dt.date
    end: dt.date | None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def current_or_coming(self, day: dt.date) -> bool:
        return self.end is None or self.end >= day


State = dict[UserKey, list[Period]]


def key_of(user_id: int) -> UserKey:
    return str(user_id)


def latest_end(today: dt.date) -> dt.date:
    """No authorization may end (or start) after the end of next year."""
    return dt.date(today.year + 1, 12, 31)


def ended_at_once(period: Period, today: dt.date) -> Period | None:
    """A period ended now: it ends yesterday, or, when it has not begun before today, it never
    takes effect (the signed audit keeps it)."""
    if period.start >= today:
        return None
    return replace(period, end=min(period.end or today, today - dt.timedelta(days=1)))


def period_problems(
    role: str,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
    *,
    start_changed: bool = True,
    end_changed: bool = True,
) -> dict[str, str]:
    """Messages for one authorization's fields ("start", "end"); empty when it keeps the rules."""
    problems: dict[str, str] = {}
    limit = latest_end(today)
    if start is not None and start_changed:
        if start < today:
            problems["start"] = gettext("The start date cannot be in the past.")
        elif start > limit:
            problems["start"] = gettext("The start date cannot be after %(day)s.", day=limit)
    if end is None:
        return problems
    if role == ADMIN:
        problems["end"] = gettext("An authorization administrator's authorization has no end date.")
    elif end > limit:
        problems["end"] = gettext("No end date after %(day)s.", day=limit)
    elif start is not None and end < start:
        problems["end"] = gettext("The end date cannot be before the start date.")
    elif end_changed and end < today:
        problems["end"] = gettext(
            "The end date cannot be in the past. To end the authorization today, choose End now."
        )
    return problems


def _date(value: Any) -> dt.date | None:
    return None if value in (None, "") else dt.date.fromisoformat(str(value))


def added_periods(payload: Mapping[str, Any]) -> list[Period]:
    return [
        Period(None, str(row["role"]), dt.date.fromisoformat(row["start"]), _date(row.get("end")))
        for row in payload.get("add", [])
    ]


def apply(
    state: State, kind: str, payload: Mapping[str, Any], today: dt.date, new_key: UserKey
) -> State:
    """The organisation's periods after one change (a new dict; `state` is not changed)."""
    after = {key: list(periods) for key, periods in state.items()}
    if kind == "create":
        after[new_key] = added_periods(payload)
    elif kind == "change":
        key = key_of(int(payload["user_id"]))
        updates = {int(row["id"]): row for row in payload.get("update", [])}
        kept: list[Period] = []
        for period in after.get(key, []):
            row = updates.get(period.id or 0)
            if row is None:
                kept.append(period)
            elif row.get("end_now"):
                ended = ended_at_once(period, today)
                kept.extend([ended] if ended else [])
            else:
                kept.append(
                    replace(
                        period, start=dt.date.fromisoformat(row["start"]), end=_date(row["end"])
                    )
                )
        after[key] = kept + added_periods(payload)
    elif kind == "end":
        key = key_of(int(payload["user_id"]))
        after[key] = [
            ended
            for period in after.get(key, [])
            if (
                ended := ended_at_once(period, today) if period.current_or_coming(today) else period
            )
        ]
    elif kind == "batch":
        day = dt.date.fromisoformat(payload["date"])
        for user_id in payload["user_ids"]:
            key = key_of(int(user_id))
            after[key] = [
                (
                    (replace(p, end=day) if payload["field"] == "end" else replace(p, start=day))
                    if p.current_or_coming(today)
                    else p
                )
                for p in after.get(key, [])
            ]
    return after


def is_admin(periods: Iterable[Period], today: dt.date) -> bool:
    return any(p.role == ADMIN and p.active_on(today) for p in periods)


def organisation_problems(
    before: State, after: State, author: UserKey, today: dt.date
) -> list[str]:
    """What the organisation as a whole would break: the author removing their own last
    administrator authorization, or no administrator left."""
    if is_admin(before.get(author, []), today) and not is_admin(after.get(author, []), today):
        return [gettext("You cannot remove your own last authorization as administrator.")]
    if not any(is_admin(periods, today) for periods in after.values()):
        return [gettext("The organisation must keep at least one authorization administrator.")]
    return []


def batch_problems(
    field: str, day: dt.date, chosen: Mapping[UserKey, tuple[str, list[Period]]], today: dt.date
) -> list[str]:
    """Why a new start or end date cannot be given to the chosen users (by name)."""
    problems: list[str] = []
    for name, periods in chosen.values():
        current = [p for p in periods if p.current_or_coming(today)]
        if not current:
            problems.append(gettext("%(name)s has no current authorization.", name=name))
            continue
        found = next(filter(None, (_batch_problem(field, day, p, today) for p in current)), None)
        if found:
            problems.append(gettext("%(name)s: %(problem)s", name=name, problem=found))
    return problems


def _batch_problem(field: str, day: dt.date, period: Period, today: dt.date) -> str | None:
    start = day if field == "start" else period.start
    end = day if field == "end" else period.end
    if field == "start" and end is not None and end < start:
        return gettext("The start date cannot be after the end date.")
    found = period_problems(
        period.role, start, end, today, start_changed=field == "start", end_changed=field == "end"
    )
    return next(iter(found.values()), None)


def differences(before: list[Period], after: list[Period]) -> tuple[list[Period], list[Period]]:
    """The periods to write (new or changed) and the ids to remove, from before to after."""
    kept = {p.id: p for p in after if p.id is not None}
    written = [p for p in after if p.id is None or p != next(b for b in before if b.id == p.id)]
    removed = [p for p in before if p.id not in kept]
    return written, removed


def snapshot(user: Mapping[str, str], periods: Iterable[Period]) -> dict[str, Any]:
    """What the audit keeps of a user before or after a change."""
    return {
        **dict(user),
        "authorizations": [
            {
                "role": p.role,
                "start": p.start.isoformat(),
                "end": p.end.isoformat() if p.end else None,
            }
            for p in sorted(periods, key=lambda p: (p.start, p.role))
        ],
    }
