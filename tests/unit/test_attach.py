"""`attach` fills a relationship of objects read without a session as a loader would."""

from __future__ import annotations

from types import SimpleNamespace

from portal.db import attach


def test_each_parent_gets_its_children_in_their_order_and_one_without_gets_an_empty_list() -> None:
    parents = [SimpleNamespace(id=1), SimpleNamespace(id=2)]
    children = [SimpleNamespace(id=10, parent_id=1, n=2), SimpleNamespace(id=11, parent_id=1, n=1)]
    attach(parents, "children", children, "parent_id")
    assert [child.id for child in parents[0].children] == [10, 11]
    assert parents[1].children == []


def test_a_one_to_one_or_a_reference_is_the_child_or_none() -> None:
    answers = [SimpleNamespace(id=5, signature_id=7), SimpleNamespace(id=6, signature_id=None)]
    signatures = [SimpleNamespace(id=7)]
    attach(answers, "signature", signatures, "id", parent_key="signature_id", one=True)
    assert answers[0].signature is signatures[0]
    assert answers[1].signature is None
