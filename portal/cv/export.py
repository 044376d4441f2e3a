"""A participant's CV data in one piece, and as JSON Resume (v1.0.0) where the fields map, with
the rest under "x-portal": the export of all their CV data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portal.cv import mycv, presentation, service
from portal.occupations.service import labels_of
from portal.participants.models import Participant


async def cv_data(db: AsyncSession, participant: Participant, language: str) -> dict[str, Any]:
    """Everything the participant keeps in their CVs, with the occupations' labels in
    `language` (for the PDF and for `resume_json`)."""
    items = await service.sought(db, participant.id)
    return {
        "participant": participant,
        "entries": await mycv.entries(db, participant.id),
        "profile": await mycv.profile_of(db, participant.id),
        "texts": await presentation.texts_of(db, participant.id),
        "items": await presentation.experiences(db, participant.id),
        "sought": items,
        "sought_labels": await labels_of(db, [i.occupation_uri for i in items], language),
    }


def month_text(value: Any) -> str | None:
    return value.strftime("%Y-%m") if value else None


def resume_json(data: dict[str, Any]) -> dict[str, Any]:
    """JSON Resume (v1.0.0) where the fields map; the rest under "x-portal"."""
    participant, profile, texts = data["participant"], data["profile"], data["texts"]
    entries = data["entries"]
    licences = profile.driving_licences if profile else ""

    def of(kind: str) -> list[Any]:
        return [e for e in entries if e.kind == kind]

    return {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": {
            "name": participant.full_name,
            "email": participant.email or None,
            "summary": profile.profile if profile else "",
        },
        "work": [
            {
                "name": e.organisation,
                "position": e.title,
                "startDate": month_text(e.start_month),
                "endDate": None if e.ongoing else month_text(e.end_month),
                "summary": e.description,
            }
            for e in of("work")
        ],
        "education": [
            {
                "institution": e.organisation,
                "area": e.title,
                "studyType": str(mycv.EDUCATION_LEVELS.get(e.level, "")),
                "startDate": month_text(e.start_month),
                "endDate": None if e.ongoing else month_text(e.end_month),
            }
            for e in of("education")
        ],
        "languages": [
            {"language": e.title, "fluency": str(mycv.LANGUAGE_LEVELS.get(e.level, ""))}
            for e in of("language")
        ],
        "x-portal": {
            "drivingLicences": [x for x in licences.split(",") if x],
            "itSkills": profile.it_skills if profile else "",
            "otherCompetences": profile.other_competences if profile else "",
            "searchableByEmployers": bool(profile and profile.searchable),
            "presentationCv": {
                "aboutMe": texts.about_me if texts else "",
                "jobFunctions": texts.job_functions if texts else "",
                "informalCompetencesAndResources": texts.competences if texts else "",
                "experiences": [
                    {
                        "kind": x.kind,
                        "place": x.place,
                        "tasks": x.tasks,
                        "verdict": x.verdict,
                        "why": x.why,
                    }
                    for x in data["items"]
                ],
            },
            "lookingForJobAs": [
                {
                    "occupation": data["sought_labels"].get(i.occupation_uri, i.label),
                    "occupationUri": i.occupation_uri,
                    "trained": i.trained,
                    "experienced": i.experienced,
                    "hoursPerWeek": float(i.hours_per_week),
                    "fullTime": service.is_full_time(i.hours_per_week),
                    "earliestStart": i.earliest_start.isoformat() if i.earliest_start else None,
                    "employmentForm": i.employment_form,
                    "conditions": i.conditions,
                }
                for i in data["sought"]
            ],
        },
    }
