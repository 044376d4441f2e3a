"""The presentation CV's PDF: render time and peak memory. Prints one JSON line.

Renders a full presentation CV (three texts of 2 000 characters, eight experiences) through the
same template, stylesheet and WeasyPrint call as `/cv/presentation.pdf`, five times after a
warm-up, in this fresh process. The baseline, in the same run, is a one-line page through the
same call. Targets: < 0.3 s, < 150 MB.
Run: .venv/bin/python -m bench.cv_pdf
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import time
from types import SimpleNamespace

from portal.cv.presentation import EXPERIENCE_KINDS, VERDICTS
from portal.settings import Settings
from portal.web.i18n import current_language
from portal.web.pdf_render import html_to_pdf
from portal.web.templating import Pages

TEXT = ("Jag tycker om att arbeta med händerna och att ha ordning omkring mig. " * 28)[:2000]


def timed(render: object, times: int = 5) -> tuple[float, int]:
    html_to_pdf(render())  # type: ignore[operator]
    timings, size = [], 0
    for _ in range(times):
        started = time.perf_counter()
        size = len(html_to_pdf(render()))  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), size


def main() -> None:
    settings = Settings.from_env(
        {"PORTAL_SECRET_KEY": "bench-secret-0123456789abcdef", "PORTAL_DEV_IDP": "1"}
    )
    current_language.set("sv")
    env = Pages(settings).environments["sv"]
    context = {
        "language": "sv",
        "participant": SimpleNamespace(full_name="Anna Andersson"),
        "texts": SimpleNamespace(about_me=TEXT, job_functions=TEXT, competences=TEXT),
        "items": [
            SimpleNamespace(
                id=n,
                kind=("job", "internship", "voluntary")[n % 3],
                place=f"Arbetsplats {n}",
                tasks=TEXT[:600],
                verdict=("good", "mixed", "bad")[n % 3],
                why=TEXT[:200],
            )
            for n in range(8)
        ],
        "printed_at": dt.datetime.now(dt.UTC),
        "experience_kinds": EXPERIENCE_KINDS,
        "verdicts": VERDICTS,
    }
    template = env.get_template("cv/presentation_pdf.html")
    baseline_s, _size = timed(
        lambda: (
            "<!doctype html><html lang='sv'><head><title>x</title></head><body><p>x</p>"
            "</body></html>"
        )
    )
    seconds, size = timed(lambda: template.render(context))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "bench": "presentation_cv_pdf",
                "pdf_seconds_median": round(seconds, 3),
                "baseline_one_line_pdf_seconds": round(baseline_s, 3),
                "pdf_bytes": size,
                "process_peak_mb": round(peak / 1024, 1),
                "targets": {"pdf_seconds": 0.3, "peak_mb": 150},
            }
        )
    )


if __name__ == "__main__":
    main()
