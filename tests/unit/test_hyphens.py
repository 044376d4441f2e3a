"""Soft hyphens in the long words of headings: a Danish or Swedish compound breaks at a
syllable with a hyphen on a phone, never mid-word without one. Headings are found in the
templates when they are compiled; what they hold is hyphenated as it is rendered."""

from __future__ import annotations

from typing import Any

from portal.web.hyphens import SOFT_HYPHEN, hyphenating
from tests.unit.test_fragments import environment


def shown(html: str) -> str:
    return html.replace(SOFT_HYPHEN, "|")


def rendered(language: str, source: str, **values: Any) -> str:
    template = environment(language).from_string(source)  # type: ignore[attr-defined]
    return str(template.render(values))


def test_a_long_danish_word_in_a_heading_gets_its_syllables() -> None:
    html = '<h1 class="ds-heading">Rehabiliteringsplanens forberedende del</h1>'
    assert shown(rendered("da", html)) == (
        '<h1 class="ds-heading">Reha|bi|li|te|rings|pla|nens forberedende del</h1>'
    )


def test_a_swedish_word_is_split_by_the_swedish_dictionary() -> None:
    assert shown(rendered("sv", "<h2>Samarbetshistorik</h2>")) == "<h2>Sam|ar|bets|his|to|rik</h2>"


def test_an_english_page_splits_names_by_the_deployment_s_language() -> None:
    html = "<h3>{{ title }}</h3>"
    assert shown(rendered("en", html, title="Samarbetshistorik")) == (
        "<h3>Sam|ar|bets|his|to|rik</h3>"
    )


def test_values_translations_and_a_level_set_by_the_template_are_hyphenated_when_rendered() -> None:
    html = (
        '<h{{ level }} class="x">{{ _("Hour histories") }}: {{ title }}</h{{ level }}>'
        "{% for t in titles %}<h3>{{ t }}</h3>{% endfor %}"
    )
    out = rendered(
        "sv", html, level=2, title="Arbetsmarknadsutbildning", titles=["a", "Yrkesintroduktion"]
    )
    assert shown(out) == (
        '<h2 class="x">Sam|ar|bets|his|to|rik: Arbets|mark|nads|ut|bild|ning</h2>'
        "<h3>a</h3><h3>Yrkes|in|tro|duk|tion</h3>"
    )


def test_only_headings_text_changes_not_tags_addresses_escaping_or_other_elements() -> None:
    html = (
        '<p>Rehabiliteringsplanens</p><h3>\n  <a href="/rehabiliteringsplanen">'
        "Aktivitetsrapportering</a> {{ more }}\n</h3>"
    )
    out = rendered("da", html, more="& <mere>")
    assert out.startswith("<p>Rehabiliteringsplanens</p>")
    assert 'href="/rehabiliteringsplanen"' in out and "&amp; &lt;mere&gt;\n</h3>" in out
    assert out.replace(SOFT_HYPHEN, "") == (
        '<p>Rehabiliteringsplanens</p><h3>\n  <a href="/rehabiliteringsplanen">'
        "Aktivitetsrapportering</a> &amp; &lt;mere&gt;\n</h3>"
    ), "whitespace and escaping as without the filter"
    assert SOFT_HYPHEN in out


def test_short_words_and_pdfs_are_left_as_they_are() -> None:
    html = "<h1>Min plan</h1><h2>Mødetilbud</h2>"
    assert rendered("da", html) == html
    printing = hyphenating.set(False)
    try:
        assert rendered("sv", "<h2>Samarbetshistorik</h2>") == "<h2>Samarbetshistorik</h2>"
    finally:
        hyphenating.reset(printing)
