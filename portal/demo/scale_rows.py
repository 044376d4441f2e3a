"""The rows of the scaled demo data (`scale.py`): what each generated participant has, table
by table, pointing at the demo's organisations, staff and offer (`World`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from portal.demo.bulk import Bulk
from portal.demo.caseload import MARKED
from portal.holidays import working_days
from portal.hours.service import Month
from portal.participants.search import terms_of

COLUMNS: dict[str, str] = {  # each table's columns written, by name
    "participants": (
        "id personal_number first_name last_name created_at notify_by_email notify_by_sms"
    ),
    "participant_search_terms": "term participant_id",
    "participant_assignments": "participant_id staff_user_id organisation_id",
    "participant_markings": "participant_id marking set_at",
    "participant_teams": "participant_id team_id municipality",
    "participant_latest_events": "participant_id kind at",
    "plan_revisions": "participant_id revision changed_at",
    "plan_goals": "id participant_id kind created_at",
    "plan_goal_versions": (
        "goal_id version text removed changed_at changed_by_name changed_by_staff_id revision"
    ),
    "plan_agreement_versions": (
        "participant_id version text agreed_on agreed_by changed_at changed_by_name "
        "changed_by_staff_id revision"
    ),
    "plan_initiatives": "id participant_id created_at",
    "plan_initiative_versions": (
        "initiative_id version type title content hours_per_week agreed_by start_date end_date "
        "address contact_name contact_phone contact_email purpose cancelled final_status "
        "changed_at changed_by_name changed_by_staff_id revision"
    ),
    "plan_status_entries": (
        "initiative_id entry_date text created_at created_by_name created_by_staff_id revision"
    ),
    "hour_reports": "id participant_id organisation_id year month created_at",
    "hour_report_versions": (
        "id report_id version state draft_data updated_at updated_by_name submitted_at "
        "submitted_by_staff_id"
    ),
    "hour_entries": "version_id day activity activity_label hours",
    "signatures": (
        "id participant_id purpose signed_at text document document_sha256 subject id_token_sha256"
    ),
    "hour_responses": "version_id kind comment responded_at signature_id",
    "bookings": (
        "id offer_id participant_id caseworker_id starts_at ends_at blocked_until status "
        "request_key created_at ended_at"
    ),
    "booking_events": "at event booking_id offer_id participant_id caseworker_id detail",
    "access_log": ("participant_id staff_user_id staff_name organisation_name what at"),
}
OWN_WORK_LABEL = "Own work according to the joint planning with the provider"
INITIATIVES = {  # the demo texts' initiatives, by their type
    "internship": "company_internship",
    "course": "education",
    "guidance": "guidance",
    "job_search": "job_search",
    "mentor": "mentor",
}
LOOKED_AT = ("start", "plan", "plan-editor", "hours", "meetings", "cv", "access-log")
PAST_BOOKINGS = 4


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    organisation_id: int
    organisation: str


@dataclass
class World:
    """What the generated rows point at: the demo's organisations, staff and offer."""

    country: str
    zone: ZoneInfo
    today: dt.date
    now: dt.datetime  # naive UTC
    job_centre: Staff  # the caseworker some of the participants are assigned to
    readers: list[Staff]  # the job centre's staff who open participants' pages
    registrars: list[Staff]  # one per provider
    offer: tuple[int, int, int]  # an individual offer: id, minutes, admin minutes
    taken: set[str]
    texts: dict[str, Any]
    teams: list[tuple[int, str]]  # the demo participants' local teams and municipalities
    caseworkers: list[int] = field(default_factory=list)
    past_slots: list[dt.datetime] = field(default_factory=list)
    future_slots: list[dt.datetime] = field(default_factory=list)

    def utc(self, day: dt.date, hour: float) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(0), self.zone) + dt.timedelta(hours=hour)
        return local.astimezone(dt.UTC).replace(tzinfo=None)


class Block:
    """The rows of a block of generated participants, table by table."""

    def __init__(self, world: World, chance: random.Random, ids: dict[str, int], bulk: Bulk):
        self.world, self.chance, self.ids, self.bulk = world, chance, ids, bulk
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self.revision = 0
        self.last_change = world.now

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table] - 1

    def add(self, table: str, *values: Any) -> None:
        self.rows[table].append(values)

    def participant(self, index: int, size: int, number: str) -> None:
        world, chance, moment = self.world, self.chance, self.bulk.moment
        names = world.texts["caseload"]
        first, last = chance.choice(names["first_names"]), chance.choice(names["last_names"])
        id = self.next_id("participants")
        created = world.now - dt.timedelta(days=chance.randint(200, 900), hours=chance.random())
        self.add("participants", id, number, first, last, moment(created), False, False)
        for term in sorted(terms_of(first, last, number)):
            self.add("participant_search_terms", term, id)
        self.add("participant_assignments", id, None, world.job_centre.organisation_id)
        if index % 100 == 0:
            self.add("participant_assignments", id, world.job_centre.id, None)
        if world.teams:
            self.add("participant_teams", id, *world.teams[index % len(world.teams)])
        if index % 10 == 3:
            self.add("participant_markings", id, MARKED[index % 5], moment(created))
        registrar = world.registrars[index // 2 % len(world.registrars)] if index % 2 == 0 else None
        if registrar:
            self.add("participant_assignments", id, None, registrar.organisation_id)
        self.revision = 0
        initiative, title = self.plan(id, first, created)
        events = [("plan_changed", self.last_change)]
        if registrar:
            events.append(("hours_sent", self.hours(id, registrar, initiative, title)))
        events.append(("meeting", self.meetings(id, index, size)))
        self.access_log(id, registrar)
        kind, at = max(events, key=lambda event: event[1])
        self.add("participant_latest_events", id, kind, moment(at))
        self.add("plan_revisions", id, self.revision, moment(self.last_change))

    def change(self, at: dt.datetime) -> tuple[Any, str, int, int]:
        """The next plan revision, made by the job centre's caseworker at `at`."""
        self.revision += 1
        self.last_change = at
        author = self.world.job_centre
        return self.bulk.moment(at), author.name, author.id, self.revision

    def plan(self, id: int, first: str, created: dt.datetime) -> tuple[int, str]:
        """Two goals, an agreement and three initiatives, most changed once since: about ten
        versions. The initiative hours are registered for, and its title."""
        world, chance, day = self.world, self.chance, self.bulk.day
        plans = world.texts["plans"]
        at = created + dt.timedelta(days=7)
        # At most ten changes follow, all of them before now.
        step = min(dt.timedelta(days=chance.randint(10, 40)), (world.now - at) / 11)
        goal = self.next_id("plan_goals")
        self.add("plan_goals", goal, id, "job", self.bulk.moment(at))
        text = chance.choice([*plans["anna_goals"], plans["bo_goal"]])
        self.add("plan_goal_versions", goal, 1, text, False, *self.change(at))
        agreements = [*plans["anna_agreements"], plans["bo_agreement"]]
        agreed = (at + dt.timedelta(days=1)).date()
        for version in range(1, chance.choice((2, 3))):
            text = chance.choice(agreements).replace("Anna", first).replace("Bo ", f"{first} ")
            at += step
            names = self.change(at)
            self.add("plan_agreement_versions", id, version, text, day(agreed), names[1], *names)
        month = Month.of(world.today)
        for _ in range(3):
            month = month.previous()
        first_initiative = (0, "")
        for number in range(3):
            template = chance.choice(list(INITIATIVES))
            texts = plans[template]
            initiative = self.next_id("plan_initiatives")
            start = (
                month.first if number == 0 else world.today + dt.timedelta(days=number * 45 - 60)
            )
            end = start + dt.timedelta(days=chance.choice((60, 120, 180)))
            self.add("plan_initiatives", initiative, id, self.bulk.moment(at))
            if number == 0:
                first_initiative = (initiative, texts["title"])
                end = max(end, world.today + dt.timedelta(days=30))
            for version in (1, 2):
                at += step
                cancelled = version == 2 and number == 1 and chance.random() < 0.25
                end += dt.timedelta(days=30 * (version - 1))
                self.add(
                    "plan_initiative_versions",
                    initiative,
                    version,
                    INITIATIVES[template],
                    texts["title"],
                    texts.get("content", ""),
                    chance.choice((None, 10, 20, 30)),
                    world.job_centre.name,
                    day(start),
                    day(end),
                    texts.get("address", ""),
                    texts.get("contact_name", ""),
                    texts.get("contact_phone", ""),
                    texts.get("contact_email", ""),
                    texts.get("purpose", ""),
                    cancelled,
                    plans["internship_status"] if cancelled else None,
                    *self.change(at),
                )
            if number == 0:
                at += step
                entry = (at - dt.timedelta(days=1)).date()
                self.add(
                    "plan_status_entries",
                    initiative,
                    day(entry),
                    plans["internship_status"].replace("Anna", first),
                    *self.change(at),
                )
        if chance.random() < 0.5:
            goal = self.next_id("plan_goals")
            at += step
            self.add("plan_goals", goal, id, "progression", self.bulk.moment(at))
            self.add(
                "plan_goal_versions", goal, 1, plans["anna_progression"], False, *self.change(at)
            )
        return first_initiative

    def hours(self, id: int, registrar: Staff, initiative: int, title: str) -> dt.datetime:
        """The last three months' hours from the provider: the earlier two approved (one in ten
        after a correction), the last waiting for approval seven times in ten. When the last
        were sent."""
        world, chance, moment, day = self.world, self.chance, self.bulk.moment, self.bulk.day
        month = Month.of(world.today)
        months: list[Month] = []
        for _ in range(3):
            month = month.previous()
            months.insert(0, month)
        sent = world.now
        for order, month in enumerate(months):
            report = self.next_id("hour_reports")
            third = dt.datetime.combine(month.next().first + dt.timedelta(days=2), dt.time(9))
            sent = min(third, world.now - dt.timedelta(minutes=5))
            self.add(
                "hour_reports",
                report,
                id,
                registrar.organisation_id,
                month.year,
                month.month,
                moment(sent),
            )
            corrected = order < 2 and chance.random() < 0.1
            for version in (1, 2) if corrected else (1,):
                at = sent + dt.timedelta(days=3 * (version - 1))
                row = self.next_id("hour_report_versions")
                self.add(
                    "hour_report_versions",
                    row,
                    report,
                    version,
                    "submitted",
                    "{}",
                    moment(at),
                    registrar.name,
                    moment(at),
                    registrar.id,
                )
                for work_day in working_days(world.country, month.year, month.month):
                    hours = chance.choice((2, 3, 4, 4, 4.5, 5, 6))
                    self.add(
                        "hour_entries", row, day(work_day), f"initiative:{initiative}", title, hours
                    )
                    if chance.random() < 0.4:
                        self.add(
                            "hour_entries",
                            row,
                            day(work_day),
                            "own_work",
                            OWN_WORK_LABEL,
                            chance.choice((1, 1.5, 2)),
                        )
                answered = at + dt.timedelta(days=1)
                if answered > world.now or (order == 2 and chance.random() < 0.7):
                    continue
                if corrected and version == 1:
                    self.add(
                        "hour_responses",
                        row,
                        "not_agreed",
                        "Fel antal timmar",
                        moment(answered),
                        None,
                    )
                    continue
                signature = self.next_id("signatures")
                document = f'{{"report": {report}, "version": {version}}}'
                digest = hashlib.sha256(document.encode()).hexdigest()
                self.add(
                    "signatures",
                    signature,
                    id,
                    "hours_approval.approve",
                    moment(answered),
                    f"{month} version {version}",
                    document,
                    digest,
                    "scale",
                    digest,
                )
                self.add("hour_responses", row, "approved", "", moment(answered), signature)
        return sent

    def meetings(self, id: int, index: int, size: int) -> dt.datetime:
        """Four meetings in the last year and one ahead for one in ten (a cancelled one for the
        others), each with a caseworker of its own at a time of its own. When the last was
        booked."""
        world, moment = self.world, self.bulk.moment
        offer, minutes, admin = world.offer
        caseworkers = len(world.caseworkers)
        latest = world.now - dt.timedelta(days=1000)
        for number in range(PAST_BOOKINGS + 1):
            slot = number * size + index
            status, ended = "booked", None
            if number < PAST_BOOKINGS:
                starts = world.past_slots[slot // caseworkers]
            elif index % 10 == 0:
                slot = index // 10
                starts = world.future_slots[slot // caseworkers]
            else:
                starts = world.past_slots[(slot // caseworkers) % len(world.past_slots)]
                status, ended = "cancelled", moment(starts - dt.timedelta(days=2))
            caseworker = world.caseworkers[slot % caseworkers]
            booked = min(starts - dt.timedelta(days=self.chance.randint(3, 20)), world.now)
            latest = max(latest, booked)
            ends = starts + dt.timedelta(minutes=minutes)
            booking = self.next_id("bookings")
            self.add(
                "bookings",
                booking,
                offer,
                id,
                caseworker,
                moment(starts),
                moment(ends),
                moment(ends + dt.timedelta(minutes=admin)),
                status,
                f"scale-{booking}",
                moment(booked),
                ended,
            )
            self.add(
                "booking_events", moment(booked), "created", booking, offer, id, caseworker, ""
            )
        return latest

    def access_log(self, id: int, registrar: Staff | None) -> None:
        """Twenty openings of the participant's pages by their staff in the last two years."""
        world, chance = self.world, self.chance
        readers = [*world.readers, registrar] if registrar else world.readers
        for _ in range(20):
            reader = chance.choice(readers)
            at = world.now - dt.timedelta(minutes=chance.randint(60, 730 * 1440))
            self.add(
                "access_log",
                id,
                reader.id,
                reader.name,
                reader.organisation,
                chance.choice(LOOKED_AT),
                self.bulk.moment(at),
            )
