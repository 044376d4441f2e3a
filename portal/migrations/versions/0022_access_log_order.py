"""A participant's access log is read newest first from an index in that order: the page read
and sorted every line of the participant before showing the newest 200

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 07:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        # The new index starts with the participant too: this one would only cost writes.
        batch_op.drop_index(batch_op.f("ix_access_log_participant_id"))
        batch_op.create_index(
            "ix_access_log_participant_at", ["participant_id", "at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_participant_at")
        batch_op.create_index(
            batch_op.f("ix_access_log_participant_id"), ["participant_id"], unique=False
        )
