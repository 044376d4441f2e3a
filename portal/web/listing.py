"""Reading a list page's query string (search, filters, sorting, page): a filter form cannot be
"wrong", so an unknown choice falls back to its default and a bad page number to the first."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any


def search_text(params: Mapping[str, str], limit: int = 100) -> str:
    return " ".join(params.get("q", "").split())[:limit]


def chosen(params: Mapping[str, str], name: str, choices: Container[str], default: str) -> str:
    value = params.get(name, "")
    return value if value in choices else default


def page_number(params: Mapping[str, str]) -> int:
    """A page from 1 up; anything but a few ASCII digits (², -1, 10^50) is the first page."""
    raw = params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) else 1


def query_string(values: Mapping[str, Any], **changes: Any) -> dict[str, str]:
    """A list page's query with some values changed (for paging links), empty values left out."""
    merged = {key: str(value) for key, value in {**values, **changes}.items()}
    return {key: value for key, value in merged.items() if value}
