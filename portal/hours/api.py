"""The export API: an API client (e.g. the authority's ESF/SCB reporting) creates an export of
consented, approved hour histories and downloads its rows. The same rules as the staff page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.auth.api_clients import api_endpoint
from portal.auth.models import ApiClient
from portal.hours import exports, service
from portal.hours.export_routes import download
from portal.hours.models import HourExport
from portal.hours.service import Month
from portal.web.api import json_object, problem, problem_response
from portal.web.requests import database


def export_json(export: HourExport, report_count: int) -> dict[str, Any]:
    base = f"/api/v1/exports/{export.id}"
    return {
        "id": export.id,
        "period_start": export.period_start.isoformat(),
        "period_end": export.period_end.isoformat(),
        "created_at": export.created_at.isoformat(),
        "report_count": report_count,
        "csv": base + ".csv",
        "json": base + ".json",
    }


async def create_export(request: Request, client: ApiClient) -> Response:
    body = await json_object(request)
    if isinstance(body, JSONResponse):
        return body
    errors = {}
    months = {}
    for name in ("period_start", "period_end"):
        value = body.get(name)
        month = Month.parse(value) if isinstance(value, str) else None
        if month is None:
            errors[name] = "Must be a month like 2026-01."
        else:
            months[name] = month
    if not errors and months["period_end"] < months["period_start"]:
        errors["period_end"] = "Must be on or after period_start."
    if errors:
        return problem(422, "The period is not valid.", errors)
    async with database(request).transaction() as db:
        export = await exports.create_export(
            db,
            months["period_start"].first,
            months["period_end"].last,
            client.name,
            service.utc_now(),
            client=client.name,
        )
        counts = await exports.report_counts(db, [export.id])
    return JSONResponse(export_json(export, counts[export.id]), status_code=201)


async def export_rows(request: Request, client: ApiClient) -> Response:
    kind = request.path_params["kind"]
    async with database(request).sessions() as db:
        export = await db.scalar(
            select(HourExport).where(
                HourExport.id == request.path_params["export_id"],
                HourExport.created_by_client == client.name,
            )
        )
    if export is None or kind not in ("csv", "json"):
        return problem(404, "No such export of this client.")
    return download(request, export, kind)


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


_MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "examples": ["2026-01"]}

SCHEMAS: dict[str, Any] = {
    "ExportRequest": {
        "type": "object",
        "required": ["period_start", "period_end"],
        "properties": {"period_start": _MONTH, "period_end": _MONTH},
    },
    "Export": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "created_at": {"type": "string", "format": "date-time"},
            "report_count": {"type": "integer"},
            "csv": {"type": "string"},
            "json": {"type": "string"},
        },
    },
}

PATHS: dict[str, Any] = {
    "/exports": {
        "post": {
            "summary": "Export the approved hour histories of the period whose participants' "
            "consent is in force now and that no earlier export contained",
            "requestBody": {
                "required": True,
                **_json({"$ref": "#/components/schemas/ExportRequest"}),
            },
            "responses": {
                "201": {"description": "Created", **_json({"$ref": "#/components/schemas/Export"})},
                "401": problem_response("No valid bearer token"),
                "403": problem_response("The client was not given the scope exports:read"),
                "422": problem_response("Not a valid period"),
            },
        }
    },
    "/exports/{export_id}.{format}": {
        "parameters": [
            {"name": "export_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {
                "name": "format",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": ["csv", "json"]},
            },
        ],
        "get": {
            "summary": "The export's rows: participant, personal number, date, activity, hours",
            "responses": {
                "200": {"description": "The rows, streamed"},
                "404": problem_response("No such export of this client"),
            },
        },
    },
}


def routes() -> list[Route]:
    return [
        Route("/api/v1/exports", api_endpoint(create_export, "exports:read"), methods=["POST"]),
        Route(
            "/api/v1/exports/{export_id:int}.{kind:str}", api_endpoint(export_rows, "exports:read")
        ),
    ]
