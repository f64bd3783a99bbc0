"""The energy-sharing demo: the Rabot community with a year of quarter-hour data, every month
allocated, statements for households and for the producer-only school, loaded once."""

from collections import Counter
from datetime import date

from django.test import SimpleTestCase, TestCase, override_settings

from core.demo import load
from households.demo import household_specs
from sharing import demo
from sharing.models import AllocationRun, Community, MeterDay, MeterImport, MonthResult
from sharing.selectors.reports import statement
from wijk.testing import clock_at

FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
HOUSEHOLDS = 60


class DemoSizeTest(SimpleTestCase):
    def test_the_default_demo_has_a_few_dozen_households_in_the_community(self) -> None:
        ghent = [
            s
            for s in household_specs()
            if demo.PROGRAMME in s.programmes and any(c == "energy_data" for c, _ in s.consents)
        ]
        self.assertGreaterEqual(min(len(ghent), demo.MAX_HOUSEHOLDS), 36)
        vulnerable = Counter(bool(s.fields["social_tariff"]) for s in ghent)
        self.assertGreater(vulnerable[True], 5)
        self.assertGreater(vulnerable[False], 5)


@FAST_HASHER
@clock_at(date(2026, 11, 20))
class DemoTest(TestCase):
    community: Community

    @classmethod
    def setUpTestData(cls) -> None:
        load(HOUSEHOLDS)
        cls.community = Community.objects.get(programme__slug=demo.PROGRAMME)

    def test_a_year_of_quarter_hours_every_month_allocated(self) -> None:
        runs = AllocationRun.objects.filter(community=self.community).order_by("month")
        months = [r.month for r in runs]
        self.assertEqual(len(months), demo.MONTHS)
        self.assertEqual(months[0], date(2025, 11, 1))
        self.assertEqual(months[-1], date(2026, 10, 1))
        self.assertEqual(MeterImport.objects.filter(community=self.community).count(), 12)
        participants = self.community.participants.count()
        self.assertEqual(
            MeterDay.objects.filter(participant__community=self.community).count(),
            participants * (date(2026, 11, 1) - date(2025, 11, 1)).days,
        )
        # More shared in summer than in winter (with few households the summer is capped by
        # their demand); never more than a participant's offtake.
        by_month = {r.month.month: sum(m.received for m in r.results.all()) for r in runs}
        self.assertGreater(by_month[6], by_month[12])
        for result in MonthResult.objects.filter(run__community=self.community):
            self.assertLessEqual(result.received, result.offtake + 1e-6)

    def test_the_producer_only_school_shares_and_gets_the_rest_back(self) -> None:
        school = self.community.participants.get(role="producer")
        june = statement(school, date(2026, 6, 1))
        assert june is not None
        r = june.result
        self.assertEqual(r.received, 0)
        self.assertGreater(r.shared_injection, 0)
        self.assertGreater(r.given_back, 0)  # a sunny June: more than the neighbours use
        self.assertAlmostEqual(r.shared_injection + r.given_back, r.injection, places=6)
        self.assertGreater(june.to_receivers, 3)
        household = self.community.participants.filter(household__isnull=False).first()
        assert household is not None
        found = statement(household, date(2026, 6, 1))
        assert found is not None
        self.assertGreater(found.result.received, 0)

    def test_vulnerable_households_are_those_with_the_social_tariff(self) -> None:
        for p in self.community.participants.filter(household__isnull=False):
            assert p.household is not None
            self.assertEqual(p.vulnerable, p.household.social_tariff)

    def test_a_second_load_changes_nothing(self) -> None:
        before = (MeterDay.objects.count(), AllocationRun.objects.count())
        load(HOUSEHOLDS)
        self.assertEqual((MeterDay.objects.count(), AllocationRun.objects.count()), before)
