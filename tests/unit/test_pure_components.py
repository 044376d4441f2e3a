"""A component that shows only its parameters (a field, a button, a tag) is rendered once per
process for each set of parameters and language, and a kept copy is never another call's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from jinja2 import Undefined
from markupsafe import Markup

from portal.web.hyphens import hyphenating
from portal.web.i18n import current_language, lazy_gettext
from portal.web.pure_components import LONGEST_TEXT, _NotKept, frozen
from tests.unit.test_fragments import environment


def render(language: str, source: str, **values: Any) -> str:
    token = current_language.set(language)
    try:
        env: Any = environment(language)
        return str(env.from_string(source).render(values))
    finally:
        current_language.reset(token)


def as_jinja_renders(language: str, name: str, params: dict[str, Any]) -> str:
    """The component's HTML by Jinja's own macro call, past the kept copies."""
    token = current_language.set(language)
    try:
        env: Any = environment(language)
        return str(env.globals[name](params))
    finally:
        current_language.reset(token)


FIELD = {
    "name": "employer_email",
    "type": "email",
    "label": lazy_gettext("Change"),
    "hint": Markup("Only <em>this</em>"),
    "value": "a@b.se",
    "attributes": {"autocomplete": "off"},
}


def test_a_field_is_made_once_for_the_same_parameters_and_is_the_html_jinja_makes() -> None:
    env: Any = environment("sv")
    macro = env.globals["text_field"]
    made: list[tuple[Any, ...]] = []
    function = macro._func

    def counted(*args: Any) -> Any:
        made.append(args)
        return function(*args)

    macro._func = counted
    token = current_language.set("sv")
    try:
        page = env.from_string("{{ text_field(p) }}")
        first, again = page.render(p=FIELD), page.render(p=dict(FIELD))
        other = page.render(p={**FIELD, "value": "c@d.se"})
    finally:
        current_language.reset(token)
    assert len(made) == 2 and env.components.key(macro, FIELD) is not None
    assert again == first == as_jinja_renders("sv", "text_field", FIELD)
    assert 'value="a@b.se"' in first and "Ändra" in first and "<em>this</em>" in first
    assert 'value="c@d.se"' in other


def test_the_same_parameters_in_another_language_are_that_language_s_html() -> None:
    params = {"name": "Kock", "change": "/cv/1", "remove": "/cv/1/remove"}
    swedish = render("sv", "{{ item_actions(p) }}", p=params)
    danish = render("da", "{{ item_actions(p) }}", p=params)
    assert "Ändra" in swedish and "Ändra" not in danish
    assert danish == as_jinja_renders("da", "item_actions", params)


def test_markup_and_a_plain_text_of_the_same_characters_are_never_one_entry() -> None:
    trusted = render("sv", "{{ tag(p) }}", p={"text": Markup("<b>new</b>")})
    typed = render("sv", "{{ tag(p) }}", p={"text": "<b>new</b>"})
    assert "<b>new</b>" in trusted
    assert "&lt;b&gt;new&lt;/b&gt;" in typed and "<b>" not in typed


def test_a_call_with_a_body_is_rendered_with_its_body() -> None:
    params = {"name": "Kock", "change": "/c", "remove": "/r"}
    plain = render("sv", "{{ item_actions(p) }}", p=params)
    with_body = render("sv", "{% call item_actions(p) %}<b>move</b>{% endcall %}", p=params)
    assert "<b>move</b>" in with_body and "<b>move</b>" not in plain


def test_what_cannot_be_a_key_is_rendered_each_time() -> None:
    class Shown:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            return self.text

    first = render("sv", "{{ tag(p) }}", p={"text": Shown("one")})
    second = render("sv", "{{ tag(p) }}", p={"text": Shown("two")})
    assert ">one<" in first and ">two<" in second
    long_text = "x" * (LONGEST_TEXT + 1)
    assert long_text in render("sv", "{{ textarea_field(p) }}", p={"name": "t", "value": long_text})


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # attributes are shown in their order
        ({"v": True}, {"v": 1}),
        ({"v": Markup("x")}, {"v": "x"}),
        ({"v": ["a"]}, {"v": ("a",)}),
        ({"v": {"a"}}, {"v": frozenset({"a"})}),
        ({"v": None}, {"v": ""}),
        ({"v": dt.date(2026, 1, 2)}, {"v": "2026-01-02"}),
        ({"v": dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC)}, {"v": dt.date(2026, 1, 2)}),
        (  # one moment, in two zones: equal in Python, not shown alike
            {"v": dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC)},
            {"v": dt.datetime(2026, 1, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))},
        ),
    ],
)
def test_values_that_would_show_differently_make_different_keys(
    one: dict[str, Any], other: dict[str, Any]
) -> None:
    assert frozen(one) != frozen(other)


def test_a_meeting_s_details_are_kept_and_shown_in_the_deployment_s_time_zone() -> None:
    start = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC)
    params = {"start": start, "end": start + dt.timedelta(hours=1), "people": ["Karin Berg"]}
    first = render("sv", "{{ meeting_details(p) }}", p=params)
    assert first == as_jinja_renders("sv", "meeting_details", params)
    assert "09:30–10:30" in first and "Karin Berg" in first


def test_a_heading_in_a_component_is_hyphenated_on_a_page_and_not_in_a_pdf() -> None:
    env: Any = environment("sv")
    page = env.from_string("{{ empty_state(p) }}")
    params = {"heading": "Rehabiliteringsplanens förberedande del", "text": "Inget ännu."}
    token = current_language.set("sv")
    try:
        on_a_page = page.render(p=params)
        pdf = hyphenating.set(False)
        try:
            in_a_pdf = page.render(p=dict(params))
        finally:
            hyphenating.reset(pdf)
    finally:
        current_language.reset(token)
    assert "\u00ad" in on_a_page
    assert "\u00ad" not in in_a_pdf and "Rehabiliteringsplanens" in in_a_pdf


def test_a_lazy_label_is_its_text_and_a_missing_name_is_one_key() -> None:
    token = current_language.set("da")
    try:
        assert frozen(lazy_gettext("Change")) == frozen(str(lazy_gettext("Change")))
    finally:
        current_language.reset(token)
    assert frozen(Undefined(name="a")) == frozen(Undefined(name="b"))


@pytest.mark.parametrize(
    "value",
    [object(), 1.5, {1: "x"}, "y" * (LONGEST_TEXT + 1)],
)
def test_other_values_are_not_kept(value: Any) -> None:
    with pytest.raises(_NotKept):
        frozen({"v": value})
