"""CV rules: the occupation list and its search, "I am looking for a job as", My CV, sharing."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from portal.cv.models import CvEntry, CvShare
from portal.cv.mycv import missing_sections, parse_entry, parse_month
from portal.cv.presentation import parse_share, share_state
from portal.cv.service import is_full_time, parse_sought
from portal.occupations.listfile import DEFAULT_LIST, ListFormatError, read_rows
from portal.occupations.search import OccupationIndex, fold

TODAY = dt.date(2026, 11, 23)


@cache
def index(language: str) -> OccupationIndex:
    built = OccupationIndex()
    for row in read_rows(DEFAULT_LIST):
        if row.language == language:
            others = [("alternative", a) for a in row.alternatives]
            others += [("hidden", h) for h in row.hidden]
            built.add(row.uri, row.preferred, others, row.group_label)
    return built.freeze()


def labels(language: str, query: str) -> list[str]:
    return [hit.label for hit in index(language).search(query)]


def test_the_shipped_list_has_every_esco_occupation_in_three_languages() -> None:
    rows = list(read_rows(DEFAULT_LIST))
    assert len(rows) == 3 * 2942
    assert {row.language for row in rows} == {"sv", "da", "en"}
    assert all(row.group and row.group_label for row in rows)


def test_a_list_file_with_another_header_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "list.csv.gz"
    bad.write_bytes(gzip.compress(b"code,name\n1,x\n"))
    with pytest.raises(ListFormatError):
        list(read_rows(bad))


def test_folding_treats_nordic_spellings_alike() -> None:
    assert fold("Åbenrå") == fold("aabenraa") == "abenra"
    assert fold("Sjuksköterska") == fold("SJUKSKOTERSKA")
    assert fold("smørrebrød") == fold("smörrebröd")
    assert fold("æble") == fold("äble")
    assert fold("Café") == "cafe"


def test_a_preferred_label_that_begins_with_the_query_ranks_first_in_swedish() -> None:
    assert labels("sv", "bagare")[0] == "bagare"
    assert labels("sv", "lager")[:2] == ["lagerchef", "lagerarbetare"]


def test_search_folds_case_and_diacritics_in_swedish() -> None:
    assert labels("sv", "SJUKSKOTERSKA") == labels("sv", "sjuksköterska")
    assert labels("sv", "sjukskoterska")


def test_danish_search_finds_danish_labels_and_alternative_names() -> None:
    found = index("da").search("sygeplejerske")
    assert found[0].label == "sygeplejerske"
    assert any(hit.matched for hit in found)  # found by another of its names
    assert labels("da", "bager")[0] == "bager"


def test_every_word_of_the_query_must_begin_a_word_of_a_label() -> None:
    hits = labels("sv", "metall drag")
    assert "dragpressare, metall" in hits
    assert all("metall" in h for h in hits if h.startswith("drag"))
    assert labels("sv", "zzzz") == []
    assert labels("sv", "  ") == []


def test_the_group_label_finds_occupations_too() -> None:
    assert labels("en", "armed forces")  # an ISCO group, not an occupation's own name


def test_a_sought_occupation_needs_every_answer() -> None:
    data, errors = parse_sought({}, TODAY)
    assert data is None
    assert set(errors) == {
        "trained",
        "experienced",
        "hours_per_week",
        "start",
        "employment_form",
        "conditions",
    }


def test_a_complete_sought_occupation_with_a_start_date() -> None:
    form = {
        "trained": "yes",
        "experienced": "no",
        "hours_per_week": "37,5",
        "start": "date",
        "earliest_start": "2026-12-01",
        "employment_form": "temporary",
        "conditions": "flex_job",
    }
    data, errors = parse_sought(form, TODAY)
    assert not errors and data is not None
    assert data.trained and not data.experienced
    assert data.hours_per_week == Decimal("37.50") and is_full_time(data.hours_per_week)
    assert data.earliest_start == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("name", "value"),
    [("hours_per_week", "0"), ("hours_per_week", "61"), ("earliest_start", "2026-11-01")],
)
def test_hours_and_a_start_in_the_past_are_refused(name: str, value: str) -> None:
    form = {
        "trained": "yes",
        "experienced": "yes",
        "hours_per_week": "20",
        "start": "date",
        "earliest_start": "2026-12-01",
        "employment_form": "permanent",
        "conditions": "ordinary",
        name: value,
    }
    assert name in parse_sought(form, TODAY)[1]


def test_part_time_is_below_37_hours() -> None:
    assert not is_full_time(Decimal("36.5"))


# ---------------------------------------------------------------- My CV and sharing

WORK = {
    "title": "Bakery assistant",
    "organisation": "Bageriet",
    "start_month": "2023-02",
    "end_month": "2024-06",
    "description": "Baking.",
}


def test_months_are_year_and_month_only() -> None:
    assert parse_month("2024-03") == dt.date(2024, 3, 1)
    for bad in ("2024-3", "2024-13", "2024-03-01", "March", "", None):
        assert parse_month(bad) is None


def test_a_job_needs_dates_in_order_and_not_in_the_future() -> None:
    assert parse_entry("work", WORK, TODAY)[0] is not None
    assert "end_month" in parse_entry("work", {**WORK, "end_month": "2022-01"}, TODAY)[1]
    assert "start_month" in parse_entry("work", {**WORK, "start_month": "2027-01"}, TODAY)[1]
    assert "end_month" in parse_entry("work", {**WORK, "end_month": ""}, TODAY)[1]
    ongoing = parse_entry("work", {**WORK, "end_month": "", "ongoing": "yes"}, TODAY)[0]
    assert ongoing is not None and ongoing.ongoing and ongoing.end_month is None


def test_a_language_needs_a_name_and_a_level() -> None:
    assert set(parse_entry("language", {}, TODAY)[1]) == {"title", "level"}
    assert parse_entry("language", {"title": "Arabic", "level": "native"}, TODAY)[0]


def test_work_and_education_are_required_languages_are_not() -> None:
    assert missing_sections([]) == ["work", "education"]
    assert missing_sections([CvEntry(kind="work"), CvEntry(kind="language")]) == ["education"]
    assert missing_sections([CvEntry(kind="work"), CvEntry(kind="education")]) == []


def test_a_shared_link_expires_and_a_revoked_one_stays_closed() -> None:
    now = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    share = CvShare(expires_at=now + dt.timedelta(days=30), revoked_at=None)
    assert share_state(share, now) == "active"
    assert share_state(share, now + dt.timedelta(days=30)) == "expired"
    share.revoked_at = now
    assert share_state(share, now) == "revoked"


def test_a_link_lasts_30_days_unless_chosen_and_at_most_90() -> None:
    default = parse_share({})[0]
    assert default is not None and default.days == 30
    assert "days" in parse_share({"days": "91"})[1]
    assert "days" in parse_share({"days": "0"})[1]
    assert "employer_email" in parse_share({"employer_email": "not an address"})[1]
