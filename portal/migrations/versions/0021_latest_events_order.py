"""The latest events' index holds the overview's whole order (time, then participant), so that
ties in time do not make a page read every tied event

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 05:05:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant_latest_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_latest_events_at"))
        batch_op.create_index(
            "ix_participant_latest_events_order", ["at", "participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("participant_latest_events", schema=None) as batch_op:
        batch_op.drop_index("ix_participant_latest_events_order")
        batch_op.create_index(batch_op.f("ix_participant_latest_events_at"), ["at"], unique=False)
