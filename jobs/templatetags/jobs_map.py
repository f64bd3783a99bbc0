"""The map picker beside the coordinate fields of the job bureau's staff forms (docs/jobs.md,
"Coordinates"). Progressive enhancement: the markup is hidden until jobs/map_picker.js shows
it, so without JavaScript (or without Leaflet) the fields are all there is; with the setting
WIJK_MAP_TILES empty neither the markup nor any map script is on the page.

Load with `{% load jobs_map %}`:
  {% map_assets %}                                  — Leaflet and the picker script, once, in
                                                      the page's head
  {% map_picker "pickup" form.lat form.lon programme postcode=form.postcode %}
                                                    — the map for one pair of fields
"""

import json
from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField
from django.templatetags.static import static
from django.utils.formats import get_format
from django.utils.html import format_html

from core.models import Programme
from jobs import geo
from jobs.bureau import rules_of

register = template.Library()

KINDS = ("pickup", "dropoff", "bureau")


def map_enabled() -> bool:
    return bool(getattr(settings, "WIJK_MAP_TILES", ""))


@register.simple_tag
def map_assets() -> str:
    if not map_enabled():
        return ""
    return format_html(
        '<link rel="stylesheet" href="{}">\n'
        '  <script src="{}" defer></script>\n'
        '  <script src="{}" defer></script>',
        static("leaflet/leaflet.css"),
        static("leaflet/leaflet.js"),
        static("jobs/map_picker.js"),
    )


@register.inclusion_tag("jobs/_map_picker.html")
def map_picker(
    kind: str,
    lat: BoundField,
    lon: BoundField,
    programme: Programme,
    postcode: BoundField | None = None,
) -> dict[str, Any]:
    """The picker's markup for the fields `lat` and `lon`. The map starts on the entered
    coordinates, else the postcode's centre, else the bureau; the served area is drawn."""
    if not map_enabled():
        return {"enabled": False}
    if kind not in KINDS:
        raise template.TemplateSyntaxError(f"map_picker: kind must be one of {KINDS}")
    rules = rules_of(programme)
    country = programme.lead_organisation.country
    return {
        "enabled": True,
        "kind": kind,
        "lat": lat,
        "lon": lon,
        "postcode": postcode,
        "tiles": settings.WIJK_MAP_TILES,
        "attribution": getattr(settings, "WIJK_MAP_ATTRIBUTION", ""),
        "centre": json.dumps([rules.depot_lat, rules.depot_lon]),
        "radius_km": str(rules.served_radius_km),
        "postcodes": json.dumps(geo.postcode_centres(country) if postcode is not None else {}),
        # A localised field shows "51,2194" in Dutch: the map writes what the field shows.
        "decimal": get_format("DECIMAL_SEPARATOR") if lat.field.localize else ".",
        "icon": static("leaflet/images/marker-icon.png"),
        "icon_2x": static("leaflet/images/marker-icon-2x.png"),
        "shadow": static("leaflet/images/marker-shadow.png"),
    }
