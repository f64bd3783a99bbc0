"""Coordinates for addresses, with no Django: entered coordinates win; otherwise the centre of
the postcode (a small table for the bureaus' areas). A postcode we do not know has no place,
and the request form says so."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Postcode centres (approximate, from the postcodes' municipalities), for the demo bureaus and
# their neighbours.
POSTCODE_CENTRES: Mapping[tuple[str, str], tuple[float, float]] = {
    ("BE", "8400"): (51.2194, 2.9196),  # Oostende
    ("BE", "8450"): (51.2461, 2.9756),  # Bredene
    ("BE", "8430"): (51.1878, 2.8231),  # Middelkerke
    ("BE", "8460"): (51.1781, 2.9642),  # Oudenburg
    ("BE", "8470"): (51.1561, 2.9717),  # Gistel
    ("BE", "8000"): (51.2093, 3.2247),  # Brugge
    ("BE", "8500"): (50.8280, 3.2649),  # Kortrijk
    ("NL", "6811"): (51.9840, 5.9100),  # Arnhem centrum
    ("NL", "6812"): (51.9880, 5.8990),
    ("NL", "6814"): (51.9900, 5.8880),
    ("NL", "6821"): (51.9855, 5.9235),  # Spijkerkwartier
    ("NL", "6822"): (51.9890, 5.9330),
    ("NL", "6824"): (51.9950, 5.9290),
    ("NL", "6826"): (51.9870, 5.9500),
    ("NL", "6828"): (51.9760, 5.9400),
    ("NL", "6511"): (51.8430, 5.8620),  # Nijmegen
}


def postcode_centre(country: str, postcode: str) -> tuple[float, float] | None:
    key = (country.upper(), postcode.replace(" ", "")[:4])
    return POSTCODE_CENTRES.get(key)


def postcode_centres(country: str) -> dict[str, tuple[float, float]]:
    """The known postcode centres of one country, by postcode (for the map picker)."""
    land = country.upper()
    return {code: centre for (where, code), centre in POSTCODE_CENTRES.items() if where == land}


# Belgium: 4 digits (1000-9999); the Netherlands: 4 digits (1000-9999) and 2 letters, the
# space optional (SA, SD and SS are not issued, which we do not check).
_FORMATS = {
    "BE": re.compile(r"[1-9][0-9]{3}"),
    "NL": re.compile(r"[1-9][0-9]{3} ?[A-Za-z]{2}"),
}


def postcode_well_formed(country: str, postcode: str) -> bool:
    """Whether the postcode has the country's shape (a Dutch one may leave out its letters:
    the table is by the 4 digits). Unknown countries: anything not empty."""
    shape = _FORMATS.get(country.upper())
    code = postcode.strip()
    if shape is None:
        return bool(code)
    if country.upper() == "NL" and re.fullmatch(r"[1-9][0-9]{3}", code):
        return True
    return shape.fullmatch(code) is not None
