"""Every domain's tables, imported in one place for migrations and tests."""

from portal.audit.models import AccessLogEntry
from portal.auth.models import ApiClient, DevIdpCode, WebSession
from portal.db import Base
from portal.notify.models import OutboxMessage
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
    "DevIdpCode",
    "FormSubmission",
    "Goal",
    "GoalVersion",
    "Initiative",
    "InitiativeVersion",
    "Organisation",
    "OutboxMessage",
    "Participant",
    "ParticipantAssignment",
    "PlanView",
    "StaffAuthorization",
    "StaffUser",
    "StatusEntry",
    "WebSession",
]
