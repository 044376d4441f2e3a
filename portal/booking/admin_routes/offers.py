"""Meeting offers with every rule of SPEC 4, their group times, variants of the meeting types, and
templates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import admin, offers
from portal.booking.admin_routes.common import (
    BASE,
    EditForm,
    done,
    field_labels,
    form_page,
    found,
    page,
    place_of,
    save_once,
    team_options,
)
from portal.booking.bookings import MARKINGS, MEETING_TYPES
from portal.booking.free_times import team_parents
from portal.booking.models import (
    Caseworker,
    GroupSession,
    MeetingOffer,
    MeetingTypeVariant,
    OfferCaseworker,
    OfferTemplate,
    Room,
    RoomTeam,
    TeamMember,
)
from portal.staff.service import WRITE, allows
from portal.web.forms import (
    Errors,
    Fields,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database, today

OFFER_LABELS = {
    "title": _("Title"),
    "description": _("Description for the participant"),
    "meeting_type": _("Meeting type"),
    "variant_id": _("Variant of the meeting type"),
    "template_name": _("Name of a new template"),
    "team_id": _("Team"),
    "room_id": _("Meeting room"),
    "kind": _("Individual or group meeting"),
    "caseworker_ids": _("Caseworkers"),
    "duration_minutes": _("Length of the meeting (minutes)"),
    "admin_minutes": _("Post-meeting admin time (minutes)"),
    "rebook_days_before": _("Rebooking allowed until how many days before"),
    "first_date": _("First meeting date"),
    "fixed_end": _("Fixed end date"),
    "rolling_weeks": _("Rolling end (whole weeks from today)"),
    "visible_from": _("Visible to participants from"),
    "seats": _("Number of seats (instead of the room's)"),
    "group_times": _("Times of the group meeting"),
    "eligible_marking": _("Only participants with the marking"),
    "eligible_team_id": _("Only participants served by the team"),
    "eligible_municipality": _("Only participants living in the municipality"),
}

VARIANT_LABELS = {
    "name": _("Name of the variant"),
    "meeting_types": _("For the meeting types"),
    "team_ids": _("For the teams"),
}


# --- offers ----------------------------------------------------------------------------------


async def offer_choices(db: Any) -> offers.OfferChoices:
    teams = await admin.teams_by_id(db)
    rooms = {room.id: room for room in await db.scalars(select(Room).where(Room.usable))}
    caseworkers = {c.id: c for c in await db.scalars(select(Caseworker).order_by(Caseworker.name))}
    team_of: dict[int, set[int]] = {}
    for member in await db.scalars(select(TeamMember).where(TeamMember.takes_bookings)):
        team_of.setdefault(member.caseworker_id, set()).add(member.team_id)
    variants = await admin.variant_rules(db)
    room_teams: dict[int, set[int]] = {}
    for row in await db.scalars(select(RoomTeam)):
        room_teams.setdefault(row.room_id, set()).add(row.team_id)
    return offers.OfferChoices(
        teams,
        rooms,
        caseworkers,
        team_of,
        MARKINGS,
        variants,
        room_teams,
        await team_parents(db),
    )


async def offer_page(
    request: Request,
    staff: StaffIdentity,
    offer: MeetingOffer | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
    **context: Any,
) -> Response:
    async with database(request).sessions() as db:
        choices = await offer_choices(db)
        teams = admin.tree(list(choices.teams.values()))
        variants = list(
            await db.scalars(select(MeetingTypeVariant).order_by(MeetingTypeVariant.name))
        )
        templates = list(await db.scalars(select(OfferTemplate).order_by(OfferTemplate.name)))
    names = {t.id: t.name for t, _depth in teams}
    return page(
        request,
        staff,
        "booking/admin/offer_form.html",
        status_code=status_code,
        offer=offer,
        values=values,
        errors=errors,
        labels=field_labels(OFFER_LABELS),
        team_options=team_options(teams),
        room_options=[(str(r.id), r.name) for r in choices.rooms.values()],
        caseworkers=[
            (
                str(c.id),
                c.name,
                ", ".join(
                    names[t]
                    for t in sorted(choices.team_of_caseworkers.get(c.id, ()))
                    if t in names
                ),
            )
            for c in choices.caseworkers.values()
        ],
        chosen_caseworkers=set(values.get("caseworker_ids") or []),
        type_options=[(code, label) for code, label in MEETING_TYPES.items()],
        variant_options=[(str(v.id), v.name) for v in variants],
        templates=[(str(t.id), t.name) for t in templates],
        marking_options=[(code, label) for code, label in MARKINGS.items()],
        saved=request.query_params.get("saved"),
        **context,
    )


async def group_times_text(db: Any, offer: MeetingOffer, request: Request) -> str:
    zone = place_of(request).zone
    starts = await db.scalars(
        select(GroupSession.starts_at)
        .where(GroupSession.offer_id == offer.id)
        .order_by(GroupSession.starts_at)
    )
    return "\n".join(s.astimezone(zone).strftime("%Y-%m-%d %H:%M") for s in starts)


NEW_OFFER = {
    "kind": "individual",
    "duration_minutes": "30",
    "admin_minutes": "0",
    "rebook_days_before": "1",
    "rolling_weeks": "4",
    "accept_cancellation": "yes",
    "accept_rebooking": "yes",
    "active": "yes",
}


async def _offer_values(db: Any, request: Request, offer: MeetingOffer | None) -> dict[str, Any]:
    """A saved offer's answers; a new one's defaults, or a chosen template's."""
    if offer is not None:
        chosen = await db.scalars(
            select(OfferCaseworker.caseworker_id).where(OfferCaseworker.offer_id == offer.id)
        )
        return offers.offer_values(offer, list(chosen), await group_times_text(db, offer, request))
    templates = {t: 1 for t in await db.scalars(select(OfferTemplate.id))}
    template_id = Fields(request.query_params).one_of("template", templates, False)
    if template_id is None:
        return dict(NEW_OFFER)
    template = await db.get_one(OfferTemplate, template_id)
    return {**NEW_OFFER, **template.values, "from_template": template.name}


async def _check_offer(db: Any, request: Request, form: dict[str, Any], offer: Any) -> Any:
    choices = await offer_choices(db)
    zone = place_of(request).zone
    return offers.parse_offer(form, form["caseworker_ids"], choices, zone, today(request))


async def _save_offer(db: Any, request: Request, checked: Any, offer: Any) -> Any:
    result = await offers.save_offer(db, checked, offer, place_of(request).zone)
    if isinstance(result, dict):
        return result
    saved, kept = result
    return saved, "offer_kept" if kept else "offer"


async def _save_as_template(
    request: Request, staff: StaffIdentity, offer: Any, form: dict[str, Any]
) -> Response | None:
    """ "Save as template" keeps the form's answers, checked as an offer, under a name."""
    if form.get("action") != "template":
        return None
    if not allows(staff.roles, "booking_admin", WRITE):
        raise HTTPException(404)
    async with database(request).sessions() as db:
        _checked, errors = await _check_offer(db, request, form, offer)
    name = Fields(form).text("template_name", 200)
    if not name:
        errors["template_name"] = gettext("Give the template a name.")
    if errors:
        return await offer_page(request, staff, offer, form, errors, 400)

    async def keep(db: Any) -> OfferTemplate | Errors:
        return await admin.save_template(db, name, form, staff.user.id)

    kept_as = await save_once(request, form, False, keep)
    if isinstance(kept_as, dict):
        return await offer_page(request, staff, offer, form, kept_as, 400)
    return await offer_page(request, staff, offer, form, {}, saved_template=name)


offer_form = EditForm(
    MeetingOffer,
    "offer_id",
    "offers",
    offer_page,
    _offer_values,
    _check_offer,
    _save_offer,
    ("caseworker_ids",),
    _save_as_template,
)
"""New offer (from a template when one is chosen), or a change of one."""


# --- meeting type variants and templates ----------------------------------------------------


async def variant_page(
    request: Request,
    staff: StaffIdentity,
    variant: MeetingTypeVariant | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    return await form_page(
        request,
        staff,
        "booking/admin/variant_form.html",
        values,
        errors,
        VARIANT_LABELS,
        status_code,
        variant=variant,
        type_options=list(MEETING_TYPES.items()),
    )


async def _variant_values(
    db: Any, request: Request, variant: MeetingTypeVariant | None
) -> dict[str, Any]:
    if variant is None:
        return {}
    types, teams = (await admin.variant_rules(db))[variant.id]
    return {
        "name": variant.name,
        "meeting_types": sorted(types),
        "team_ids": [str(t) for t in sorted(teams)],
    }


async def _check_variant(db: Any, request: Request, form: dict[str, Any], variant: Any) -> Any:
    teams = await admin.teams_by_id(db)
    return admin.parse_variant(form, form["meeting_types"], form["team_ids"], teams)


async def _save_variant(db: Any, request: Request, checked: Any, variant: Any) -> Any:
    saved = await admin.save_variant(db, checked, variant)
    return saved if isinstance(saved, dict) else (saved, "variant")


variant_form = EditForm(
    MeetingTypeVariant,
    "variant_id",
    "variants",
    variant_page,
    _variant_values,
    _check_variant,
    _save_variant,
    ("meeting_types", "team_ids"),
)


async def delete_template(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).transaction() as db:
        template = await found(db, OfferTemplate, request, "template_id")
        await db.delete(template)
    return done(f"{BASE}/", "template_deleted")
