"""The employers' rules: organisation numbers, pseudonyms, places, the ranking of a search,
and the life cycle of a contact request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.areas import distance_km, places
from portal.auth.sessions import idle_limit
from portal.cv.bank import Wish
from portal.employers.contact import may_ask_again, parse_request, status_of
from portal.employers.identity import (
    normalise_organisation_number,
    pseudonym,
    pseudonym_label,
    subject_key,
)
from portal.employers.models import ContactRequest
from portal.employers.ranking import Criteria, rank, score
from portal.employers.search import parse_criteria
from portal.settings import Settings

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.mark.parametrize(
    ("country", "text", "expected"),
    [
        ("DK", "12345674", "12345674"),
        ("DK", "1234 5674", "12345674"),
        ("DK", "12345675", None),  # wrong check
        ("DK", "02345678", None),  # a CVR number never starts with 0
        ("DK", "1234567", None),
        ("SE", "556123-4567", "5561234567"),
        ("SE", "165561234567", "5561234567"),  # with the "16" prefix
        ("SE", "5561234568", None),  # wrong check digit
        ("SE", "55612345", None),
        ("SE", "abc", None),
        ("SE", "", None),
    ],
)
def test_organisation_numbers_are_checked_by_their_check_digit(
    country: str, text: str, expected: str | None
) -> None:
    assert normalise_organisation_number(country, text) == expected


def test_a_pseudonym_is_stable_for_one_organisation_and_differs_between_them() -> None:
    first = pseudonym("secret", 1, 42)
    assert first == pseudonym("secret", 1, 42)
    assert first != pseudonym("secret", 2, 42)
    assert first != pseudonym("secret", 1, 43)
    assert first != pseudonym("another secret", 1, 42)
    assert len(first) == 10 and first.isalnum() and first.upper() == first
    assert pseudonym_label("ABCDEFGHIJ") == "ABCDE-FGHIJ"


def test_a_person_is_known_by_issuer_and_subject_together() -> None:
    assert subject_key("https://a", "1") != subject_key("https://b", "1")
    assert len(subject_key("https://a", "1")) == 64


def test_places_are_found_by_postcode_or_town_and_measured_in_kilometres() -> None:
    denmark, sweden = places("DK"), places("SE")
    aarhus = denmark.find("8000")
    assert aarhus is not None and aarhus.town == "Aarhus C"
    assert denmark.find("aarhus c") == aarhus
    stockholm = sweden.find("113 51")
    assert stockholm is not None and stockholm.label("SE") == "113 51 Stockholm"
    assert sweden.find("umeå") is not None
    assert denmark.find("9999") is None and denmark.find("Atlantis") is None
    copenhagen = denmark.find("1050")
    assert copenhagen is not None
    km = distance_km(copenhagen.latitude, copenhagen.longitude, aarhus.latitude, aarhus.longitude)
    assert 150 < km < 165  # about 157 km as the crow flies


def wish(participant_id: int, **values: object) -> Wish:
    defaults: dict[str, object] = {
        "participant_id": participant_id,
        "trained": False,
        "experienced": False,
        "hours_per_week": Decimal(37),
        "earliest_start": None,
        "employment_form": "permanent",
        "latitude": 56.151,
        "longitude": 10.278,
    }
    return Wish(**{**defaults, **values})  # type: ignore[arg-type]


def test_trained_and_experienced_job_seekers_rank_first() -> None:
    criteria = Criteria("uri")
    found = rank(
        [wish(1), wish(2, trained=True, experienced=True), wish(3, trained=True)], criteria
    )
    assert [h.wish.participant_id for h in found] == [2, 3, 1]
    assert found[0].reasons == ("trained", "experienced")


def test_the_hours_wanted_closest_to_those_offered_rank_higher() -> None:
    criteria = Criteria("uri", hours=Decimal(20))
    found = rank(
        [wish(1, hours_per_week=Decimal(40)), wish(2, hours_per_week=Decimal(22))], criteria
    )
    assert [h.wish.participant_id for h in found] == [2, 1]
    assert "hours" in found[0].reasons and "hours" not in found[1].reasons


def test_who_can_start_in_time_ranks_above_who_starts_later() -> None:
    start = TODAY + dt.timedelta(days=30)
    late = wish(1, earliest_start=start + dt.timedelta(days=45))
    in_time = wish(2, earliest_start=start - dt.timedelta(days=1))
    found = rank([late, in_time], Criteria("uri", start=start))
    assert [h.wish.participant_id for h in found] == [2, 1]
    assert score(late, Criteria("uri", start=start), None)[0] > 0  # later, but still shown


def test_the_form_of_employment_wanted_counts() -> None:
    found = rank(
        [wish(1, employment_form="temporary"), wish(2, employment_form="seasonal")],
        Criteria("uri", employment_form="seasonal"),
    )
    assert [h.wish.participant_id for h in found] == [2, 1]


def test_an_area_search_keeps_only_those_within_the_distance_nearest_first() -> None:
    odense = places("DK").find("5000")
    assert odense is not None
    near = wish(1, latitude=odense.latitude + 0.05, longitude=odense.longitude)  # about 5.6 km
    far = wish(2, latitude=56.151, longitude=10.278)  # Aarhus, about 100 km
    nowhere = wish(3, latitude=None, longitude=None)  # said no place
    nearer = wish(4, latitude=odense.latitude, longitude=odense.longitude)
    found = rank([near, far, nowhere, nearer], Criteria("uri", place=odense, km=25))
    assert [h.wish.participant_id for h in found] == [4, 1]
    assert found[1].distance is not None and 5 < found[1].distance < 6.5


def test_equal_matches_keep_a_stable_order() -> None:
    found = rank([wish(3), wish(1), wish(2)], Criteria("uri"))
    assert [h.wish.participant_id for h in found] == [1, 2, 3]


def test_search_criteria_are_checked_with_messages_for_each_field() -> None:
    criteria, errors = parse_criteria(
        {"uri": "u", "area": "Atlantis", "hours": "many", "start": "2020-01-01", "form": "x"},
        "DK",
        TODAY,
    )
    assert criteria is None
    assert set(errors) == {"area", "hours", "start", "form"}
    criteria, errors = parse_criteria(
        {"uri": "u", "area": "8000", "km": "50", "hours": "30,5", "start": ""}, "DK", TODAY
    )
    assert errors == {} and criteria is not None
    assert criteria.place is not None and criteria.place.town == "Aarhus C"
    assert criteria.km == 50 and criteria.hours == Decimal("30.5")
    _, errors = parse_criteria({"uri": "u", "km": "33"}, "SE", TODAY)
    assert set(errors) == {"km"}


def request(
    status: str = "pending", created: dt.datetime = NOW, **values: object
) -> ContactRequest:
    return ContactRequest(
        status=status,
        created_at=created,
        expires_at=created + dt.timedelta(days=14),
        **values,
    )


def test_a_request_waits_fourteen_days_then_expires() -> None:
    waiting = request()
    assert status_of(waiting, NOW + dt.timedelta(days=13, hours=23)) == "pending"
    assert status_of(waiting, NOW + dt.timedelta(days=14)) == "expired"
    assert status_of(request("accepted"), NOW + dt.timedelta(days=30)) == "accepted"


def test_an_organisation_asks_the_same_person_again_only_after_expiry_or_a_long_no() -> None:
    assert may_ask_again([], NOW)
    assert not may_ask_again([request()], NOW + dt.timedelta(days=1))
    assert may_ask_again([request()], NOW + dt.timedelta(days=15))  # expired unanswered
    assert not may_ask_again([request("accepted")], NOW + dt.timedelta(days=400))
    declined = request("declined", answered_at=NOW)
    assert not may_ask_again([declined], NOW + dt.timedelta(days=89))
    assert may_ask_again([declined], NOW + dt.timedelta(days=91))


def test_a_request_needs_a_job_and_a_message_within_their_limits() -> None:
    data, errors = parse_request({"job_title": "", "message": "x" * 1001})
    assert data is None and set(errors) == {"job_title", "message"}
    data, errors = parse_request({"job_title": "Baker", "message": "Come and bake"})
    assert errors == {} and data is not None and data.job_title == "Baker"


def test_an_employers_session_ends_after_the_staff_idle_time() -> None:
    settings = Settings.from_env(
        {"PORTAL_SECRET_KEY": "x" * 32, "PORTAL_DEV_IDP": "1", "PORTAL_STAFF_IDLE_MINUTES": "45"}
    )
    assert idle_limit(settings, "employer") == dt.timedelta(minutes=45)
    assert idle_limit(settings, "participant") == dt.timedelta(minutes=30)
