"""Participants: the people the portal serves, identified by personal number; their start
page and settings, and the mounting of every participant page for them and, read-only, for
staff (`pages`)."""
