"""The append-only access log: which staff user read what of a participant, and when; the
participant reads their own log. Other domains write to it through `audit.service`."""
