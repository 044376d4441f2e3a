"""The provider's reports about a participant (`/staff/participants/{id}/provider-reports`): the
implementation plan, monthly and final reports, with drafts, autosave, preview, submission and
corrections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.acting import ActingHandler, StaffOnParticipant, acting_on_participant
from portal.db import utcnow
from portal.hours.service import Month
from portal.reports import rules, service
from portal.reports.documents import pick_version, report_document
from portal.reports.models import Intervention, Report, ReportVersion
from portal.reports.service import ReportsError
from portal.web.forms import read_form
from portal.web.i18n import gettext
from portal.web.requests import database

BASE = "/staff/participants/{participant_id:int}/provider-reports"
Provider = StaffOnParticipant


def provider(handler: ActingHandler) -> Callable[[Request], Awaitable[Response]]:
    """Only staff who register reports, for participants they may see; each opening is
    written to the participant's access log."""
    return acting_on_participant("register_reports", "provider-reports", "reports", 403)(handler)


async def reports_list(p: Provider, errors: dict[str, str] | None = None) -> Response:
    async with database(p.request).sessions() as db:
        interventions = await service.participant_interventions(
            db, p.staff.user.organisation_id, p.participant.id
        )
        reports = await service.reports_of(db, [i.id for i in interventions])
    by_intervention: dict[int, list[Report]] = {i.id: [] for i in interventions}
    for report in reports:
        by_intervention[report.intervention_id].append(report)
    return p.render(
        "reports/provider_list.html",
        400 if errors else 200,
        interventions=[
            (
                i,
                by_intervention[i.id],
                service.due_months(service.period_of(i), p.today),
            )
            for i in interventions
        ],
        default_month=rules.report_month(p.today),
        errors=errors or {},
        kinds=rules.KINDS,
        cell_statuses=rules.CELL_STATUSES,
    )


async def open_month(p: Provider) -> Response:
    """The month picker: to the month's report, or back with why not."""
    intervention = await intervention_or_404(p)
    month = Month.parse(str((await read_form(p.request)).get("month", "")))
    if month is None:
        return await reports_list(p, {"month": gettext("Choose a month.")})
    problem = rules.month_problem(month, p.today, service.period_of(intervention))
    if problem:
        return await reports_list(p, {"month": problem})
    return p.redirect(f"/{intervention.id}/monthly/{month}")


async def intervention_or_404(p: Provider) -> Intervention:
    async with database(p.request).sessions() as db:
        intervention = await db.scalar(
            service.provider_interventions(p.staff.user.organisation_id).where(
                Intervention.participant_id == p.participant.id,
                Intervention.id == p.request.path_params["intervention_id"],
            )
        )
    if intervention is None:
        raise HTTPException(404)
    return intervention


@dataclass
class Writing:
    """One report being written: its intervention, kind, period and what it follows up."""

    p: Provider
    intervention: Intervention
    kind: str
    period: str
    report: Report | None
    activities: list[dict[str, str]] | None  # the approved plan's, for a follow-up

    @property
    def path(self) -> str:
        suffix = f"/{self.period}" if self.period else ""
        return f"{self.p.base}/{self.intervention.id}/{self.kind}{suffix}"

    @property
    def span(self) -> rules.Period:
        return service.period_of(self.intervention)

    def parse(
        self, form: dict[str, Any], submitting: bool
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The content to keep from the form, and (when submitting) what is wrong with it."""
        if self.kind == "plan":
            activities, errors = rules.plan_activities(form, self.span, submitting)
            return {"activities": activities}, errors
        content, errors = rules.follow_up(
            form, self.activities or [], self.span, final=self.kind == "final"
        )
        if not submitting:
            content = rules.draft_fields(form, self.activities or [], final=self.kind == "final")
            errors = {}
        content["activities"] = self.activities or []
        if self.kind == "monthly":
            content["month"] = self.period
        return content, errors

    def form_values(self, content: dict[str, Any]) -> dict[str, Any]:
        if self.kind == "plan":
            return rules.renumbered(content.get("activities", []))
        return content


async def writing(p: Provider, kind: str) -> Writing:
    intervention = await intervention_or_404(p)
    period = ""
    if kind == "monthly":
        month = Month.parse(p.request.path_params["month"])
        if month is None:
            raise HTTPException(404)
        period = str(month)
    async with database(p.request).sessions() as db:
        report = await service.find_report(db, intervention.id, kind, period)
        activities = None if kind == "plan" else await service.approved_plan(db, intervention.id)
    return Writing(p, intervention, kind, period, report, activities)


def refusal_of(w: Writing) -> str | None:
    """Why this report cannot be written now, or None."""
    if w.kind != "plan" and w.activities is None:
        return gettext(
            "Monthly and final reports follow up the approved implementation plan: send the "
            "plan first, and write these once it is approved."
        )
    if w.kind == "monthly":
        month = Month.parse(w.period)
        assert month is not None
        return rules.month_problem(month, w.p.today, w.span)
    return None


def starting_values(w: Writing) -> dict[str, Any]:
    """What a new report's form starts with: a plan from the track's predefined plan (or one
    empty row); a follow-up empty."""
    if w.kind != "plan":
        return {}
    track = w.intervention.track
    if track is not None and track.template:
        return rules.renumbered(rules.from_track(track.template, w.span))
    return {}


def render(
    w: Writing,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    report = w.report
    latest = report.versions[-1] if report and report.versions else None
    shown = latest
    if report is not None and report.versions:
        shown = pick_version(report, w.p.request.query_params.get("version", ""))
    preview = w.p.request.query_params.get("preview") == "1" and shown is not None
    editing = (shown is None or shown.state == "draft") and not preview and shown is latest
    if values is None:
        values = w.form_values(shown.content) if shown is not None else starting_values(w)
    return w.p.render(
        "reports/report.html",
        status_code,
        w=w,
        report=report,
        latest=latest,
        shown=shown,
        editing=editing and refusal_of(w) is None,
        preview=preview,
        refusal=refusal_of(w),
        values=values,
        errors=errors or {},
        rows=plan_rows(values) if w.kind == "plan" else [],
        activities=w.activities or (shown.content.get("activities", []) if shown else []),
        approved=service.latest_with(report, "approved"),
        kinds=rules.KINDS,
        activity_statuses=rules.ACTIVITY_STATUSES,
        end_reasons=rules.END_REASONS,
        yes_no=rules.YES_NO,
        cell_statuses=rules.CELL_STATUSES,
        saved=w.p.request.query_params.get("saved"),
        **extra,
    )


def plan_rows(values: dict[str, Any]) -> list[int]:
    """The plan form's row numbers: those typed, at least one."""
    rows = sorted({int(key.split("-")[1]) for key in values if key.startswith("activity-")}) or [0]
    return list(range(len(rows)))


async def report_pdf(p: Provider, kind: str) -> Response:
    """A version (the newest unless ?version=N) as a PDF in the deployment's language: to
    print a draft for review, or a submitted report."""
    w = await writing(p, kind)
    if w.report is None or not w.report.versions:
        raise HTTPException(404)
    version = pick_version(w.report, p.request.query_params.get("version", ""))
    return await report_document(p.request, w.report, version, p.participant)


async def report_page(p: Provider, kind: str) -> Response:
    return render(await writing(p, kind))


async def report_post(p: Provider, kind: str) -> Response:
    w = await writing(p, kind)
    form = await read_form(p.request, "reasons")
    action = form.pop("action", "save")
    if refusal_of(w) is not None:
        return render(w, status_code=409)
    if action == "correct":
        return await correct(w)
    if action == "submit" and form.pop("from_draft", "") == "yes" and w.report is not None:
        form = w.form_values(w.report.versions[-1].content)
    if action == "add" and w.kind == "plan":
        content, _errors = w.parse(form, submitting=False)
        values = rules.renumbered(content["activities"])
        values.update({f"activity-{len(content['activities'])}-name": ""})
        return render(w, values=values)
    submitting = action == "submit"
    content, errors = w.parse(form, submitting)
    posted_version = str(form.get("version", ""))
    try:
        await save_and_submit(w, form, content if submitting and not errors else None)
    except ReportsError as refusal:
        submitted = service.latest_submitted(w.report)
        if submitting and submitted is not None and str(submitted.version) == posted_version:
            return RedirectResponse(w.path + "?saved=submitted", status_code=303)  # a repeat
        return render(
            w, values=w.form_values(content), status_code=409, refusal_message=refusal.message
        )
    except IntegrityError:
        return RedirectResponse(w.path, status_code=303)  # raced twice: the page shows the draft
    if errors:
        w.report = await fresh_report(w)
        return render(w, values=w.form_values(content), errors=errors, status_code=400)
    if action == "preview":
        return RedirectResponse(w.path + "?preview=1", status_code=303)
    return RedirectResponse(
        w.path + f"?saved={'submitted' if submitting else 'draft'}", status_code=303
    )


async def save_and_submit(w: Writing, form: dict[str, Any], content: dict[str, Any] | None) -> None:
    """Keep the form as the draft and, given `content`, submit it: one transaction. The first
    save of a report can race with its own autosave (the browser autosaves a changed field as
    the button is pressed); the loser of that race finds the report made and tries once more."""
    for attempt in (1, 2):
        try:
            async with database(w.p.request).transaction() as db:
                report, _draft = await keep_draft(db, w, form)
                if content is not None:
                    await service.submit(db, report, content, w.p.staff.user, utcnow())
            return
        except IntegrityError:
            if attempt == 2:
                raise


async def keep_draft(
    db: AsyncSession, w: Writing, form: dict[str, Any]
) -> tuple[Report, ReportVersion]:
    """What the form holds, as typed, as the report's draft (in the caller's transaction)."""
    content = w.parse(form, False)[0]
    return await service.save_draft(
        db, w.intervention, w.kind, w.period, content, w.p.staff.user, utcnow()
    )


async def fresh_report(w: Writing) -> Report | None:
    async with database(w.p.request).sessions() as db:
        return await service.find_report(db, w.intervention.id, w.kind, w.period)


async def correct(w: Writing) -> Response:
    try:
        async with database(w.p.request).transaction() as db:
            report = await service.find_report(db, w.intervention.id, w.kind, w.period)
            if report is None or not report.versions:
                raise HTTPException(404)
            await service.start_correction(db, report, w.p.staff.user, utcnow())
    except ReportsError as refusal:
        return render(w, status_code=409, refusal_message=refusal.message)
    except IntegrityError:
        pass  # a correction was opened by a racing click: the page shows it
    return RedirectResponse(w.path + "?saved=correction", status_code=303)


async def autosave(p: Provider, kind: str) -> Response:
    """The htmx autosave: keep what is typed as the draft, answer with a short status."""
    w = await writing(p, kind)
    form = await read_form(p.request, "reasons")
    form.pop("action", None)
    if refusal_of(w) is not None:
        return p.render("hours/_autosave.html", 409, message=refusal_of(w))
    try:
        async with database(p.request).transaction() as db:
            _report, draft = await keep_draft(db, w, form)
    except ReportsError as refusal:
        return p.render("hours/_autosave.html", 409, message=refusal.message)
    except IntegrityError:
        return p.render("hours/_autosave.html", 409, message=gettext("Not saved; try again."))
    return p.render("hours/_autosave.html", saved_at=draft.updated_at)


def kind_routes(path: str, kind: str) -> list[Route]:
    def bound(
        handler: Callable[[Provider, str], Awaitable[Response]], name: str
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(p: Provider) -> Response:
            return await handler(p, kind)

        endpoint.__name__ = f"{name}_{kind}"
        return provider(endpoint)

    return [
        Route(path, bound(report_page, "report_page")),
        Route(path, bound(report_post, "report_post"), methods=["POST"]),
        Route(path + "/autosave", bound(autosave, "autosave"), methods=["POST"]),
        Route(path + "/pdf", bound(report_pdf, "report_pdf")),
    ]


async def list_page(p: Provider) -> Response:
    return await reports_list(p)


def routes() -> list[Route]:
    one = BASE + "/{intervention_id:int}"
    return [
        Route(BASE, provider(list_page)),
        Route(one + "/monthly", provider(open_month), methods=["POST"]),
        *kind_routes(one + "/plan", "plan"),
        *kind_routes(one + "/monthly/{month}", "monthly"),
        *kind_routes(one + "/final", "final"),
    ]
