"""`portal worker`: sends what waits in the outbox. E-mail by SMTP; SMS by a pluggable sender
(the development one appends to a log file). A failure leaves the message for a later try."""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from portal.auth.sessions import purge_expired
from portal.db import Database, utcnow
from portal.notify.models import OutboxMessage
from portal.notify.service import claim_message, due_messages, record_attempt
from portal.reports.reminders import send_daily_digests
from portal.settings import Settings
from portal.web.ratelimit import purge_rate_limits

log = logging.getLogger("portal.worker")


class Sender(Protocol):
    async def send(self, message: OutboxMessage) -> None: ...


class SmtpSender:
    """smtp://host:port (plain), smtp+starttls://…, smtps://… (TLS); user:password@ optional."""

    def __init__(self, url: str, sender_address: str) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "127.0.0.1"
        self.use_tls = parts.scheme == "smtps"
        self.start_tls = True if parts.scheme == "smtp+starttls" else None
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender_address = sender_address

    async def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.sender_address
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email.set_content(message.body)
        await aiosmtplib.send(
            email,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=20,
        )


class LogSmsSender:
    """Development SMS: one line per message in var/sms.log; nothing leaves the machine."""

    def __init__(self, settings: Settings) -> None:
        self.path = Path(settings.var_dir) / "sms.log"

    async def send(self, message: OutboxMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = f"{utcnow().isoformat()}\t{message.recipient}\t{message.body}\n"
        with self.path.open("a", encoding="utf-8") as log_file:
            log_file.write(line)


def sms_sender(settings: Settings) -> Sender:
    if settings.sms_sender == "log":
        return LogSmsSender(settings)
    module_name, _, class_name = settings.sms_sender.partition(":")
    sender_class = getattr(importlib.import_module(module_name), class_name)
    sender: Sender = sender_class(settings)
    return sender


def senders(settings: Settings) -> dict[str, Sender]:
    return {
        "email": SmtpSender(settings.smtp_url, settings.mail_from),
        "sms": sms_sender(settings),
    }


async def deliver_due(database: Database, by_channel: dict[str, Sender]) -> tuple[int, int]:
    """Send what is due: each message claimed in a transaction of its own (so several workers
    at once never send one twice), sent with no transaction open, and its outcome written in
    another; (sent, failed)."""
    sent = failed = 0
    async with database.transaction() as db:
        ids = [message.id for message in await due_messages(db, utcnow())]
    for message_id in ids:
        async with database.transaction() as db:
            message = await claim_message(db, message_id, utcnow())
        if message is None:
            continue  # another worker has it
        try:
            await by_channel[message.channel].send(message)
        except Exception as exc:  # any failure: keep the message, try again later
            log.warning("sending message %s failed: %s", message.id, exc)
            error: str | None = f"{type(exc).__name__}: {exc}"
            failed += 1
        else:
            error = None
            sent += 1
        async with database.transaction() as db:
            claimed = await db.get(OutboxMessage, message_id)
            if claimed is not None:
                record_attempt(claimed, utcnow(), error)
    return sent, failed


PURGE_EVERY = 600.0  # seconds between purges of sessions that can no longer be used


async def run_worker(settings: Settings, once: bool = False, interval: float = 5.0) -> None:
    """Round after round: the daily report e-mails, the outbox, and now and then the purge of
    ended and expired sessions."""
    database = Database(settings.database_url)
    by_channel = senders(settings)
    purged_at = 0.0
    try:
        while True:
            if time.monotonic() - purged_at >= PURGE_EVERY or once:
                purged = await purge_expired(database, settings)
                purged_at = time.monotonic()
                if purged:
                    log.info("sessions: %s ended or expired ones purged", purged)
                await purge_rate_limits(database)
            digests = await send_daily_digests(database, settings)
            if digests:
                log.info("report reminders: %s daily e-mails queued", digests)
            sent, failed = await deliver_due(database, by_channel)
            if sent or failed:
                log.info("outbox: %s sent, %s failed (to retry)", sent, failed)
            if once:
                return
            await asyncio.sleep(interval)
    finally:
        await database.dispose()
