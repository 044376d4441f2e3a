"""Meetings and self-booking: the slot engine (more comes with the booking administration)."""
