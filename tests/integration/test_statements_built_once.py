"""Every page builds its statements once per process: a statement built anew for each request
(a value written into it instead of a parameter) is compiled again on every request, which
costs more than the page (the provider's start page spent 2.6 ms a request so)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.fast_rows import CompiledOnce
from portal.settings import Settings
from tests.conftest import client_of, log_in

PAGES = {
    ("anna", False): [
        "/",
        "/plan",
        "/hours",
        "/meetings",
        "/cv",
        "/cv/presentation",
        "/cv/jobs",
        "/access-log",
        "/settings",
    ],
    ("karin", True): [
        "/staff/",
        "/staff/?new=1",
        "/staff/?scope=mine",
        "/staff/?q=anna",
        "/staff/?sort=name",
        "/staff/?marking=youth",
    ],
    ("erik", True): ["/staff/"],
    ("vera", True): ["/staff/", "/staff/reports/board", "/staff/reports/queue"],
    ("palle", True): ["/staff/", "/staff/booking/"],
}


def test_a_second_visit_of_every_page_compiles_no_statement(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[Any] = []
    get = CompiledOnce.get

    def counted(cache: CompiledOnce[Any], query: Any) -> Any:
        if query not in cache.statements:
            compiled.append(query)
        return get(cache, query)

    monkeypatch.setattr(CompiledOnce, "get", counted)
    for (persona, staff), paths in PAGES.items():
        with client_of(settings) as client:
            log_in(client, persona, staff=staff)
            visits = list(paths)
            if persona == "anna":
                text = client.get("/hours").text + client.get("/meetings").text
                visits += re.findall(r'href="(/(?:hours|meetings/(?:bookings|offers))/\d+)"', text)[
                    :3
                ]
            if persona == "karin":
                visits += re.findall(
                    r'href="(/staff/participants/\d+)"', client.get("/staff/").text
                )[:1]
            for path in visits:
                assert client.get(path).status_code == 200, path
            compiled.clear()
            for path in visits:
                assert client.get(path).status_code == 200, path
            assert not compiled, (persona, [str(query)[:300] for query in compiled])
