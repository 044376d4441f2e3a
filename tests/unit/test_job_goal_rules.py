"""The job-goal check: My Plan's job goals and the occupations sought name the same job."""

from __future__ import annotations

from portal.jobgoal.service import SoughtOccupation, job_goal_mismatch
from portal.plan.models import GoalVersion


def goal(text: str, uri: str | None = None, removed: bool = False) -> GoalVersion:
    return GoalVersion(text=text, occupation_uri=uri, removed=removed)


BAKER = "http://data.europa.eu/esco/occupation/baker"


def test_a_job_goal_matching_a_sought_occupation_by_uri_or_text_is_consistent() -> None:
    sought = [SoughtOccupation(BAKER, "bagare")]
    assert not job_goal_mismatch([goal("Something else", BAKER)], sought)
    assert not job_goal_mismatch([goal("  Bagare ")], sought)
    assert not job_goal_mismatch([goal("Lagerarbetare"), goal("BAGARE")], sought)


def test_no_job_goal_naming_a_sought_occupation_is_a_mismatch() -> None:
    assert job_goal_mismatch([goal("Lagerarbetare")], [SoughtOccupation(BAKER, "bagare")])
    assert job_goal_mismatch(
        [goal("Bagare", removed=True), goal("Kock")], [SoughtOccupation(None, "Bagare")]
    )


def test_nothing_to_compare_is_no_mismatch() -> None:
    assert not job_goal_mismatch([], [SoughtOccupation(BAKER, "bagare")])
    assert not job_goal_mismatch([goal("Bagare")], [])


def test_a_job_goal_naming_a_sought_occupation_among_other_words_is_consistent() -> None:
    konditor = goal("Bagare / konditor")
    assert not job_goal_mismatch([konditor], [SoughtOccupation("u1", "bagare")])
    assert job_goal_mismatch([konditor], [SoughtOccupation("u2", "lagerarbetare")])
