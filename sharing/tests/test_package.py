"""Energy sharing's package part on its own, through the registry (core.programmes). The round
trip through practices is practices/tests/test_package_kinds.py."""

import contextlib
import json

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import Organisation, Programme
from core.programmes import registry
from sharing.tests.cast import SharingTestCase


class SharingPartTest(SharingTestCase):
    def part(self):
        (part,) = [p for p in registry.package_parts("energy_sharing") if p.key == "sharing"]
        return part

    def test_export_load_export_gives_the_same_set_up_without_participants(self):
        part = self.part()
        data = {"version": part.version, **part.export(self.energy)}
        self.assertEqual([k["preset"] for k in data["keys"]], ["relative"])
        self.assertNotIn("participants", data)
        copy = Programme.objects.create(
            name="Kopie", slug="kopie", kind="energy_sharing", lead_organisation=self.arnhem
        )
        part.load(data, copy)
        again = part.export(copy)
        self.assertEqual(
            {**again, "country": "BE"}, {k: v for k, v in data.items() if k != "version"}
        )
        self.assertFalse(copy.sharing_community.participants.exists())

    def test_the_preview_flags_another_country(self):
        part = self.part()
        data = {"version": part.version, **part.export(self.energy)}
        arnhem = " ".join(str(c.text) for c in part.preview(data, self.arnhem))
        lead = " ".join(str(c.text) for c in part.preview(data, self.lead))
        self.assertIn("grid operator", arnhem)
        self.assertNotIn("grid operator", lead)

    def test_an_unknown_version_is_refused(self):
        with self.assertRaises(ValidationError):
            self.part().load({"version": 2}, self.energy)


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
    "community": {"sharing_price": "0.1500", "supplier_price": "0.3500"},
    "keys": [{"valid_from": "2026-01-01", "preset": "relative", "social_cap": "0.500"}],
}


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(["community", "keys", "key", "price"]), value=JSON)
def test_any_value_anywhere_gives_a_preview_or_a_clear_refusal(field, value):
    (part,) = [p for p in registry.package_parts("energy_sharing") if p.key == "sharing"]
    data = json.loads(json.dumps(SAMPLE))
    if field in ("community", "keys"):
        data[field] = value
    elif field == "key":
        data["keys"] = [value]
    else:
        data["community"]["sharing_price"] = value
    with contextlib.suppress(ValidationError):
        part.preview(data, Organisation(country="NL"))
