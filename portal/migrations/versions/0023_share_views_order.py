"""A shared CV link's latest openings are read newest first, and counted, from an index in
that order: the participant's page read every opening of every link to show ten of each

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cv_share_views", schema=None) as batch_op:
        # The new index starts with the link too: this one would only cost writes.
        batch_op.drop_index(batch_op.f("ix_cv_share_views_share_id"))
        batch_op.create_index(
            "ix_cv_share_views_share_at", ["share_id", "viewed_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cv_share_views", schema=None) as batch_op:
        batch_op.drop_index("ix_cv_share_views_share_at")
        batch_op.create_index(batch_op.f("ix_cv_share_views_share_id"), ["share_id"], unique=False)
