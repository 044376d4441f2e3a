"""Each participant's latest event that staff follow, kept for the case overview

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The events made before this table existed: each participant's newest of them.
BACKFILL = """
INSERT INTO participant_latest_events (participant_id, kind, at)
SELECT participant_id, kind, at FROM (
    SELECT participant_id, kind, at,
           ROW_NUMBER() OVER (PARTITION BY participant_id ORDER BY at DESC) AS n
    FROM (
        SELECT participant_id, 'plan_changed' AS kind, changed_at AS at FROM plan_revisions
        UNION ALL
        SELECT r.participant_id, 'hours_sent', MAX(v.submitted_at)
        FROM hour_reports r JOIN hour_report_versions v ON v.report_id = r.id
        WHERE v.submitted_at IS NOT NULL GROUP BY r.participant_id
        UNION ALL
        SELECT participant_id, 'meeting', MAX(at) FROM booking_events
        WHERE participant_id IS NOT NULL AND event IN ('created', 'moved_by_participant',
            'moved_by_job_centre', 'cancelled_by_participant', 'cancelled_by_job_centre')
        GROUP BY participant_id
    ) events
) ranked
WHERE n = 1
"""


def upgrade() -> None:
    op.create_table(
        "participant_latest_events",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_participant_latest_events_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_participant_latest_events")),
    )
    with op.batch_alter_table("participant_latest_events") as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_latest_events_at"), ["at"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("participant_latest_events") as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_latest_events_at"))
    op.drop_table("participant_latest_events")
