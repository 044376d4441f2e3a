"""The append-only access log: which staff user read what of a participant, and when."""
