"""The demo data of a Danish deployment is in Danish (the shared test database is Swedish)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
from starlette.testclient import TestClient

from portal.app import create_app
from portal.auth.oidc import build_clients
from portal.cli import db_upgrade
from portal.db import Database
from portal.demo import load_demo_data
from tests.conftest import log_in, make_settings


def test_a_danish_deployment_shows_anna_her_plan_and_cv_in_danish(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dk.db'}"
    settings = make_settings(url, tmp_path, country="DK")
    db_upgrade(settings)

    async def load() -> None:
        database = Database(url)
        await load_demo_data(database, settings, only_if_empty=False)
        await database.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, load()).result()
    app = create_app(settings)
    app.state.oidc = build_clients(settings, transport=httpx2.ASGITransport(app=app))
    with TestClient(app, base_url="http://testserver") as client:
        log_in(client, "anna")
        page = client.get("/plan", headers={"Accept-Language": "da"}).text
        cv = client.get("/cv", headers={"Accept-Language": "da"}).text
        jobs = client.get("/cv/jobs", headers={"Accept-Language": "da"}).text
    assert "Bager / konditor" in page and "Virksomhedspraktik hos Bageriet Solsiden" in page
    assert "Kursus i fødevarehygiejne" in page and "Gyldenløvesgade 7" in page
    assert "Praktik på Bageriet Solsidan" not in page and "Bagare" not in page
    assert "Dit jobmål her passer ikke" not in page, "her occupation (bager) matches her goal"
    assert "Caféassistent" in cv and "Kafébiträde" not in cv
    assert '<h2 class="ds-heading" data-size="xs">Bager</h2>' in jobs  # what she looks for
