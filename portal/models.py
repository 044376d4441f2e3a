"""Every domain's tables, imported in one place for migrations and tests."""

from portal.audit.models import AccessLogEntry
from portal.auth.models import ApiClient, DevIdpCode, Signature, WebSession
from portal.cv.models import (
    CvEntry,
    CvProfile,
    CvShare,
    CvShareView,
    PresentationCv,
    PresentationExperience,
    SoughtOccupation,
)
from portal.db import Base
from portal.hours.models import (
    ConsentEvent,
    HourEntry,
    HourExport,
    HourExportItem,
    HourReport,
    HourReportVersion,
    HourResponse,
)
from portal.notify.models import OutboxMessage
from portal.occupations.models import Occupation, OccupationImport, OccupationLabel
from portal.participants.models import Participant
from portal.plan.models import (
    AgreementVersion,
    Goal,
    GoalVersion,
    Initiative,
    InitiativeVersion,
    PlanView,
    StatusEntry,
)
from portal.staff.models import Organisation, ParticipantAssignment, StaffAuthorization, StaffUser
from portal.web.models import FormSubmission

__all__ = [
    "AccessLogEntry",
    "AgreementVersion",
    "ApiClient",
    "Base",
    "ConsentEvent",
    "CvEntry",
    "CvProfile",
    "CvShare",
    "CvShareView",
    "DevIdpCode",
    "FormSubmission",
    "Goal",
    "GoalVersion",
    "HourEntry",
    "HourExport",
    "HourExportItem",
    "HourReport",
    "HourReportVersion",
    "HourResponse",
    "Initiative",
    "InitiativeVersion",
    "Occupation",
    "OccupationImport",
    "OccupationLabel",
    "Organisation",
    "OutboxMessage",
    "Participant",
    "ParticipantAssignment",
    "PlanView",
    "PresentationCv",
    "PresentationExperience",
    "Signature",
    "SoughtOccupation",
    "StaffAuthorization",
    "StaffUser",
    "StatusEntry",
    "WebSession",
]
