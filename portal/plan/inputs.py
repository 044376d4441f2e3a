"""What a valid goal, agreement, status and initiative is: the limits stated on the forms, and
parsing a form or a case system's JSON into checked input, with one message per field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.support import LazyProxy

from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

INITIATIVE_TYPES: dict[str, LazyProxy] = {
    "company_internship": _("Company internship"),
    "wage_subsidy": _("Wage subsidy job"),
    "flex_job": _("Flex job"),
    "education": _("Education or course"),
    "guidance": _("Guidance and upskilling"),
    "mentor": _("Mentor"),
    "job_search": _("Job-search activity"),
    "other": _("Other initiative"),
}


# Stated on the forms and enforced here; nothing is ever cut short silently.
LIMITS = {
    "goal_text": 200,
    "agreement_text": 2000,
    "agreed_by": 200,
    "title": 120,
    "content": 2000,
    "address": 300,
    "contact_name": 200,
    "contact_phone": 30,
    "contact_email": 254,
    "purpose": 2000,
    "status_text": 1000,
    "final_status": 2000,
    "external_id": 100,
}
MAX_HOURS_PER_WEEK = Decimal(40)


# ---------------------------------------------------------------- parsing and validation


@dataclass(frozen=True)
class InitiativeInput:
    type: str
    title: str
    content: str
    hours_per_week: Decimal | None
    agreed_by: str
    start_date: dt.date
    end_date: dt.date | None
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    purpose: str


def parse_initiative(source: Mapping[str, Any]) -> tuple[InitiativeInput | None, Errors]:
    f = Fields(source)
    values: dict[str, Any] = {
        "type": f.choice("type", INITIATIVE_TYPES),
        "title": f.text("title", LIMITS["title"]),
        "content": f.text("content", LIMITS["content"]),
        "hours_per_week": f.decimal("hours_per_week", MAX_HOURS_PER_WEEK),
        "agreed_by": f.text("agreed_by", LIMITS["agreed_by"]),
        "start_date": f.date("start_date"),
        "end_date": f.date("end_date", required=False),
        "address": f.text("address", LIMITS["address"], required=False),
        "contact_name": f.text("contact_name", LIMITS["contact_name"], required=False),
        "contact_phone": f.phone("contact_phone", LIMITS["contact_phone"]),
        "contact_email": f.email("contact_email", LIMITS["contact_email"]),
        "purpose": f.text("purpose", LIMITS["purpose"]),
    }
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start and "end_date" not in f.errors:
        f.errors["end_date"] = gettext("The end date cannot be before the start date.")
    if f.errors:
        return None, f.errors
    return InitiativeInput(**values), {}


@dataclass(frozen=True)
class GoalInput:
    text: str
    occupation_uri: str | None


def parse_goal(source: Mapping[str, Any]) -> tuple[GoalInput | None, Errors]:
    f = Fields(source)
    text = f.text("text", LIMITS["goal_text"])
    uri = source.get("occupation_uri") or None
    if uri is not None and (not isinstance(uri, str) or len(uri) > 200):
        f.errors["occupation_uri"] = gettext("Must be an occupation from the list.")
    if f.errors:
        return None, f.errors
    return GoalInput(text, uri), {}


@dataclass(frozen=True)
class AgreementInput:
    text: str
    agreed_on: dt.date
    agreed_by: str


def parse_agreement(
    source: Mapping[str, Any], today: dt.date
) -> tuple[AgreementInput | None, Errors]:
    f = Fields(source)
    text = f.text("text", LIMITS["agreement_text"])
    agreed_on = f.date("agreed_on")
    agreed_by = f.text("agreed_by", LIMITS["agreed_by"])
    if agreed_on and agreed_on > today and "agreed_on" not in f.errors:
        f.errors["agreed_on"] = gettext("An agreement cannot be dated in the future.")
    if f.errors or agreed_on is None:
        return None, f.errors
    return AgreementInput(text, agreed_on, agreed_by), {}


@dataclass(frozen=True)
class StatusInput:
    text: str
    entry_date: dt.date


def parse_status(source: Mapping[str, Any], today: dt.date) -> tuple[StatusInput | None, Errors]:
    f = Fields(source)
    text = f.text("text", LIMITS["status_text"])
    entry_date = f.date("entry_date")
    if entry_date and entry_date > today and "entry_date" not in f.errors:
        f.errors["entry_date"] = gettext("A status cannot be dated in the future.")
    if f.errors or entry_date is None:
        return None, f.errors
    return StatusInput(text, entry_date), {}


def parse_final_status(source: Mapping[str, Any]) -> tuple[str | None, Errors]:
    f = Fields(source)
    text = f.text("final_status", LIMITS["final_status"])
    return (None, f.errors) if f.errors else (text, {})
