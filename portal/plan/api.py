"""The case-system API for My Plan: idempotent upserts by external id, versions per change."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.auth.api_clients import api_endpoint
from portal.auth.models import ApiClient
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.participants.service import normalise_personal_number
from portal.plan import inputs, service
from portal.plan.models import Goal, Initiative
from portal.plan.service import Author, InitiativeState, PlanError, PlanWriter
from portal.web.api import json_object, problem, problem_response
from portal.web.forms import Errors, Fields
from portal.web.requests import database, today

PREFIX = "/api/v1/participants/{personal_number}/plan"


def writer(request: Request, participant: Participant, author: Author) -> PlanWriter:
    settings = request.app.state.settings
    return PlanWriter(participant, author, today(request), Links.of(settings))


async def find_participant(request: Request, db: AsyncSession) -> Participant | None:
    number = normalise_personal_number(
        request.app.state.settings.country, request.path_params["personal_number"]
    )
    if number is None:
        return None
    return await db.scalar(select(Participant).where(Participant.personal_number == number))


PlanItem = TypeVar("PlanItem", Goal, Initiative)


async def by_external_id(
    db: AsyncSession, model: type[PlanItem], participant: Participant, external_id: str
) -> PlanItem | None:
    """The participant's goal or initiative that the case system calls `external_id`."""
    return await db.scalar(
        select(model).where(
            model.participant_id == participant.id, model.external_id == external_id
        )
    )


def author_of(body: dict[str, Any], client: ApiClient, errors: Errors) -> Author:
    """The caseworker named in the body (`changed_by`), or the client itself."""
    name = body.get("changed_by")
    if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= 201):
        errors["changed_by"] = "Must be a name of at most 201 characters."
        name = None
    return Author(name.strip() if name else client.name, client=client.name)


def external_id_errors(request: Request) -> Errors:
    external_id = request.path_params["external_id"]
    if len(external_id) > inputs.LIMITS["external_id"]:
        return {"external_id": "At most 100 characters."}
    return {}


def parse_extras(body: dict[str, Any], today_: Any) -> tuple[InitiativeState, Errors]:
    """An initiative's state in the body: status entries, cancelled, final status."""
    errors: Errors = {}
    statuses = []
    entries = body.get("status_entries", [])
    if not isinstance(entries, list):
        errors["status_entries"] = "Must be a list."
        entries = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors[f"status_entries[{index}]"] = "Must be an object with date and text."
            continue
        data, entry_errors = inputs.parse_status(
            {"text": entry.get("text"), "entry_date": entry.get("date")}, today_
        )
        for name, message in entry_errors.items():
            errors[f"status_entries[{index}].{'date' if name == 'entry_date' else name}"] = message
        if data:
            statuses.append(data)
    cancelled = body.get("cancelled", False)
    if not isinstance(cancelled, bool):
        errors["cancelled"] = "Must be true or false."
    final_status = body.get("final_status")
    if final_status is not None:
        f = Fields({"final_status": final_status})
        final_status = f.text("final_status", inputs.LIMITS["final_status"])
        errors.update(f.errors)
    state = InitiativeState(statuses, cancelled is True, final_status or None)
    return state, errors


async def put_initiative(request: Request, client: ApiClient) -> Response:
    body = await json_object(request)
    if isinstance(body, JSONResponse):
        return body
    day = today(request)
    data, errors = inputs.parse_initiative(body)
    extras, extra_errors = parse_extras(body, day)
    errors.update(extra_errors)
    errors.update(external_id_errors(request))
    author = author_of(body, client, errors)
    if errors or data is None:
        return problem(422, "The initiative is not valid.", errors)
    external_id = request.path_params["external_id"]
    for attempt in (1, 2):
        try:
            async with database(request).transaction() as db:
                participant = await find_participant(request, db)
                if participant is None:
                    return problem(404, "No such participant.")
                initiative = await by_external_id(db, Initiative, participant, external_id)
                created = initiative is None
                initiative, changed = await service.upsert_initiative(
                    db, writer(request, participant, author), data, extras, initiative, external_id
                )
                version = initiative.versions[-1]
            break
        except PlanError as refusal:
            return problem(409, refusal.message)
        except IntegrityError:
            if attempt == 2:
                raise  # a second collision in a row is not a race any more
    assert initiative is not None
    return JSONResponse(
        {
            "id": initiative.id,
            "external_id": external_id,
            "version": version.version,
            "state": service.initiative_state(version, day),
            "changed": changed,
        },
        status_code=201 if created else 200,
    )


async def put_goal(request: Request, client: ApiClient) -> Response:
    body = await json_object(request)
    if isinstance(body, JSONResponse):
        return body
    data, errors = inputs.parse_goal(body)
    kind = body.get("kind")
    if kind not in ("job", "progression"):
        errors["kind"] = "Must be job or progression."
    errors.update(external_id_errors(request))
    author = author_of(body, client, errors)
    if errors or data is None:
        return problem(422, "The goal is not valid.", errors)
    external_id = request.path_params["external_id"]
    async with database(request).transaction() as db:
        participant = await find_participant(request, db)
        if participant is None:
            return problem(404, "No such participant.")
        goal = await by_external_id(db, Goal, participant, external_id)
        if goal is not None and goal.kind != kind:
            return problem(409, "A goal keeps its kind; use another external id.")
        created = goal is None
        goal, changed = await service.save_goal(
            db, writer(request, participant, author), str(kind), data, goal, external_id
        )
        version = goal.versions[-1].version
    body_out = {"id": goal.id, "external_id": external_id, "version": version, "changed": changed}
    return JSONResponse(body_out, status_code=201 if created else 200)


async def delete_goal(request: Request, client: ApiClient) -> Response:
    author = Author(client.name, client=client.name)
    async with database(request).transaction() as db:
        participant = await find_participant(request, db)
        if participant is None:
            return problem(404, "No such participant.")
        goal = await by_external_id(db, Goal, participant, request.path_params["external_id"])
        if goal is None:
            return problem(404, "No such goal.")
        changed = await service.remove_goal(db, writer(request, participant, author), goal)
    return JSONResponse({"id": goal.id, "removed": True, "changed": changed})


async def put_agreement(request: Request, client: ApiClient) -> Response:
    body = await json_object(request)
    if isinstance(body, JSONResponse):
        return body
    data, errors = inputs.parse_agreement(body, today(request))
    author = author_of(body, client, errors)
    if errors or data is None:
        return problem(422, "The agreement is not valid.", errors)
    async with database(request).transaction() as db:
        participant = await find_participant(request, db)
        if participant is None:
            return problem(404, "No such participant.")
        version, changed = await service.save_agreement(
            db, writer(request, participant, author), data
        )
    return JSONResponse({"version": version.version, "changed": changed})


def routes() -> list[Route]:
    return [
        Route(
            PREFIX + "/initiatives/{external_id}",
            api_endpoint(put_initiative, "plan:write"),
            methods=["PUT"],
        ),
        Route(
            PREFIX + "/goals/{external_id}", api_endpoint(put_goal, "plan:write"), methods=["PUT"]
        ),
        Route(
            PREFIX + "/goals/{external_id}",
            api_endpoint(delete_goal, "plan:write"),
            methods=["DELETE"],
        ),
        Route(PREFIX + "/agreement", api_endpoint(put_agreement, "plan:write"), methods=["PUT"]),
    ]


# ---------------------------------------------------------------- OpenAPI description

_TEXT = {"type": "string"}
_DATE = {"type": "string", "format": "date"}


def _limited(name: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": inputs.LIMITS[name]}


SCHEMAS: dict[str, Any] = {
    "Initiative": {
        "type": "object",
        "required": ["type", "title", "content", "agreed_by", "start_date", "purpose"],
        "properties": {
            "type": {"type": "string", "enum": list(inputs.INITIATIVE_TYPES)},
            "title": _limited("title"),
            "content": _limited("content"),
            "hours_per_week": {"type": ["number", "null"], "minimum": 0, "maximum": 40},
            "agreed_by": _limited("agreed_by"),
            "start_date": _DATE,
            "end_date": {"type": ["string", "null"], "format": "date"},
            "address": _limited("address"),
            "contact_name": _limited("contact_name"),
            "contact_phone": _limited("contact_phone"),
            "contact_email": {**_limited("contact_email"), "format": "email"},
            "purpose": _limited("purpose"),
            "status_entries": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "text"],
                    "properties": {"date": _DATE, "text": _limited("status_text")},
                },
            },
            "cancelled": {"type": "boolean"},
            "final_status": {"type": ["string", "null"], "maxLength": 2000},
            "changed_by": {"type": "string", "maxLength": 201},
        },
    },
    "Goal": {
        "type": "object",
        "required": ["kind", "text"],
        "properties": {
            "kind": {"type": "string", "enum": ["job", "progression"]},
            "text": _limited("goal_text"),
            "occupation_uri": {"type": ["string", "null"], "maxLength": 200},
            "changed_by": {"type": "string", "maxLength": 201},
        },
    },
    "Agreement": {
        "type": "object",
        "required": ["text", "agreed_on", "agreed_by"],
        "properties": {
            "text": _limited("agreement_text"),
            "agreed_on": _DATE,
            "agreed_by": _limited("agreed_by"),
            "changed_by": {"type": "string", "maxLength": 201},
        },
    },
    "Saved": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "external_id": _TEXT,
            "version": {"type": "integer"},
            "changed": {"type": "boolean", "description": "false when the request changed nothing"},
        },
    },
}


def _operation(summary: str, schema: str | None, created: bool = True) -> dict[str, Any]:
    def ref(name: str) -> dict[str, Any]:
        return {
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
        }

    responses: dict[str, Any] = {
        "200": {"description": "Saved, or nothing to change", **ref("Saved")},
        "401": problem_response("No valid bearer token"),
        "403": problem_response("The client was not given the scope plan:write"),
        "404": problem_response("No participant with that personal number"),
    }
    if created:
        responses["201"] = {"description": "Created", **ref("Saved")}
    if schema:
        responses["409"] = problem_response("Refused by the plan's rules")
        responses["422"] = problem_response("Not valid; errors name the fields")
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if schema:
        operation["requestBody"] = {"required": True, **ref(schema)}
    return operation


_PARAMETERS = [
    {"name": "personal_number", "in": "path", "required": True, "schema": _TEXT},
]
_WITH_EXTERNAL_ID = [
    *_PARAMETERS,
    {"name": "external_id", "in": "path", "required": True, "schema": _limited("external_id")},
]

PATHS: dict[str, Any] = {
    "/participants/{personal_number}/plan/initiatives/{external_id}": {
        "parameters": _WITH_EXTERNAL_ID,
        "put": _operation(
            "Create or update an initiative (a new version per change)", "Initiative"
        ),
    },
    "/participants/{personal_number}/plan/goals/{external_id}": {
        "parameters": _WITH_EXTERNAL_ID,
        "put": _operation("Create or update a job or progression goal", "Goal"),
        "delete": _operation("Remove a goal (kept in the history)", None, created=False),
    },
    "/participants/{personal_number}/plan/agreement": {
        "parameters": _PARAMETERS,
        "put": _operation("Write the latest agreement", "Agreement", created=False),
    },
}
