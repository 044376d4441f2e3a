"""My Plan's latest change read from indexes alone: (item, moment) instead of (item)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the column looked up by, the moment it keeps)
INDEXES = (
    ("plan_goal_versions", "goal_id", "changed_at"),
    ("plan_agreement_versions", "participant_id", "changed_at"),
    ("plan_initiative_versions", "initiative_id", "changed_at"),
    ("plan_status_entries", "initiative_id", "created_at"),
    ("plan_views", "participant_id", "seen_at"),
)


def upgrade() -> None:
    for table, column, moment in INDEXES:
        op.create_index(f"ix_{table}_{column}_{moment}", table, [column, moment])
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column, moment in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])
        op.drop_index(f"ix_{table}_{column}_{moment}", table_name=table)
