"""What the CV pages share: the labels and choices their templates are given, and the
occupation search."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from portal.cv import mycv, presentation, service
from portal.cv.service import CONDITIONS, EMPLOYMENT_FORMS
from portal.occupations.search import Hit
from portal.occupations.service import Indexes
from portal.web.i18n import current_language
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database

LABELS = {
    "trained": _("Are you trained in it?"),
    "experienced": _("Do you have experience in it?"),
    "hours_per_week": _("Hours per week you want to work"),
    "start": _("When can you start?"),
    "earliest_start": _("Earliest start date"),
    "employment_form": _("Form of employment"),
    "conditions": _("Employment conditions"),
}
INDEXES = Indexes()


def cv_labels() -> dict[str, Any]:
    return {
        "kinds": mycv.KINDS,
        "education_levels": mycv.EDUCATION_LEVELS,
        "language_levels": mycv.LANGUAGE_LEVELS,
        "driving_licences": mycv.DRIVING_LICENCES,
    }


def presentation_labels() -> dict[str, Any]:
    return {
        "experience_kinds": presentation.EXPERIENCE_KINDS,
        "verdicts": presentation.VERDICTS,
        "share_state": presentation.share_state,
        "max_days": presentation.MAX_DAYS,
    }


def choices() -> dict[str, Any]:
    return {
        "employment_forms": EMPLOYMENT_FORMS,
        "conditions": CONDITIONS,
        "is_full_time": service.is_full_time,
    }


async def search(request: Request, query: str) -> list[Hit]:
    return await INDEXES.search(database(request), current_language.get(), query)
