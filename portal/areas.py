"""Places by postcode: the deployment country's postcodes with their town and coordinates
(`data/postcodes/`, ODbL), to find an area by postcode or town and measure distances."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache

from portal.settings import PROJECT_ROOT

POSTCODES_DIR = PROJECT_ROOT / "data" / "postcodes"
EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


@dataclass(frozen=True)
class Place:
    postcode: str
    town: str
    latitude: float
    longitude: float

    def label(self, country: str) -> str:
        return f"{format_postcode(self.postcode, country)} {self.town}"


def format_postcode(postcode: str, country: str) -> str:
    """As people write it: "113 51" in Sweden, "8000" in Denmark."""
    return f"{postcode[:3]} {postcode[3:]}" if country == "SE" else postcode


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


class Places:
    """One country's postcodes, by postcode and by town."""

    def __init__(self, country: str, places: list[Place]) -> None:
        self.country = country
        self.by_postcode = {place.postcode: place for place in places}
        self.by_town: dict[str, list[Place]] = {}
        for place in places:
            self.by_town.setdefault(fold(place.town), []).append(place)

    def postcode(self, text: str) -> Place | None:
        digits = "".join(text.split())
        return self.by_postcode.get(digits) if digits.isdigit() else None

    def find(self, text: str) -> Place | None:
        """The place a person means by a postcode ("113 51", "8000") or a town ("Aarhus C",
        "Umeå"): a town's first postcode stands for the town."""
        found = self.postcode(text)
        if found is not None:
            return found
        town = self.by_town.get(fold(text))
        return town[0] if town else None


@cache
def places(country: str) -> Places:
    with (POSTCODES_DIR / f"{country}.csv").open(encoding="utf-8", newline="") as file:
        rows = [
            Place(row["postcode"], row["town"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(file)
        ]
    return Places(country, rows)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def local_scale(place: Place) -> float:
    """How many kilometres a degree of longitude is near the place, as a share of a degree of
    latitude: the cosine of its latitude."""
    return max(0.01, math.cos(math.radians(place.latitude)))


def squared_km_from(place: Place, latitude: float, longitude: float) -> float:
    """The squared distance from the place on a flat map around it (an equirectangular
    projection): within a few hundred kilometres less than 1 % off the great circle, and
    plain arithmetic, which any database computes as well (see employers.search)."""
    dy = (latitude - place.latitude) * KM_PER_DEGREE
    dx = (longitude - place.longitude) * (KM_PER_DEGREE * local_scale(place))
    return dx * dx + dy * dy


def bounding_box(place: Place, km: float) -> tuple[float, float, float, float]:
    """South, north, west, east: every point within `km` of the place lies inside (a cheap
    first filter for an index; the distance decides)."""
    dlat = km / KM_PER_DEGREE
    dlon = km / (KM_PER_DEGREE * local_scale(place))
    return (
        place.latitude - dlat,
        place.latitude + dlat,
        place.longitude - dlon,
        place.longitude + dlon,
    )
