"""Alembic environment: runs migrations on the portal's database with a plain sync driver."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from portal.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")


def sync_url(value: str) -> str:
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def run() -> None:
    assert url is not None
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
