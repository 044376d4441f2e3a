"""PDFs of pages: the same templates, a print stylesheet, tagged for accessibility (PDF/UA)."""

from __future__ import annotations

from functools import cache
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response

from portal.settings import PROJECT_ROOT
from portal.web.i18n import current_language
from portal.web.templating import pages

PRINT_CSS = PROJECT_ROOT / "static" / "css" / "print.css"


@cache
def _stylesheet() -> Any:
    from weasyprint import CSS

    return CSS(filename=str(PRINT_CSS))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(PROJECT_ROOT / "static"))
    pdf: bytes = document.write_pdf(stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1")
    return pdf


async def pdf_response(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    """Render a template to PDF in a worker thread (it takes a while; the server goes on)."""
    language = current_language.get()
    env = pages(request).environments[language]
    html = env.get_template(template).render({"language": language, **context})
    pdf = await anyio.to_thread.run_sync(html_to_pdf, html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
