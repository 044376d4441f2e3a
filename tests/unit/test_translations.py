"""Every user-facing message has a Swedish, Danish and English translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> set[str]:
    messages: set[str] = set()
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map=method_map,
        options_map=options,
        keywords={"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


MESSAGES = extracted_messages()


def test_the_code_has_messages_to_translate() -> None:
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_every_message_is_translated(language: str) -> None:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=language)
    missing = []
    for message in sorted(MESSAGES):
        entry = catalog.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
            continue
        translated = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(message)), message
    assert not missing, f"{language} lacks: {missing}"
