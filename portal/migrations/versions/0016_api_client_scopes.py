"""What each API client may do (scopes); clients made before scopes keep what they could do

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=200), server_default="", nullable=False)
        )
    op.execute("UPDATE api_clients SET scopes = 'exports:read plan:write'")


def downgrade() -> None:
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.drop_column("scopes")
