"""Reminders through the outbox: subscribing, queueing on a plan change, sending, retrying."""

from __future__ import annotations

import datetime as dt
import re
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from portal.db import Database
from portal.notify.worker import deliver_due, senders
from portal.settings import Settings
from tests.conftest import log_in, run_in_own_thread


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


def deliver(settings: Settings) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        database = Database(settings.database_url)
        try:
            return await deliver_due(database, senders(settings))
        finally:
            await database.dispose()

    return run_in_own_thread(run())


def sql(settings: Settings, statement: str, **params: Any) -> list[Any]:
    url = settings.database_url
    if url.startswith("postgresql"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url)
    with engine.begin() as connection:
        result = connection.execute(text(statement), params)
        rows = list(result) if result.returns_rows else []
    engine.dispose()
    return rows


def subscribe_bo(client: TestClient, email: str, phone: str = "") -> None:
    log_in(client, "bo")
    form = {"notify_by_email": "on", "notify_email": email}
    if phone:
        form.update(notify_by_sms="on", notify_phone=phone)
    response = client.post("/settings/notifications", data=form)
    assert "Your reminder choices are saved." in response.text
    client.cookies.clear()


def add_goal_for_bo(client: TestClient) -> None:
    log_in(client, "lars", staff=True)
    page = client.get("/staff/", params={"q": "Bo Berg"}).text
    bo = re.search(r'href="/staff/participants/(\d+)">Bo Berg<', page)
    assert bo
    base = f"/staff/participants/{bo.group(1)}/edit-plan"
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(base + "/goals/new").text)
    assert token
    client.post(
        base + "/goals/new",
        data={"text": f"Goal {uuid.uuid4().hex[:6]}", "form_token": token.group(1)},
    )
    client.cookies.clear()


def waiting_for_bo(settings: Settings) -> list[Any]:
    return sql(
        settings,
        "SELECT o.channel, o.recipient, o.subject, o.attempts, o.sent_at, o.next_attempt_at "
        "FROM outbox o JOIN participants p ON p.id = o.participant_id "
        "WHERE p.first_name = 'Bo' AND o.sent_at IS NULL ORDER BY o.id",
    )


def test_the_settings_form_refuses_a_channel_without_address_and_keeps_the_input(
    client: TestClient,
) -> None:
    log_in(client, "bo")
    response = client.post(
        "/settings/notifications",
        data={"notify_by_sms": "on", "notify_phone": "call me", "notify_email": "bo@"},
    )
    assert response.status_code == 400
    assert 'href="#notify_phone"' in response.text and 'href="#notify_email"' in response.text
    assert 'value="call me"' in response.text and 'value="bo@"' in response.text
    assert 'id="notify_by_sms" name="notify_by_sms" checked' in response.text


def test_a_plan_change_is_sent_by_email_and_sms_once_per_waiting_message(
    client: TestClient, settings: Settings, smtp: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, inbox = smtp
    worker_settings = replace(settings, smtp_url=url, var_dir=str(tmp_path))
    deliver(worker_settings)  # whatever earlier tests left
    inbox.messages.clear()
    # Bo has no language of his own here, whichever test chose one for him before.
    sql(settings, "UPDATE participants SET language = NULL WHERE first_name = 'Bo'")
    subscribe_bo(client, "bo.berg@example.org", "+46 70 123 45 67")
    add_goal_for_bo(client)
    add_goal_for_bo(client)  # a second change while the first message waits: no second one
    assert [row.channel for row in waiting_for_bo(settings)] == ["email", "sms"]
    sent, failed = deliver(worker_settings)
    assert (sent, failed) == (2, 0)
    assert [m.rcpt_tos for m in inbox.messages] == [["bo.berg@example.org"]]
    mail = message_from_bytes(inbox.messages[0].content, policy=policy.default)
    assert mail["Subject"] == "Din plan har ändrats"  # Bo chose no language: the country's
    body = mail.get_content()
    assert "http://testserver/plan" in body
    assert "Goal" not in body and "Lagerarbetare" not in body  # no plan details in mail
    assert "+46 70 123 45 67" in (tmp_path / "sms.log").read_text()
    assert waiting_for_bo(settings) == []


def test_a_failing_mail_server_keeps_the_message_and_retries_later(
    client: TestClient, settings: Settings, smtp: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, inbox = smtp
    deliver(replace(settings, smtp_url=url, var_dir=str(tmp_path)))
    subscribe_bo(client, "bo.retry@example.org")
    add_goal_for_bo(client)
    broken = replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}", var_dir=str(tmp_path))
    assert deliver(broken) == (0, 1)
    [row] = waiting_for_bo(settings)
    assert row.attempts == 1 and row.sent_at is None
    assert deliver(replace(settings, smtp_url=url, var_dir=str(tmp_path))) == (0, 0)  # not yet due
    sql(
        settings,
        "UPDATE outbox SET next_attempt_at = :t WHERE sent_at IS NULL",
        t=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
    )
    inbox.messages.clear()
    assert deliver(replace(settings, smtp_url=url, var_dir=str(tmp_path))) == (1, 0)
    assert [m.rcpt_tos for m in inbox.messages] == [["bo.retry@example.org"]]


def test_a_participant_without_reminders_gets_no_message(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "bo")
    client.post("/settings/notifications", data={})
    client.cookies.clear()
    add_goal_for_bo(client)
    assert waiting_for_bo(settings) == []


def test_a_new_or_changed_initiative_queues_the_reminder_like_every_plan_change(
    client: TestClient, settings: Settings
) -> None:
    sql(settings, "UPDATE outbox SET sent_at = :t WHERE sent_at IS NULL", t=dt.datetime.now(dt.UTC))
    subscribe_bo(client, "bo.initiative@example.org")
    log_in(client, "lars", staff=True)
    listed = client.get("/staff/", params={"q": "Bo Berg"}).text
    bo = re.search(r'href="/staff/participants/(\d+)">Bo Berg<', listed)
    assert bo
    base = f"/staff/participants/{bo.group(1)}/edit-plan"
    form = client.get(base + "/initiatives/new").text
    token = re.search(r'name="form_token" value="([^"]+)"', form)
    assert token
    today = dt.datetime.now(dt.UTC).date()
    created = client.post(
        base + "/initiatives/new",
        data={
            "type": "job_search",
            "title": f"Search {uuid.uuid4().hex[:6]}",
            "content": "Two applications a week.",
            "agreed_by": "Lars",
            "start_date": today.isoformat(),
            "purpose": "To find a job.",
            "form_token": token.group(1),
        },
    )
    assert created.status_code == 200
    assert [row.channel for row in waiting_for_bo(settings)] == ["email"]


def test_the_worker_purges_ended_and_expired_sessions(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.notify import worker

    async def nothing_to_send(*_args: Any) -> tuple[int, int]:
        return 0, 0

    monkeypatch.setattr(worker, "deliver_due", nothing_to_send)
    now = dt.datetime.now(dt.UTC)
    for name, seen, revoked in (
        ("expired", now - dt.timedelta(days=1), None),
        ("revoked", now, now),
        ("alive", now, None),
    ):
        sql(
            settings,
            "INSERT INTO web_sessions (id, data, created_at, last_seen_at, revoked_at)"
            " VALUES (:id, '{}', :seen, :seen, :revoked)",
            id=f"purge-test-{name}",
            seen=seen,
            revoked=revoked,
        )
    run_in_own_thread(worker.run_worker(settings, once=True))
    left = sql(settings, "SELECT id FROM web_sessions WHERE id LIKE 'purge-test-%'")
    assert [row[0] for row in left] == ["purge-test-alive"]


def test_several_workers_at_once_send_each_message_exactly_once(
    settings: Settings, smtp: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, inbox = smtp
    worker_settings = replace(settings, smtp_url=url, var_dir=str(tmp_path))
    deliver(worker_settings)  # whatever earlier tests left
    inbox.messages.clear()
    run = uuid.uuid4().hex[:8]
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    for n in range(30):
        sql(
            settings,
            "INSERT INTO outbox (kind, channel, recipient, subject, body, created_at, attempts, "
            "next_attempt_at) VALUES ('plan_changed', 'email', :to, 'Hej', 'Text', :t, 0, :t)",
            to=f"worker-{run}-{n}@example.org",
            t=now,
        )
    with ThreadPoolExecutor(max_workers=3) as pool:  # three worker processes' worth
        results = list(pool.map(lambda _: deliver(worker_settings), range(3)))
    assert sum(sent for sent, _ in results) == 30 and all(f == 0 for _, f in results)
    recipients = [to for m in inbox.messages for to in m.rcpt_tos if run in to]
    assert sorted(recipients) == sorted(f"worker-{run}-{n}@example.org" for n in range(30))
    unsent = sql(settings, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    assert unsent[0][0] == 0
