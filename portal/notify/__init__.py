"""Notifications: messages to participants by e-mail and SMS, through an outbox and a worker."""
