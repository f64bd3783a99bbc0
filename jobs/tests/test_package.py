"""The job bureau's package part on its own, through the registry (core.programmes): what it
exports, that loading it gives the same set-up, and what its preview flags. The round trip
through practices (guard, digest, the adopt page) is practices/tests/test_package_kinds.py."""

from datetime import date

from django.core.exceptions import ValidationError

from core.models import Programme
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
