"""Soft hyphens in the long words of headings: a Danish or Swedish compound breaks at a
syllable with a hyphen on a phone, never mid-word without one."""

from __future__ import annotations

from portal.web.hyphens import SOFT_HYPHEN, hyphenate_headings


def shown(html: str) -> str:
    return html.replace(SOFT_HYPHEN, "|")


def test_a_long_danish_word_in_a_heading_gets_its_syllables() -> None:
    html = '<h1 class="ds-heading">Rehabiliteringsplanens forberedende del</h1>'
    assert shown(hyphenate_headings(html, "da")) == (
        '<h1 class="ds-heading">Reha|bi|li|te|rings|pla|nens forberedende del</h1>'
    )


def test_a_swedish_word_is_split_by_the_swedish_dictionary() -> None:
    html = "<h2>Samarbetshistorik</h2>"
    assert shown(hyphenate_headings(html, "sv")) == "<h2>Sam|ar|bets|his|to|rik</h2>"


def test_only_headings_text_changes_not_tags_addresses_or_other_elements() -> None:
    html = (
        '<p>Rehabiliteringsplanens</p><h3><a href="/rehabiliteringsplanen">'
        "Aktivitetsrapportering</a> &amp; mere</h3>"
    )
    out = hyphenate_headings(html, "da")
    assert out.startswith("<p>Rehabiliteringsplanens</p>")
    assert 'href="/rehabiliteringsplanen"' in out and "&amp; mere</h3>" in out
    assert out.replace(SOFT_HYPHEN, "") == html
    assert SOFT_HYPHEN in out


def test_short_words_and_pages_without_long_headings_are_left_as_they_are() -> None:
    html = "<h1>Min plan</h1><h2>Mødetilbud</h2>"
    assert hyphenate_headings(html, "da") == html
