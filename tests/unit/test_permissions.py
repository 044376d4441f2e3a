"""The permission matrix and authorization periods."""

from __future__ import annotations

import datetime as dt

from portal.staff.models import StaffAuthorization, StaffUser
from portal.staff.service import MATRIX, PERMISSIONS, READ, ROLES, WRITE, active_roles, allows

TODAY = dt.date(2026, 11, 22)


def user_with(*periods: tuple[str, dt.date, dt.date | None]) -> StaffUser:
    user = StaffUser(first_name="T", last_name="T", personal_number="x", email="t@example.org")
    user.authorizations = [
        StaffAuthorization(role=role, start_date=start, end_date=end)
        for role, start, end in periods
    ]
    return user


def test_the_matrix_names_only_known_roles_and_permissions() -> None:
    roles = {role.code for role in ROLES}
    assert set(MATRIX) == {permission.code for permission in PERMISSIONS}
    for granted in MATRIX.values():
        assert set(granted) <= roles
        assert set(granted.values()) <= {READ, WRITE}


def test_the_authorization_admin_may_do_everything() -> None:
    for permission in MATRIX:
        assert allows({"authorization_admin"}, permission, WRITE)


def test_a_registrar_reads_participants_but_does_not_write_plans() -> None:
    assert allows({"registrar"}, "view_participant", READ)
    assert not allows({"registrar"}, "view_participant", WRITE)
    assert not allows({"registrar"}, "write_plan", READ)
    assert allows({"registrar"}, "register_reports", WRITE)


def test_a_planner_admin_may_not_see_participants() -> None:
    assert not allows({"planner_admin"}, "view_participant")
    assert allows({"planner_admin"}, "booking_admin", WRITE)


def test_no_roles_allow_nothing() -> None:
    assert not any(allows(set(), permission) for permission in MATRIX)


def test_a_role_counts_only_inside_its_period_inclusive() -> None:
    user = user_with(
        ("reviewer", dt.date(2026, 1, 1), dt.date(2026, 11, 22)),
        ("registrar", dt.date(2026, 11, 23), None),
        ("reader", dt.date(2025, 1, 1), dt.date(2026, 11, 21)),
        ("authorization_admin", dt.date(2026, 11, 22), None),
    )
    assert active_roles(user, TODAY) == {"reviewer", "authorization_admin"}
