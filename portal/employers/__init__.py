"""Employers: log in with an organisation eID, search the CVs participants made searchable,
and ask a participant to get in touch; the participant decides who gets their details."""
