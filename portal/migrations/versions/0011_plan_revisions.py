"""My Plan's revisions: a counter per participant that orders changes as they commit

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the moment of the change, how the table reaches its participant)
CHANGES = (
    (
        "plan_goal_versions",
        "changed_at",
        "SELECT v.id, g.participant_id, v.changed_at FROM plan_goal_versions v "
        "JOIN plan_goals g ON g.id = v.goal_id",
    ),
    (
        "plan_agreement_versions",
        "changed_at",
        "SELECT id, participant_id, changed_at FROM plan_agreement_versions",
    ),
    (
        "plan_initiative_versions",
        "changed_at",
        "SELECT v.id, i.participant_id, v.changed_at FROM plan_initiative_versions v "
        "JOIN plan_initiatives i ON i.id = v.initiative_id",
    ),
    (
        "plan_status_entries",
        "created_at",
        "SELECT s.id, i.participant_id, s.created_at FROM plan_status_entries s "
        "JOIN plan_initiatives i ON i.id = s.initiative_id",
    ),
)
TABLES = [table for table, _moment, _query in CHANGES] + ["plan_views"]


def upgrade() -> None:
    op.create_table(
        "plan_revisions",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_plan_revisions_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_plan_revisions")),
    )
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
            )
    _number_existing_changes()
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("revision", server_default=None)
    with op.batch_alter_table("plan_views") as batch_op:
        batch_op.create_index(
            "ix_plan_views_participant_id_revision", ["participant_id", "revision"]
        )


def _number_existing_changes() -> None:
    """Changes made before revisions existed are numbered in the order of their clocks."""
    connection = op.get_bind()
    changes = [
        (participant, moment, index, row_id, table)
        for index, (table, _moment, query) in enumerate(CHANGES)
        for row_id, participant, moment in connection.execute(sa.text(query))
    ]
    changes.sort(key=lambda change: (change[0], str(change[1]), change[2], change[3]))
    latest: dict[int, tuple[int, object]] = {}
    for participant, moment, _index, row_id, table in changes:
        number = latest.get(participant, (0, None))[0] + 1
        latest[participant] = (number, moment)
        connection.execute(
            sa.text(f"UPDATE {table} SET revision = :revision WHERE id = :id"),  # noqa: S608
            {"revision": number, "id": row_id},
        )
    revisions = sa.table(
        "plan_revisions",
        sa.column("participant_id"),
        sa.column("revision"),
        sa.column("changed_at"),
    )
    for participant, (number, moment) in latest.items():
        connection.execute(
            revisions.insert().values(
                participant_id=participant, revision=number, changed_at=moment
            )
        )
    by_participant: dict[int, list[str]] = {}
    for participant, moment, *_rest in changes:
        by_participant.setdefault(participant, []).append(str(moment))
    views = connection.execute(sa.text("SELECT id, participant_id, seen_at FROM plan_views"))
    for view_id, participant, seen_at in list(views):
        seen = sum(1 for moment in by_participant.get(participant, []) if moment <= str(seen_at))
        connection.execute(
            sa.text("UPDATE plan_views SET revision = :revision WHERE id = :id"),
            {"revision": seen, "id": view_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_views") as batch_op:
        batch_op.drop_index("ix_plan_views_participant_id_revision")
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("revision")
    op.drop_table("plan_revisions")
