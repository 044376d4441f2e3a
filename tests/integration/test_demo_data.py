"""The demo data of a Danish deployment is in Danish (the shared test database is Swedish)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import client_of, log_in, make_settings, migrate_with_demo_data


def test_a_danish_deployment_shows_anna_her_plan_and_cv_in_danish(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'dk.db'}", tmp_path, country="DK")
    migrate_with_demo_data(settings)
    with client_of(settings) as client:
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
