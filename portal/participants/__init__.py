"""Participants: the people the portal serves, identified by personal number; their start
page and settings, and the mounting of every participant page for them and, read-only, for
staff (`pages`)."""

# Keeps every participant's search terms as participants are written (mapper events).
from portal.participants import search as _search  # noqa: F401
