"""Each intervention's reports in brief (plan and final report states, an approved plan, the
newest monthly report's month and state), for the status board's filters and sorting

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE interventions SET
  plan_state = (
    SELECT r.state FROM reports r WHERE r.intervention_id = interventions.id AND r.kind = 'plan'
  ),
  plan_approved = EXISTS (
    SELECT 1 FROM reports r WHERE r.intervention_id = interventions.id AND r.kind = 'plan'
    AND r.approved_version IS NOT NULL
  ),
  final_state = (
    SELECT r.state FROM reports r WHERE r.intervention_id = interventions.id AND r.kind = 'final'
  ),
  monthly_period = (
    SELECT MAX(r.period) FROM reports r
    WHERE r.intervention_id = interventions.id AND r.kind = 'monthly'
  ),
  monthly_state = (
    SELECT r.state FROM reports r
    WHERE r.intervention_id = interventions.id AND r.kind = 'monthly' AND r.period = (
      SELECT MAX(n.period) FROM reports n
      WHERE n.intervention_id = interventions.id AND n.kind = 'monthly'
    )
  )
"""


def upgrade() -> None:
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_state", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("plan_approved", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("final_state", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("monthly_period", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("monthly_state", sa.String(length=10), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        for column in ("monthly_state", "monthly_period", "final_state", "plan_approved"):
            batch_op.drop_column(column)
        batch_op.drop_column("plan_state")
