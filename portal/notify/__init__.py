"""Notifications: messages to participants (e-mail, SMS) and to teams (e-mail), queued in the
outbox by the services that change something, and sent by the worker with retries."""
