"""Employers: organisations, their users, pseudonyms, CV sightings and contact requests; where
a participant looks for work, for the search by area

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 18:50:08.297622
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "employer_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_organisations")),
        sa.UniqueConstraint("number", name=op.f("uq_employer_organisations_number")),
    )
    op.create_table(
        "cv_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("occupation_uri", sa.String(length=200), nullable=False),
        sa.Column("occupation_label", sa.String(length=300), nullable=False),
        sa.Column("at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('search', 'open')", name=op.f("ck_cv_sightings_kind")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["employer_organisations.id"],
            name=op.f("fk_cv_sightings_organisation_id_employer_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_cv_sightings_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cv_sightings")),
    )
    with op.batch_alter_table("cv_sightings", schema=None) as batch_op:
        batch_op.create_index("ix_cv_sightings_participant", ["participant_id", "at"], unique=False)

    op.create_table(
        "employer_pseudonyms",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["employer_organisations.id"],
            name=op.f("fk_employer_pseudonyms_organisation_id_employer_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_employer_pseudonyms_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "participant_id", name=op.f("pk_employer_pseudonyms")
        ),
        sa.UniqueConstraint(
            "organisation_id", "pseudonym", name=op.f("uq_employer_pseudonyms_organisation_id")
        ),
    )
    op.create_table(
        "employer_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=201), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["employer_organisations.id"],
            name=op.f("fk_employer_users_organisation_id_employer_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_users")),
        sa.UniqueConstraint("subject", name=op.f("uq_employer_users_subject")),
    )
    op.create_table(
        "employer_contact_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("employer_user_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("occupation_label", sa.String(length=300), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shared_name", sa.String(length=201), nullable=False),
        sa.Column("shared_email", sa.String(length=254), nullable=False),
        sa.Column("shared_phone", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined')",
            name=op.f("ck_employer_contact_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_user_id"],
            ["employer_users.id"],
            name=op.f("fk_employer_contact_requests_employer_user_id_employer_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["employer_organisations.id"],
            name=op.f("fk_employer_contact_requests_organisation_id_employer_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_employer_contact_requests_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_contact_requests")),
    )
    with op.batch_alter_table("employer_contact_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_employer_contact_requests_organisation",
            ["organisation_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_employer_contact_requests_participant",
            ["participant_id", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("cv_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("work_postcode", sa.String(length=10), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))

    with op.batch_alter_table("cv_sought_occupations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("searchable", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.create_index(
            "ix_cv_sought_occupations_occupation",
            ["occupation_uri", "participant_id"],
            unique=False,
        )

    # The wishes carry their profile's switch (no profile has a place yet).
    op.execute(
        "UPDATE cv_sought_occupations SET searchable = COALESCE((SELECT p.searchable "
        "FROM cv_profiles p WHERE p.participant_id = cv_sought_occupations.participant_id), "
        "false)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cv_sought_occupations", schema=None) as batch_op:
        batch_op.drop_index("ix_cv_sought_occupations_occupation")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("searchable")

    with op.batch_alter_table("cv_profiles", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("work_postcode")

    with op.batch_alter_table("employer_contact_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_employer_contact_requests_participant")
        batch_op.drop_index("ix_employer_contact_requests_organisation")

    op.drop_table("employer_contact_requests")
    op.drop_table("employer_users")
    op.drop_table("employer_pseudonyms")
    with op.batch_alter_table("cv_sightings", schema=None) as batch_op:
        batch_op.drop_index("ix_cv_sightings_participant")

    op.drop_table("cv_sightings")
    op.drop_table("employer_organisations")
