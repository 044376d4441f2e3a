"""Faults of the database: each answers 503 (with the page's headers), never a 500, nothing is
created in the database's place, and the portal recovers when the database is back."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import sqlite_file
from portal.settings import Settings
from tests.conftest import client_of, log_in


@pytest.fixture
def database_file(settings: Settings) -> Path:
    path = sqlite_file(settings.database_url)
    if path is None:
        pytest.skip("a file-level fault of the embedded database")
    return Path(path)


@pytest.fixture
def own_copy(settings: Settings, database_file: Path, tmp_path: Path) -> Settings:
    """Settings for a copy of the module's database that a test may spoil."""
    copy = tmp_path / "copy.db"
    shutil.copyfile(database_file, copy)
    return replace(settings, database_url=f"sqlite:///{copy}")


def assert_unavailable(response: object) -> None:
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert "Content-Security-Policy" in response.headers  # type: ignore[attr-defined]
    assert response.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]


def test_a_removed_database_answers_503_is_not_recreated_and_is_used_again_when_back(
    client: TestClient, database_file: Path
) -> None:
    log_in(client, "anna")
    assert client.get("/").status_code == 200
    aside = database_file.with_name(database_file.name + ".aside")
    database_file.rename(aside)
    try:
        assert_unavailable(client.get("/", headers={"Accept-Language": "sv"}))
        plan = client.get("/plan", headers={"Accept-Language": "sv"})
        assert "Tjänsten är inte tillgänglig just nu" in plan.text
        saved = client.post("/settings/notifications", data={"email": "on"})
        assert_unavailable(saved)
        assert client.get("/readyz").status_code == 503
        assert TestClient(client.app).get("/healthz").status_code == 200  # no session to read
        assert not database_file.exists()  # no empty database in its place
    finally:
        aside.rename(database_file)
    assert client.get("/readyz").json() == {"status": "ok"}
    assert "Anna" in client.get("/").text  # the same session, without a restart
    log_in(client, "bo")
    assert client.get("/").status_code == 200


def restore(backup: Path, database_file: Path) -> None:
    """What a restore does: a new file (inode) at the path, without the old one's journal."""
    shutil.move(backup, database_file)
    for suffix in ("-wal", "-shm"):
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)


def test_a_database_restored_while_running_is_read_from_the_new_file(
    client: TestClient, database_file: Path, tmp_path: Path
) -> None:
    """Connections to the old file are not used for the new one."""
    log_in(client, "anna")
    assert client.get("/").status_code == 200
    backup = tmp_path / "backup.db"
    source, target = sqlite3.connect(database_file), sqlite3.connect(backup)
    source.backup(target)
    target.execute(
        "UPDATE participants SET first_name = 'Annika' WHERE personal_number = ?",
        ("19900101-1239",),
    )
    target.commit()
    source.close()
    target.close()
    restore(backup, database_file)
    assert "Annika" in client.get("/").text


def test_a_file_that_is_not_a_database_answers_503(own_copy: Settings, tmp_path: Path) -> None:
    path = Path(sqlite_file(own_copy.database_url) or "")
    with client_of(own_copy) as test_client:
        log_in(test_client, "anna")
        garbage = tmp_path / "garbage"
        garbage.write_bytes(b"this is not a database " * 200)
        restore(garbage, path)
        assert_unavailable(test_client.get("/"))
        assert test_client.get("/readyz").status_code == 503


def test_readiness_needs_the_schema_this_code_was_written_for(own_copy: Settings) -> None:
    with create_engine(own_copy.database_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001_old'"))
    with TestClient(create_app(own_copy)) as test_client:
        ready = test_client.get("/readyz")
    assert ready.status_code == 503 and "portal db upgrade" in ready.json()["status"]
