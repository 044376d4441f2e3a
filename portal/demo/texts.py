"""The demo data's texts, in the deployment's country's language: one JSON file per country."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "texts"


@cache
def texts(country: str) -> dict[str, Any]:
    """The texts of SE or DK: organisations, plans, occupations, CVs and meetings."""
    with (FOLDER / f"{country.lower()}.json").open(encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data
