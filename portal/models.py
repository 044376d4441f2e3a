"""Every domain's tables, imported in one place for migrations and tests."""

from portal.audit.models import AccessLogEntry
from portal.auth.models import DevIdpCode, WebSession
from portal.db import Base
from portal.participants.models import Participant
from portal.staff.models import Organisation, ParticipantAssignment, StaffAuthorization, StaffUser

__all__ = [
    "AccessLogEntry",
    "Base",
    "DevIdpCode",
    "Organisation",
    "Participant",
    "ParticipantAssignment",
    "StaffAuthorization",
    "StaffUser",
    "WebSession",
]
