"""Energy sharing's package part on its own, through the registry (core.programmes). The round
trip through practices is practices/tests/test_package_kinds.py."""

from django.core.exceptions import ValidationError

from core.models import Programme
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
