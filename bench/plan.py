"""My Plan at size: 30 initiatives with 300 versions in all. Prints one JSON line.

/plan requests/s and latency against a bare Starlette endpoint in the same run, loaded in turn
for a few rounds (harness.alternate; targets: ratio >= 0.12, p99 < 60 ms), and the PDF's render
time and peak memory (targets: < 0.3 s, < 150 MB).
Run: .venv/bin/python -m bench.plan [SECONDS_PER_ROUND] [WORKERS] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

import httpx

from bench.harness import ROOT, alternate, bare_server, portal_server

CONNECTIONS = 32
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 1)
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 9
INITIATIVES = 30
VERSIONS_EACH = 10  # 30 x 10 = 300 versions


async def seed(database_url: str) -> int:
    """A participant whose plan has 30 initiatives of 10 versions each; returns their id."""
    from sqlalchemy import select

    import portal.models  # noqa: F401  (every table, for the foreign keys)
    from portal.db import Database
    from portal.notify.service import Links
    from portal.participants.models import Participant
    from portal.plan.inputs import InitiativeInput, StatusInput
    from portal.plan.service import Author, PlanWriter, add_status_entry, save_initiative

    database = Database(database_url)
    today = dt.datetime.now(dt.UTC).date()
    author = Author("Bench Caseworker")
    async with database.transaction() as db:
        participant = await db.scalar(select(Participant).where(Participant.first_name == "Bo"))
        assert participant is not None
        writer = PlanWriter(participant, author, today, Links("http://bench.invalid", "SE"))
        for number in range(INITIATIVES):
            initiative = None
            for version in range(VERSIONS_EACH):
                data = InitiativeInput(
                    type="education",
                    title=f"Course {number}",
                    content=f"Module {version} of a longer course, with a few sentences of text.",
                    hours_per_week=Decimal(10 + version),
                    agreed_by="Bench Caseworker",
                    start_date=today - dt.timedelta(days=200 - number * 10),
                    end_date=today + dt.timedelta(days=30 + number * 5 + version),
                    address="Skolvägen 1",
                    contact_name="Teacher",
                    contact_phone="+46 8 123 45",
                    contact_email="teacher@school.example",
                    purpose="To learn what the job goal needs.",
                )
                initiative, _changed = await save_initiative(db, writer, data, initiative)
            assert initiative is not None
            await add_status_entry(db, writer, initiative, StatusInput("Going well.", today))
        participant_id = participant.id
    await database.dispose()
    return participant_id


def pdf_figures(env: dict[str, str], participant_id: int) -> dict[str, float]:
    """Render the plan PDF in a fresh process: time per render and the process's peak memory."""
    script = f"""
import asyncio, json, resource, time
import portal.models
from portal.db import Database
from portal.participants.models import Participant
from portal.plan.reading import load_plan
from portal.plan.service import STATES
from portal.plan.inputs import INITIATIVE_TYPES
from portal.settings import Settings
from portal.web.i18n import current_language
from portal.web.pdf_render import html_to_pdf
from portal.web.templating import Pages
import datetime as dt

settings = Settings.from_env()
async def main():
    database = Database(settings.database_url)
    participant = await database.get(Participant, {participant_id})
    plan = await database.read(load_plan, {participant_id}, dt.date.today(), None)
    await database.dispose()
    current_language.set("sv")
    env = Pages(settings).environments["sv"]
    context = dict(plan=plan, participant=participant, for_print=True, language="sv",
                   printed_at=dt.datetime.now(dt.UTC), initiative_types=INITIATIVE_TYPES,
                   states=STATES, view=None)
    html = env.get_template("plan/plan_pdf.html").render(context)
    html_to_pdf(html)  # warm: fonts and stylesheet
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        html = env.get_template("plan/plan_pdf.html").render(context)
        pdf = html_to_pdf(html)
        timings.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({{"pdf_seconds_median": sorted(timings)[2], "pdf_bytes": len(pdf),
                       "pdf_process_peak_mb": round(peak, 1)}}))
asyncio.run(main())
"""
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    figures["pdf_seconds_median"] = round(figures["pdf_seconds_median"], 3)
    return figures


def main() -> None:
    with bare_server(WORKERS) as bare_url, portal_server(workers=WORKERS) as (url, env):
        participant_id = asyncio.run(seed(env["PORTAL_DATABASE_URL"]))
        with httpx.Client(base_url=url, follow_redirects=True) as client:
            client.get("/auth/login?login_hint=bo")
            page = client.get("/plan")
            assert page.status_code == 200 and page.text.count('class="timeline__item"') >= 30
            cookie = f"portal_session={client.cookies['portal_session']}"
        figures = alternate(
            bare_url, url, "/plan", cookie, ROUNDS, connections=CONNECTIONS, seconds=SECONDS
        )
        pdf = pdf_figures(env, participant_id)
    plan_page = figures.pop("page")
    print(
        json.dumps(
            {
                "benchmark": "plan",
                "initiatives": INITIATIVES,
                "versions": INITIATIVES * VERSIONS_EACH,
                "connections": CONNECTIONS,
                "workers": WORKERS,
                "plan_page": plan_page,
                **figures,
                **pdf,
                "targets": {
                    "ratio": 0.12,
                    "plan_p99_ms": 60,
                    "pdf_seconds": 0.3,
                    "pdf_peak_mb": 150,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
