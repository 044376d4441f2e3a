"""Faults of the database: each answers 503 (with the page's headers), never a 500, nothing is
created in the database's place, and the portal recovers when the database is back."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from portal import db
from portal.app import create_app
from portal.db import sqlite_file
from portal.settings import PROJECT_ROOT, Settings
from tests.conftest import SECRET, client_of, log_in
from tests.integration.test_meetings import sql


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


def test_a_request_looks_at_the_database_file_once_and_other_calls_each_time(
    client: TestClient, database_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request's reads come a moment apart: the first looks whether the file was replaced."""
    log_in(client, "anna")
    looks: list[str] = []
    identity = db.file_identity

    def counted(path: str) -> tuple[int, int] | None:
        looks.append(path)
        return identity(path)

    monkeypatch.setattr(db, "file_identity", counted)
    assert "Anna" in client.get("/").text  # the session, the participant, the page's reads
    assert looks == [str(database_file)]
    database = client.app.state.database  # type: ignore[attr-defined]
    looks.clear()

    async def outside_a_request() -> None:
        await database.read_one(text("SELECT 1"))
        await database.read_one(text("SELECT 1"))

    assert client.portal is not None
    client.portal.call(outside_a_request)
    assert len(looks) == 2


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


def test_a_write_waits_for_a_long_writer_and_is_then_saved(
    client: TestClient, database_file: Path
) -> None:
    """Another process holds the embedded database's write lock: a participant's save waits
    for it instead of failing, and is saved once the lock is free."""
    log_in(client, "anna")
    locked = threading.Event()

    def long_writer() -> None:
        connection = sqlite3.connect(database_file, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE participants SET last_name = last_name WHERE id = 1")
        locked.set()
        threading.Event().wait(0.5)  # the write in progress elsewhere
        connection.commit()
        connection.close()

    writer = threading.Thread(target=long_writer)
    writer.start()
    assert locked.wait(10)
    saved = client.post(
        "/settings/notifications",
        data={"notify_by_email": "on", "notify_email": "anna.waited@example.org"},
    )
    writer.join()
    assert saved.status_code == 200
    assert 'value="anna.waited@example.org"' in client.get("/settings").text


KILLED_WRITER = """
import asyncio, datetime as dt, os, signal, sys
import portal.models  # every table, for the mappers
from sqlalchemy import select
from portal.db import Database
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.plan import service
from portal.plan.inputs import AgreementInput
from portal.settings import Settings

async def main():
    settings = Settings.from_env()
    database = Database(settings.database_url)
    async with database.transaction() as db:
        anna = await db.scalar(
            select(Participant).where(Participant.personal_number == "19900101-1239")
        )
        writer = service.PlanWriter(
            anna, service.Author("Killed"), dt.date.today(), Links.of(settings)
        )
        data = AgreementInput(text=sys.argv[1], agreed_on=dt.date.today(), agreed_by="Killed")
        await service.save_agreement(db, writer, data)
        await db.flush()  # the rows are written, not yet committed
        print("written", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


def test_a_process_killed_in_the_middle_of_a_write_leaves_nothing_half_written(
    client: TestClient, settings: Settings
) -> None:
    """A change of My Plan writes a version, the plan's revision, an event and a reminder: a
    process killed before its commit leaves none of them, and the portal goes on."""
    marker = f"killed-{uuid.uuid4().hex[:8]}"
    before = revision_of_anna(settings)
    env = {**os.environ, **settings_env(settings)}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, marker],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )
    assert killed.returncode == -signal.SIGKILL and "written" in killed.stdout, killed.stderr
    assert revision_of_anna(settings) == before
    log_in(client, "anna")
    plan = client.get("/plan")
    assert plan.status_code == 200 and marker not in plan.text
    saved = client.post("/settings/notifications", data={"notify_by_email": "on"})
    assert saved.status_code in (200, 400)  # the database takes writes again


def settings_env(settings: Settings) -> dict[str, str]:
    return {
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_DEV_IDP": "1",
        "PORTAL_VAR_DIR": settings.var_dir,
        "PORTAL_COUNTRY": settings.country,
    }


def revision_of_anna(settings: Settings) -> list[object]:
    return sql(
        settings.database_url,
        "SELECT r.revision, (SELECT count(*) FROM outbox), (SELECT count(*) FROM "
        "plan_agreement_versions) FROM plan_revisions r JOIN participants p ON "
        "p.id = r.participant_id WHERE p.personal_number = '19900101-1239'",
    )
