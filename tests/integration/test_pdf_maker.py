"""PDFs are made once for each text they render, in separate processes, and kept."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest

from portal.web import pdf as pdf_module
from portal.web.pdf import PdfMaker
from tests.conftest import client_of, log_in, make_settings, run_in_own_thread

PAGE = "<html lang='sv'><head><title>Plan</title></head><body><h1>{}</h1></body></html>"


def test_a_pdf_is_rendered_in_another_process_and_kept_for_the_next_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    maker = PdfMaker(tmp_path, processes=1)
    first = run_in_own_thread(maker.pdf(PAGE.format("Min plan")))
    assert first.startswith(b"%PDF")
    workers: Any = pdf_module._processes(1)._processes
    assert workers and all(pid != os.getpid() for pid in workers), "rendered elsewhere"
    assert maker.path_of(PAGE.format("Min plan")).read_bytes() == first

    def no_rendering(count: int) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf_module, "_processes", no_rendering)
    assert run_in_own_thread(maker.pdf(PAGE.format("Min plan"))) == first


def test_another_text_is_another_pdf_so_a_kept_one_is_never_stale(tmp_path: Path) -> None:
    maker = PdfMaker(tmp_path, processes=1)
    swedish = run_in_own_thread(maker.pdf(PAGE.format("Min plan")))
    danish = run_in_own_thread(maker.pdf(PAGE.format("Min plan, version 2")))
    assert swedish != danish
    assert maker.path_of(PAGE.format("Min plan")) != maker.path_of(PAGE.format("Min plan, v2"))
    assert len(list(tmp_path.glob("*.pdf"))) == 2 and not list(tmp_path.glob("*.part"))


def test_more_pdfs_at_once_than_processes_wait_their_turn(tmp_path: Path) -> None:
    maker = PdfMaker(tmp_path, processes=1)

    async def many() -> list[bytes]:
        return await asyncio.gather(*(maker.pdf(PAGE.format(f"Plan {n}")) for n in range(6)))

    made = run_in_own_thread(many())
    assert all(pdf.startswith(b"%PDF") for pdf in made) and len(set(made)) == 6


def test_the_longest_unread_pdfs_go_when_too_many_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_module, "KEEP", 4)
    maker = PdfMaker(tmp_path, processes=1)
    for n in range(4):
        path = maker.path_of(f"old {n}")
        maker.keep(path, b"%PDF old")
        read_at = time.time() - 100 + n
        os.utime(path, (read_at, read_at))
    maker.keep(maker.path_of("new"), b"%PDF new")
    kept = {path.name for path in tmp_path.glob("*.pdf")}
    assert maker.path_of("new").name in kept
    assert maker.path_of("old 3").name in kept and maker.path_of("old 0").name not in kept
    assert len(kept) == 2, "down to half the limit, so the folder is not pruned at every PDF"


def test_a_pdf_unread_for_a_week_is_removed_when_another_is_kept(tmp_path: Path) -> None:
    maker = PdfMaker(tmp_path, processes=1)
    week_ago = time.time() - pdf_module.KEEP_SECONDS - 60
    for name in ("old", "recent"):
        maker.keep(maker.path_of(name), b"%PDF " + name.encode())
    os.utime(maker.path_of("old"), (week_ago, week_ago))
    left_over = tmp_path / "tmpx.part"
    left_over.write_bytes(b"half")
    os.utime(left_over, (week_ago, week_ago))
    maker.keep(maker.path_of("new"), b"%PDF new")
    assert not maker.path_of("old").exists() and not left_over.exists()
    assert maker.path_of("recent").exists() and maker.path_of("new").exists()


def test_the_rendering_processes_stop_with_the_server_and_start_again_when_needed(
    tmp_path: Path,
) -> None:
    maker = PdfMaker(tmp_path, processes=1)
    run_in_own_thread(maker.pdf(PAGE.format("Före")))
    workers: Any = pdf_module._processes(1)._processes
    started = list(workers.values())
    assert started and all(process.is_alive() for process in started)
    run_in_own_thread(pdf_module.stop_rendering())
    assert not any(process.is_alive() for process in started), "a renderer outlived the server"
    assert run_in_own_thread(maker.pdf(PAGE.format("Efter"))).startswith(b"%PDF")


def test_a_server_that_made_a_pdf_stops_its_renderers_when_it_stops(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path)  # no PDF kept yet: this one is rendered
    with client_of(settings) as client:
        log_in(client, "anna")
        assert client.get("/plan.pdf").status_code == 200
        started = list(pdf_module._processes(settings.pdf_processes)._processes.values())
        assert started
    # The client's end is the server's shutdown.
    assert not any(process.is_alive() for process in started)
