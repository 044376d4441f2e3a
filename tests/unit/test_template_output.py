"""Pages' templates read a component's dict parameters as keys and escape their output with
markupsafe's own escaping: the same HTML as Jinja's defaults, only cheaper."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import Environment, UndefinedError, pass_context, pass_environment
from jinja2.utils import _PassArg
from markupsafe import Markup, escape

from portal.web.i18n import current_language, lazy_gettext
from portal.web.templating import escape_output
from tests.unit.test_fragments import environment

SOURCE = (
    "{{ p.text }}|{{ p.missing is defined }}|{{ p.get('text') }}|"
    "{% for key, value in p.attributes.items() %}{{ key }}={{ value }};{% endfor %}|"
    "{{ p.keys }}|{{ value }}|{{ safe }}|{{ number }}"
)
VALUES: dict[str, Any] = {
    "p": {"text": "<b>Tom & 'Jerry'</b>", "attributes": {"aria-label": 'say "hi"'}, "keys": 1},
    "value": "<script>",
    "safe": Markup("<em>kept</em>"),
    "number": 42,
}


def test_a_page_renders_what_jinjas_defaults_render() -> None:
    ours = environment("sv").from_string(SOURCE).render(VALUES)  # type: ignore[attr-defined]
    plain = Environment(autoescape=True).from_string(SOURCE).render(VALUES)
    assert ours == plain
    assert "&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;" in ours
    assert "<em>kept</em>" in ours


CALLS = (
    "{% macro item(text, caller=None) %}<li>{{ text }}{{ caller() if caller }}</li>{% endmacro %}"
    "{% for n in numbers %}{% set doubled = n * 2 %}{{ item(n ~ '/' ~ doubled) }}"
    "{% call item(n) %}[{{ loop.index }}]{% endcall %}{% endfor %}"
    "{{ named(value='x') }}|{{ with_context() }}|{{ callable_thing(3) }}|"
    "{{ things.method(2) }}|{{ things.method_with_context(2) }}|{{ things.told(2) }}|"
    "{{ things.environment_name() }}|{{ ','.join(['a', 'b']) }}|{{ numbers.__len__() }}|"
    # Components: one parameter, with or without a caller; defaults, keywords and varargs.
    "{% macro box(params) %}<div>{{ params.t }}{{ caller() }}</div>{% endmacro %}"
    "{% macro two(a, b='d') %}{{ a }}{{ b }}{% endmacro %}"
    "{% macro many() %}{{ varargs|join(',') }}{{ kwargs.k }}{% endmacro %}"
    "{% call box({'t': '<x>'}) %}in{% endcall %}|{{ two(1) }}{{ two(1, 2) }}{{ two(a=3) }}|"
    "{{ many(1, 2, k='v') }}"
)


class Tripler:
    def __call__(self, n: int) -> int:
        return n * 3


class Things:
    """Methods as templates call them (`fmt.date`): plain, wanting the context or the
    environment by Jinja's decorators, and one whose function was told so afterwards."""

    def method(self, n: int) -> str:
        return f"method {n}"

    @pass_context
    def method_with_context(self, context: Any, n: int) -> str:
        return f"{n} of {context['numbers']}"

    @pass_environment
    def environment_name(self, environment: Any) -> str:
        return type(environment).__name__

    def told(self, context: Any, n: int) -> str:
        return f"told {n} {context['numbers']}"

    told.jinja_pass_arg = _PassArg.context  # type: ignore[attr-defined]


def test_macros_functions_and_context_functions_are_called_as_jinja_calls_them() -> None:
    """Macros are called at once (in loops too, with `caller`); anything else as Jinja does."""

    @pass_context
    def with_context(context: Any) -> str:
        return f"numbers={context['numbers']}"

    values = {
        "numbers": [1, 2],
        "named": lambda value: f"named {value}",
        "with_context": with_context,
        "callable_thing": Tripler(),
        "things": Things(),
    }
    ours = environment("sv").from_string(CALLS).render(values)  # type: ignore[attr-defined]
    plain = Environment(autoescape=True).from_string(CALLS).render(values)
    assert ours.replace("TranslatedEnvironment", "Environment") == plain
    assert "<li>1/2</li><li>1[1]</li>" in ours and "numbers=[1, 2]" in ours and "|9" in ours
    assert "|method 2|2 of [1, 2]|told 2 [1, 2]|TranslatedEnvironment|a,b|2" in ours
    assert "|<div>&lt;x&gt;in</div>|1d123d|1,2v" in ours


def test_a_component_that_wants_a_caller_and_gets_none_fails_as_in_jinja() -> None:
    source = "{% macro box(params) %}{{ caller() }}{% endmacro %}{{ box({}) }}"
    with pytest.raises(UndefinedError, match="No caller defined"):
        environment("sv").from_string(source).render()  # type: ignore[attr-defined]
    with pytest.raises(UndefinedError, match="No caller defined"):
        Environment(autoescape=True).from_string(source).render()


def test_a_dicts_own_methods_stay_methods_and_a_missing_key_is_undefined() -> None:
    env: Any = environment("sv")
    assert env.from_string("{{ p.items() | list | length }}").render(p={"a": 1}) == "1"
    assert env.from_string("{{ p.nothing is defined }}").render(p={"a": 1}) == "False"
    with pytest.raises(UndefinedError):
        env.strict.from_string("{{ p.nothing }}").render(p={"a": 1})


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "<a href='x'>&</a>",
        Markup("<i>safe</i>"),
        7,
        None,
        lazy_gettext("Yes"),
        lazy_gettext("Tom & <Jerry>"),
    ],
)
def test_output_is_escaped_as_markupsafe_escapes_it(value: object) -> None:
    assert escape_output(value) == str(escape(value))


def test_a_lazy_label_is_written_out_as_its_text_in_the_language_of_the_request_escaped() -> None:
    for language, yes in (("sv", "Ja"), ("da", "Ja"), ("en", "Yes")):
        token = current_language.set(language)
        try:
            assert escape_output(lazy_gettext("Yes")) == yes == str(lazy_gettext("Yes"))
            assert escape_output(lazy_gettext("Tom & <Jerry>")) == "Tom &amp; &lt;Jerry&gt;"
            shown = environment(language).from_string("{{ label }}|{{ label | upper }}")  # type: ignore[attr-defined]
            assert shown.render(label=lazy_gettext("Tom & <Jerry>")) == (
                "Tom &amp; &lt;Jerry&gt;|TOM &amp; &lt;JERRY&gt;"
            )
        finally:
            current_language.reset(token)


TRICKY: list[Any] = [
    "<b>Tom & 'Jerry'</b>",
    Markup("<em>kept</em>"),
    42,
    None,
    True,
    lazy_gettext("Start"),
    "100 %",
]


@pytest.mark.parametrize("value", TRICKY, ids=lambda value: f"{type(value).__name__}:{value}")
def test_a_translation_with_values_is_what_markup_formatting_gives(value: object) -> None:
    from portal.web.templating import format_translated

    text = "Hej %(name)s, 100 %% klart <i>nu</i>"
    expected = Markup(text) % {"name": value}  # noqa: S704 (a constant)
    assert format_translated(text, {"name": value}) == expected
    env: Any = environment("sv")
    page = env.from_string("{{ _('Hello, %(name)s', name=value) }}|{{ _('Start') }}")
    translated = env.translate("Hello, %(name)s") + "|" + env.translate("Start")
    assert page.render(value=value) == Markup(translated) % {"name": value}  # noqa: S704


def test_a_data_tables_cells_are_escaped_and_labelled_with_their_columns() -> None:
    env: Any = environment("sv")
    page = env.from_string(
        "{{ data_table({'caption': 'Log', 'head': head, 'rows': rows}) }}"
    ).render(
        head=["When", 'Who "&"'],
        rows=[["<b>1 dec</b>", Markup("<em>Karin</em>")], [2, None]],
    )
    assert '<td data-label="When">&lt;b&gt;1 dec&lt;/b&gt;</td>' in page
    assert '<td data-label="Who &#34;&amp;&#34;"><em>Karin</em></td>' in page
    assert (
        '<tr><td data-label="When">2</td><td data-label="Who &#34;&amp;&#34;">None</td></tr>'
        in page
    )
    assert page.count("<tr>") == 3  # the head's row and two
