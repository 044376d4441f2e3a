"""A report version as a printable, tagged PDF in the deployment's language (the language the
reviewing organisation files it in), for providers and reviewers alike."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.db import utcnow
from portal.participants.models import Participant
from portal.reports import rules
from portal.reports.models import Report, ReportVersion
from portal.staff.models import Organisation
from portal.web.forms import whole_number
from portal.web.i18n import current_language, national_language
from portal.web.pdf import pdf_response
from portal.web.requests import database
from portal.web.templating import pages


def pick_version(report: Report, number: str) -> ReportVersion:
    """The version asked for by number (404 when there is none), or the newest."""
    if not number:
        return report.versions[-1]
    matching = [v for v in report.versions if v.version == whole_number(number)]
    if not matching:
        raise HTTPException(404)
    return matching[0]


async def report_document(
    request: Request, report: Report, version: ReportVersion, participant: Participant
) -> Response:
    async with database(request).sessions() as db:
        provider = await db.get(Organisation, report.intervention.provider_id)
    token = current_language.set(national_language(request.app.state.settings.country))
    try:
        fmt = pages(request).formatter
        kind = str(rules.KINDS[report.kind])
        title = f"{kind} {fmt.month(report.period)}" if report.period else kind
        return await pdf_response(
            request,
            "reports/report_pdf.html",
            {
                "title": title,
                "kind": report.kind,
                "version": version,
                "participant": participant,
                "intervention": report.intervention,
                "provider_name": provider.name if provider else "",
                "printed_at": utcnow(),
                "activity_statuses": rules.ACTIVITY_STATUSES,
                "end_reasons": rules.END_REASONS,
                "yes_no": rules.YES_NO,
                "fmt": fmt,
            },
            filename=f"{report.kind}-{report.period or report.id}-v{version.version}.pdf",
        )
    finally:
        current_language.reset(token)
