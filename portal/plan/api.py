"""The case-system API for My Plan: idempotent upserts by external id, versions per change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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


def based_on_version(body: dict[str, Any], errors: Errors) -> int | None:
    """The version the case system's change is based on (optional): when another version is
    the latest by then, the change is refused with 409 instead of replacing it unseen."""
    value = body.get("based_on_version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        errors["based_on_version"] = "Must be a whole number of at least 0."
        return None
    return value


Written = TypeVar("Written")


async def write_plan(
    request: Request, write: Callable[[AsyncSession, Participant], Awaitable[Written]]
) -> Written | Response:
    """Run `write` for the path's participant in one transaction. A writer racing this one
    (the editor, another request) makes it run once more on what that one saved; a change
    based on an older version, or one the plan's rules refuse, is answered with 409."""
    for attempt in (1, 2):
        try:
            async with database(request).transaction() as db:
                participant = await find_participant(request, db)
                if participant is None:
                    return problem(404, "No such participant.")
                return await write(db, participant)
        except service.PlanConflict as conflict:
            return problem(
                409,
                "Another version was saved after the one this change is based on.",
                current_version=conflict.current_version,
            )
        except PlanError as refusal:
            return problem(409, refusal.message)
        except IntegrityError:
            if attempt == 2:
                raise  # a second collision in a row is not a race any more
    raise AssertionError("unreachable")


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
    based_on = based_on_version(body, errors)
    if errors or data is None:
        return problem(422, "The initiative is not valid.", errors)
    external_id = request.path_params["external_id"]

    async def write(db: AsyncSession, participant: Participant) -> Response:
        initiative = await by_external_id(db, Initiative, participant, external_id)
        created = initiative is None
        initiative, changed = await service.upsert_initiative(
            db,
            writer(request, participant, author),
            data,
            extras,
            initiative,
            external_id,
            based_on=based_on,
        )
        version = initiative.versions[-1]
        saved = {
            "id": initiative.id,
            "external_id": external_id,
            "version": version.version,
            "state": service.initiative_state(version, day),
            "changed": changed,
        }
        return JSONResponse(saved, status_code=201 if created else 200)

    return await write_plan(request, write)


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
    based_on = based_on_version(body, errors)
    if errors or data is None:
        return problem(422, "The goal is not valid.", errors)
    external_id = request.path_params["external_id"]

    async def write(db: AsyncSession, participant: Participant) -> Response:
        goal = await by_external_id(db, Goal, participant, external_id)
        if goal is not None and goal.kind != kind:
            return problem(409, "A goal keeps its kind; use another external id.")
        created = goal is None
        goal, changed = await service.save_goal(
            db,
            writer(request, participant, author),
            str(kind),
            data,
            goal,
            external_id,
            based_on=based_on,
        )
        version = goal.versions[-1].version
        saved = {"id": goal.id, "external_id": external_id, "version": version, "changed": changed}
        return JSONResponse(saved, status_code=201 if created else 200)

    return await write_plan(request, write)


async def delete_goal(request: Request, client: ApiClient) -> Response:
    author = Author(client.name, client=client.name)

    async def write(db: AsyncSession, participant: Participant) -> Response:
        goal = await by_external_id(db, Goal, participant, request.path_params["external_id"])
        if goal is None:
            return problem(404, "No such goal.")
        changed = await service.remove_goal(db, writer(request, participant, author), goal)
        return JSONResponse({"id": goal.id, "removed": True, "changed": changed})

    return await write_plan(request, write)


async def put_agreement(request: Request, client: ApiClient) -> Response:
    body = await json_object(request)
    if isinstance(body, JSONResponse):
        return body
    data, errors = inputs.parse_agreement(body, today(request))
    author = author_of(body, client, errors)
    based_on = based_on_version(body, errors)
    if errors or data is None:
        return problem(422, "The agreement is not valid.", errors)

    async def write(db: AsyncSession, participant: Participant) -> Response:
        version, changed = await service.save_agreement(
            db, writer(request, participant, author), data, based_on=based_on
        )
        return JSONResponse({"version": version.version, "changed": changed})

    return await write_plan(request, write)


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
_BASED_ON = {
    "type": ["integer", "null"],
    "minimum": 0,
    "description": "The version this change is based on (0: none yet). When another version "
    "is the latest, the change is refused with 409 and current_version; leave it out to "
    "write what is true now.",
}


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
            "based_on_version": _BASED_ON,
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
            "based_on_version": _BASED_ON,
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
            "based_on_version": _BASED_ON,
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
        responses["409"] = problem_response(
            "Refused by the plan's rules, or based on an older version than the latest "
            "(the problem's current_version says which is)"
        )
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
