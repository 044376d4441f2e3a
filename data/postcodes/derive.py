"""Derive SE.csv and DK.csv (postcode, town, latitude, longitude) from the postal-code and city
data of the countries-states-cities database (ODbL 1.0), as packaged on PyPI by
`countrystatecity-postal-codes` and `countrystatecity-countries` (version 2.0.1).

Danish postcodes carry coordinates of their own. Swedish ones do not: a postcode takes the
coordinates of the city of its town's name, and where no city has that name, those of the
numerically nearest postcode of the same county that has them (Swedish postcodes are
numbered by area, so the nearest number is a nearby place). Coordinates are rounded to three
decimals (about 100 m): they place an area, not an address.

    python data/postcodes/derive.py POSTAL_CODES_PACKAGE_DIR COUNTRIES_PACKAGE_DIR
"""

from __future__ import annotations

import bisect
import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def write(country: str, rows: list[tuple[str, str, float, float]]) -> None:
    with (HERE / f"{country}.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["postcode", "town", "latitude", "longitude"])
        for code, town, lat, lon in sorted(rows):
            writer.writerow([code, town, f"{lat:.3f}", f"{lon:.3f}"])


def derive(postal_dir: Path, countries_dir: Path) -> None:
    by_country = postal_dir / "data" / "by-country"
    denmark = json.loads((by_country / "DK" / "postcodes.json").read_text("utf-8"))
    write(
        "DK",
        [
            (r["code"], r["localityName"], r["latitude"], r["longitude"])
            for r in denmark
            if r["latitude"] is not None
        ],
    )
    cities: dict[str, tuple[float, float]] = {}
    for path in sorted((countries_dir / "data" / "by-country" / "SE" / "states").glob("*/*.json")):
        for city in json.loads(path.read_text("utf-8")):
            cities.setdefault(
                city["name"].upper(), (float(city["latitude"]), float(city["longitude"]))
            )
    sweden = json.loads((by_country / "SE" / "postcodes.json").read_text("utf-8"))
    placed: dict[str, list[tuple[int, float, float]]] = {}
    for r in sweden:
        if r["localityName"] in cities:
            lat, lon = cities[r["localityName"]]
            placed.setdefault(r["stateCode"], []).append(
                (int(r["code"].replace(" ", "")), lat, lon)
            )
    for county in placed.values():
        county.sort()
    rows = []
    for r in sweden:
        code = int(r["code"].replace(" ", ""))
        county = placed.get(r["stateCode"])
        if not county:
            continue
        index = bisect.bisect_left(county, (code,))
        near = [county[i] for i in (index - 1, index) if 0 <= i < len(county)]
        _, lat, lon = min(near, key=lambda c: abs(c[0] - code))
        if r["localityName"] in cities:
            lat, lon = cities[r["localityName"]]
        rows.append((f"{code:05d}", r["localityName"].title(), lat, lon))
    write("SE", rows)


if __name__ == "__main__":
    derive(Path(sys.argv[1]), Path(sys.argv[2]))
