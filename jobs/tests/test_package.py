"""The job bureau's package part on its own, through the registry (core.programmes): what it
exports, that loading it gives the same set-up, and what its preview flags. The round trip
through practices (guard, digest, the adopt page) is practices/tests/test_package_kinds.py."""

import contextlib
import json
from datetime import date

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import Organisation, Programme
from core.programmes import registry
from jobs.models import ProgrammeRules
from jobs.tests.cast import JobsTestCase
from wijk.testing import clock_at


@clock_at(date(2026, 3, 1))
class JobsPartTest(JobsTestCase):
    def part(self):
        (part,) = [p for p in registry.package_parts("job_bureau") if p.key == "jobs"]
        return part

    def test_export_load_export_gives_the_same_set_up(self):
        part = self.part()
        data = {"version": part.version, **part.export(self.bureau)}
        self.assertNotIn("depot_lat", data["rules"])
        copy = Programme.objects.create(
            name="Kopie", slug="kopie", kind="job_bureau", lead_organisation=self.arnhem
        )
        part.load(data, copy)
        expected = {k: v for k, v in data.items() if k != "version"} | {"country": "NL"}
        self.assertEqual(part.export(copy), expected)
        self.assertEqual(ProgrammeRules.objects.get(programme=copy).preset, "wijk_werken")

    def test_the_preview_flags_a_preset_of_another_country(self):
        part = self.part()
        data = {"version": part.version, **part.export(self.bureau)}
        arnhem = [c.level for c in part.preview(data, self.arnhem)]
        lead = [c.level for c in part.preview(data, self.lead)]
        self.assertEqual(arnhem.count("adapt"), lead.count("adapt") + 1)

    def test_an_unknown_version_is_refused(self):
        part = self.part()
        with self.assertRaises(ValidationError):
            part.load({"version": 2}, self.arnhem_bureau)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


SAMPLE: dict = {
    "version": 1,
    "country": "BE",
    "rules": {
        "preset": "wijk_werken",
        "max_hours_month": 60,
        "max_hours_year": 630,
        "max_trajectory_months": 12,
        "pricing": "per_started_hour",
        "price_per_hour": "7.45",
        "registration_fee": "10.00",
        "cheque_validity_months": 12,
        "allowance_per_hour": "4.10",
        "km_allowance": "0.15",
        "km_threshold": 10,
        "allowance_cap_month": None,
        "allowance_cap_year": None,
        "allowed_categories": ["garden", "moving"],
        "served_radius_km": "6.0",
        "cargo_bikes": 1,
        "cargo_bike_capacity": 100,
        "vans": 0,
        "van_capacity": 500,
    },
    "services": [
        {
            "name": "Tuinwerk",
            "description": "",
            "category": "garden",
            "fixed_price": None,
            "required_skills": {"gardening": 1},
            "crew_size": 1,
            "duration_minutes": 60,
            "needs": "",
            "load": 0,
            "active": True,
        }
    ],
}


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(["rules", "services", "price", "crew"]),
    name=st.text(max_size=20),
    value=JSON,
)
def test_any_value_anywhere_gives_a_preview_or_a_clear_refusal(field, name, value):
    """Hostile or broken data never raises anything but a ValidationError (a message)."""
    (part,) = [p for p in registry.package_parts("job_bureau") if p.key == "jobs"]
    data = json.loads(json.dumps(SAMPLE))
    if field == "rules":
        data["rules"] = {**data["rules"], name: value} if name else value
    elif field == "services":
        data["services"] = [{**data["services"][0], name: value}] if name else value
    elif field == "price":
        data["rules"]["price_per_hour"] = value
    else:
        data["services"][0]["crew_size"] = value
    with contextlib.suppress(ValidationError):
        part.preview(data, Organisation(country="NL"))


def test_the_sample_previews():
    (part,) = [p for p in registry.package_parts("job_bureau") if p.key == "jobs"]
    assert [c.level for c in part.preview(SAMPLE, Organisation(country="NL"))].count("adapt") == 3
