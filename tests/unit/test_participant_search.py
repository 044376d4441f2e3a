"""The words a participant is found by, and how a search is read into words."""

from __future__ import annotations

from portal.participants.search import END, search_words, terms_of


def test_a_participant_is_found_by_each_name_word_and_the_personal_number() -> None:
    terms = terms_of("Anna-Karin", "Åberg Lind", "19900101-1239")
    assert {"anna-karin", "anna", "karin", "åberg", "lind"} <= terms
    assert {"199001011239", "9001011239"} <= terms  # with and without the century
    assert "010190" not in terms
    assert terms_of("Bo", "Berg", "010190-1009") == {"bo", "berg", "0101901009"}


def test_a_search_is_casefolded_words_and_a_number_its_digits() -> None:
    assert search_words("  ANNA  Åberg ") == ["anna", "åberg"]
    assert search_words("19900101-1239") == ["199001011239"]
    assert search_words("Andersson, Anna") == ["andersson", "anna"]
    assert search_words("") == []


def test_a_word_matches_the_terms_it_begins() -> None:
    terms = sorted(terms_of("Anna", "Andersson", "19900101-1239"))
    word = "and"
    assert [t for t in terms if word <= t < word + END] == ["andersson"]
    assert [t for t in terms if "900101" <= t < "900101" + END] == ["9001011239"]
