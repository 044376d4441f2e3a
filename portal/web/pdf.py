"""PDFs of pages: the same templates, a print stylesheet, tagged for accessibility (PDF/UA).

A PDF is made once for each text: the rendered HTML (with the stylesheet) is its key, so a
document's new version or another language is a new PDF and a kept one is never stale; kept
PDFs are files under the var folder. WeasyPrint runs in a few separate processes, so that a
PDF being laid out never holds up the pages the server is answering; more PDFs at once wait
for a process rather than each taking memory of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache, partial
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from portal.web.hyphens import hyphenating
from portal.web.i18n import current_language
from portal.web.pdf_render import PRINT_CSS, html_to_pdf
from portal.web.templating import pages

# Kept PDFs beyond this many are removed, the longest unread first; and any unread for this
# long (they hold people's data: kept to be fast, not to be archived).
KEEP = 2000
KEEP_SECONDS = 7 * 24 * 3600
# A process renders this many PDFs and is then replaced (WeasyPrint's caches only grow).
TASKS_PER_PROCESS = 200


@cache
def _stylesheet_key() -> bytes:
    from weasyprint import __version__

    return hashlib.sha256(PRINT_CSS.read_bytes() + __version__.encode()).digest()


_pools: dict[int, ProcessPoolExecutor] = {}


def _processes(count: int) -> ProcessPoolExecutor:
    """The rendering processes (started on first use, one pool per server process)."""
    pool = _pools.get(count)
    if pool is None:
        pool = _pools[count] = ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=TASKS_PER_PROCESS,
        )
    return pool


async def stop_rendering() -> None:
    """Stop the rendering processes, when the server stops: else each outlives it, waiting
    for work that never comes (a process pool's workers hold its queue open themselves). A
    PDF asked for afterwards starts them again."""
    pools = list(_pools.values())
    _pools.clear()
    for pool in pools:
        await anyio.to_thread.run_sync(partial(pool.shutdown, wait=True, cancel_futures=True))


class PdfMaker:
    """Renders HTML to PDF in `processes` processes and keeps each PDF in `folder`."""

    def __init__(self, folder: Path, processes: int) -> None:
        self.folder = folder
        self.processes = processes

    def path_of(self, html: str) -> Path:
        key = hashlib.sha256(_stylesheet_key() + html.encode()).hexdigest()
        return self.folder / f"{key}.pdf"

    async def pdf(self, html: str) -> bytes:
        path = self.path_of(html)
        try:
            pdf = path.read_bytes()
        except FileNotFoundError:
            pass
        else:
            os.utime(path)
            return pdf
        loop = asyncio.get_running_loop()
        pdf = await loop.run_in_executor(_processes(self.processes), html_to_pdf, html)
        await anyio.to_thread.run_sync(self.keep, path, pdf)
        return pdf

    def keep(self, path: Path, pdf: bytes) -> None:
        """Write the PDF whole or not at all (another process may be reading the folder)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(pdf)
        os.replace(name, path)
        self.prune(time.time())

    def prune(self, now: float) -> None:
        """Remove what has gone unread for KEEP_SECONDS (and a write left half-done), and the
        longest unread beyond KEEP, down to half of it."""
        kept: list[tuple[float, Path]] = []
        for found in self.folder.iterdir():
            try:
                read_at = found.stat().st_mtime
            except FileNotFoundError:
                continue
            if now - read_at > KEEP_SECONDS:
                found.unlink(missing_ok=True)
            elif found.suffix == ".pdf":
                kept.append((read_at, found))
        if len(kept) > KEEP:
            kept.sort()
            for _, old in kept[: len(kept) - KEEP // 2]:
                old.unlink(missing_ok=True)


def pdf_maker(request: Request) -> PdfMaker:
    state = request.app.state
    maker: PdfMaker | None = getattr(state, "pdf_maker", None)
    if maker is None:
        settings = state.settings
        maker = PdfMaker(Path(settings.var_dir) / "pdf", settings.pdf_processes)
        state.pdf_maker = maker
    return maker


async def pdf_response(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    """The template as a PDF, made once for each text it renders to."""
    language = current_language.get()
    env = pages(request).environments[language]
    shown = hyphenating.set(False)
    try:
        html = env.get_template(template).render({"language": language, **context})
    finally:
        hyphenating.reset(shown)
    pdf = await pdf_maker(request).pdf(html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
