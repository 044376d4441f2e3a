"""The rehabilitation plan's preparatory part: versions of its sections, and the lock

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:38:27.747832
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rehab_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.String(length=11), nullable=False),
        sa.Column("saved_by_name", sa.String(length=201), nullable=False),
        sa.Column("saved_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "saved_by IN ('participant', 'staff')", name=op.f("ck_rehab_versions_saved_by")
        ),
        sa.CheckConstraint(
            "section IN ('case', 'cv', 'situation', 'remarks')",
            name=op.f("ck_rehab_versions_section"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_rehab_versions_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rehab_versions")),
        sa.UniqueConstraint(
            "participant_id", "section", "number", name=op.f("uq_rehab_versions_participant_id")
        ),
    )
    op.create_table(
        "rehab_locks",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("locked_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("staff_name", sa.String(length=201), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_rehab_locks_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_rehab_locks_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_rehab_locks")),
    )


def downgrade() -> None:
    op.drop_table("rehab_locks")
    op.drop_table("rehab_versions")
