"""What a PDF rendering process runs: WeasyPrint on a page's HTML with the print stylesheet
(kept apart from the web layer, so that a rendering process imports little)."""

from __future__ import annotations

from functools import cache
from typing import Any

from portal.settings import PROJECT_ROOT

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
