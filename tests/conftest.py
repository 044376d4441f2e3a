"""Shared fixtures: one migrated database per backend (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx2
import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from bench.harness import postgres_server, reset_postgres
from portal.app import create_app
from portal.auth.oidc import build_clients
from portal.cli import db_upgrade
from portal.db import Database
from portal.settings import Settings

T = TypeVar("T")
SECRET = "test-secret-0123456789abcdef"
TEST_RATE_LIMITS = "login=1000000/600,signing=1000000/600,share=1000000/3600,api=1000000/60"
ZONE = ZoneInfo("Europe/Stockholm")  # the test deployment's (PORTAL_COUNTRY=SE)


def portal_today() -> dt.date:
    """Today where the test deployment is: what the portal calls today (near midnight UTC,
    not the machine's date)."""
    return dt.datetime.now(ZONE).date()


POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def psycopg_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[str]:
    """A database migrated once per session with the demo data: the template each test
    module copies (see `database_url`)."""
    if request.param == "sqlite":
        url = f"sqlite:///{var_dir / 'template.db'}"
        migrate_with_demo_data(make_settings(url, var_dir))
        yield url
        return
    assert POSTGRES_URL is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        reset_postgres(POSTGRES_URL)
        migrate_with_demo_data(make_settings(POSTGRES_URL, var_dir))
        yield POSTGRES_URL
        return
    # Tests run in several processes (`make test`): each migrates a template database of its
    # own, named after the configured one, rather than emptying the one the others copy.
    with postgres_database(POSTGRES_URL, f"_{worker}") as url:
        migrate_with_demo_data(make_settings(url, var_dir))
        yield url


@pytest.fixture(scope="module")
def database_url(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the migrated demo database for each test module, so that no module depends
    on what another one wrote (SQLite: a copy of the file; PostgreSQL: a database made from
    the migrated one as its template)."""
    if migrated_url.startswith("sqlite"):
        copy = tmp_path_factory.mktemp("db") / "test.db"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    with postgres_database(migrated_url, f"_{uuid.uuid4().hex[:10]}", copy=True) as url:
        yield url


@contextmanager
def postgres_database(url: str, suffix: str, copy: bool = False) -> Iterator[str]:
    """A database on the server of `url`, named after its database and `suffix` (empty, or
    with `copy` made from it as its template), dropped at the end (any left from an earlier
    run first)."""
    with postgres_server(url) as (server, name):
        made = f"{name}{suffix}"
        drop = text(f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)')
        server.execute(drop)
        server.execute(text(f'CREATE DATABASE "{made}"' + (f' TEMPLATE "{name}"' if copy else "")))
        try:
            yield f"{url.rpartition('/')[0]}/{made}"
        finally:
            server.execute(drop)


def migrate_with_demo_data(settings: Settings) -> None:
    """Migrate the settings' database and load the demo data of their country into it."""
    db_upgrade(settings)
    from portal.db import Database
    from portal.demo import load_demo_data

    async def load() -> None:
        database = Database(settings.database_url)
        await load_demo_data(database, settings, only_if_empty=False)
        await database.dispose()

    run_in_own_thread(load())


def run_in_own_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: Playwright's sync API (the browser tests) keeps an
    event loop running in the tests' thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def server_env(database_url: str, var_dir: Path, port: int) -> dict[str, str]:
    """The environment of a `portal serve` the tests start on `port` (the development IdP,
    Swedish)."""
    return {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_VAR_DIR": str(var_dir),
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_DEV_IDP": "1",
        "PORTAL_COUNTRY": "SE",
    }


def make_settings(database_url: str, var_dir: Path, **overrides: object) -> Settings:
    env = {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_BASE_URL": "http://testserver",
        "PORTAL_DEV_IDP": "1",
        "PORTAL_VAR_DIR": str(var_dir),
        "PORTAL_COUNTRY": "SE",
        # Tests log in and call the API far more often than people do; the limits' own tests
        # set their own.
        "PORTAL_RATE_LIMITS": TEST_RATE_LIMITS,
        # The access log's own tests turn it on and read it.
        "PORTAL_ACCESS_LOG": "0",
    }
    return Settings.from_env(env, **overrides)


@pytest.fixture
def settings(database_url: str, var_dir: Path) -> Settings:
    return make_settings(database_url, var_dir)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with client_of(settings) as test_client:
        yield test_client


class BrowserClient(TestClient):
    """A test client that posts as a browser does: a form always says it is one, also when
    it has no fields (the portal refuses a body that does not say what it is)."""

    def post(self, url: Any, **options: Any) -> Any:
        if all(options.get(key) is None for key in ("data", "json", "content", "files")) or (
            options.get("data") == {}
        ):
            options["data"] = None
            options["content"] = b""
            headers = dict(options.get("headers") or {})
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            options["headers"] = headers
        return super().post(url, **options)


@contextmanager
def client_of(settings: Settings) -> Iterator[TestClient]:
    """An in-process client; the OIDC back channel goes to the same app, in-process."""
    app = create_app(settings)
    app.state.oidc = build_clients(settings, transport=httpx2.ASGITransport(app=app))
    with BrowserClient(app, base_url="http://testserver") as test_client:
        yield test_client


def at_once(client: TestClient, *requests: tuple[str, str, dict[str, Any]]) -> list[Any]:
    """Send the requests (method, path, options) at the same moment, with the client's cookies,
    to its app in its own event loop, following redirects; their answers, in order."""

    async def send() -> list[Any]:
        transport = httpx2.ASGITransport(app=client.app)
        async with httpx2.AsyncClient(
            transport=transport,
            base_url="http://testserver",
            cookies=client.cookies,
            follow_redirects=True,
        ) as sender:
            return list(
                await asyncio.gather(
                    *(sender.request(method, url, **options) for method, url, options in requests)
                )
            )

    assert client.portal is not None, "use the client inside its with block"
    answers: list[Any] = client.portal.call(send)
    return answers


def recorded_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The queries `Database.read_all` is given from now on (what each page reads together),
    in a list the caller may clear between pages."""
    reads: list[Any] = []
    read_all = Database.read_all

    async def recorded(database: Database, *queries: Any) -> Any:
        reads.extend(query for query, _ in queries)
        return await read_all(database, *queries)

    monkeypatch.setattr(Database, "read_all", recorded)
    return reads


def log_in(client: TestClient, persona: str, staff: bool = False) -> httpx2.Response:
    """A full OIDC round trip through the development IdP, for the persona named."""
    path = "/staff/login" if staff else "/auth/login"
    return client.get(f"{path}?login_hint={persona}")
