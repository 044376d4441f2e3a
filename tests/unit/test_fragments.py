"""The parts every page repeats are rendered once per language and values, and only from them."""

from __future__ import annotations

from pathlib import Path

from portal.settings import Settings
from portal.web.i18n import Formatter, current_language
from portal.web.templating import build_environment


def environment(language: str) -> object:
    settings = Settings.from_env(
        {
            "PORTAL_DATABASE_URL": "sqlite:///unused.db",
            "PORTAL_SECRET_KEY": "unit-secret-0123456789abcdef",
            "PORTAL_BASE_URL": "http://testserver",
            "PORTAL_VAR_DIR": str(Path("var")),
            "PORTAL_COUNTRY": "SE",
            "PORTAL_DEV_IDP": "1",
        }
    )
    return build_environment(settings, language, Formatter(settings.timezone))


def fragment(language: str, name: str, **values: object) -> str:
    token = current_language.set(language)
    try:
        renderer = environment(language).globals["cached_fragment"]  # type: ignore[attr-defined]
        return str(renderer(name, **values))
    finally:
        current_language.reset(token)


def test_a_fragment_is_rendered_once_for_the_same_values() -> None:
    env = environment("sv")
    renderer = env.globals["cached_fragment"]  # type: ignore[attr-defined]
    first = renderer("_site_header.html", path="/", user_kind="participant")
    assert renderer("_site_header.html", path="/", user_kind="participant") is first
    assert renderer("_site_header.html", path="/plan", user_kind="participant") is not first


def test_a_fragment_follows_its_values_and_language() -> None:
    participant = fragment("sv", "_site_header.html", path="/plan", user_kind="participant")
    staff = fragment("sv", "_site_header.html", path="/staff/", user_kind="staff")
    anonymous = fragment("da", "_site_header.html", path="/login", user_kind=None)
    assert 'action="/auth/logout"' in participant and 'value="/plan"' in participant
    assert 'action="/staff/logout"' in staff and 'href="/staff/"' in staff
    assert "logout" not in anonymous and 'value="/login"' in anonymous
    assert "Logga ut" in participant and "Log ud" not in participant


def test_the_navigation_marks_the_current_page_under_the_view_s_base() -> None:
    own = fragment("da", "participant/_nav.html", base="", path="/plan")
    staff_view = fragment("sv", "participant/_nav.html", base="/staff/participants/7", path="/x")
    assert '<a class="ds-link" href="/plan" aria-current="page">Min Plan' in own
    assert 'href="/"' in own and "aria-current" not in staff_view
    assert 'href="/staff/participants/7/cv"' in staff_view


def test_an_encoded_fragment_is_spliced_into_the_page_where_the_template_shows_it() -> None:
    from markupsafe import Markup, escape

    from portal.web.fragments import EncodedHTML, splice

    fragment = EncodedHTML(Markup("<p>Ändrad plan: måndag</p>"))
    other = EncodedHTML(Markup("<p>other</p>"))
    assert fragment.marker != other.marker
    guess = "<!--fragment-0000000000000000-0-->"  # what someone might type in a text field
    page = f"<main>{escape(guess)}{fragment.__html__()}</main>".encode()
    spliced = splice(page, [fragment]).decode()
    assert spliced == f"<main>{escape(guess)}<p>Ändrad plan: måndag</p></main>"


def test_a_fragment_that_uses_a_value_it_was_not_given_fails_instead_of_caching_a_gap() -> None:
    import pytest
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        fragment("sv", "participant/_nav.html", base="")  # `path` missing


def test_a_list_of_fragments_is_each_row_s_fragment_with_the_shared_values() -> None:
    import datetime as dt
    from typing import NamedTuple

    class Line(NamedTuple):
        id: int
        name: str
        number: str
        event: str
        at: dt.datetime | None
        recent: bool

    token = current_language.set("da")
    try:
        env = environment("da")
        one, each = (env.globals[n] for n in ("cached_fragment", "cached_fragments"))  # type: ignore[attr-defined]
        at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
        lines = [
            Line(7, "Anna A", "19900101-1234", "Ny plan", at, True),
            Line(8, "Bo B", "1", "", None, False),
        ]
        tools = (("plan", "Plan"),)
        listed = str(each("staff/_overview_row.html", lines, tools=tools))
        singly = "".join(
            str(one("staff/_overview_row.html", **line._asdict(), tools=tools)) for line in lines
        )
        assert listed == singly and "/staff/participants/8/plan" in listed and "Ny plan" in listed
        assert (
            str(each("staff/_overview_row.html", lines, tools=())) != listed
        )  # shared values count
        changed = [lines[0]._replace(name="Anna Ny"), lines[1]]
        assert "Anna Ny" in str(each("staff/_overview_row.html", changed, tools=tools))
        assert str(each("staff/_overview_row.html", [], tools=tools)) == ""
    finally:
        current_language.reset(token)
