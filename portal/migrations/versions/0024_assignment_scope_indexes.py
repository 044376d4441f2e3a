"""A staff user's whole scope is read from the assignments' indexes by user and by
organisation with each participant's id in the index (and a participant is assigned to a
user, or to an organisation, at most once): the overview's counts checked every participant
of the database against the scope instead

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The same assignment twice (NULLs are never equal in a UNIQUE constraint): keep the first.
    op.execute(
        "DELETE FROM participant_assignments WHERE id NOT IN (SELECT min(id) FROM"
        " participant_assignments GROUP BY participant_id, staff_user_id, organisation_id)"
    )
    with op.batch_alter_table("participant_assignments", schema=None) as batch_op:
        # The new indexes start with the same column: the old ones would only cost writes.
        batch_op.drop_index(batch_op.f("ix_participant_assignments_staff_user_id"))
        batch_op.drop_index(batch_op.f("ix_participant_assignments_organisation_id"))
        batch_op.create_index(
            "ix_participant_assignments_user_participant",
            ["staff_user_id", "participant_id"],
            unique=True,
        )
        batch_op.create_index(
            "ix_participant_assignments_organisation_participant",
            ["organisation_id", "participant_id"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("participant_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_participant_assignments_organisation_participant")
        batch_op.drop_index("ix_participant_assignments_user_participant")
        batch_op.create_index(
            batch_op.f("ix_participant_assignments_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_participant_assignments_staff_user_id"), ["staff_user_id"], unique=False
        )
