"""Participants: the people the portal serves, identified by personal number."""
