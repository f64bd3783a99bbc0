"""Programme packages of the job bureau and of energy sharing: export → preview → import round
trips through practices.package on a populated programme (workers, requests, participants,
meter data), and what the preview flags for an organisation of another country.
(Appliance rental's round trip is in test_package.py.)"""

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.models import Programme
from jobs.models import ProgrammeRules, Service
from jobs.tests.cast import JobsTestCase, ask
from practices import package
from practices.models import PackageImport
from practices.pure import guard
from sharing import services as sharing_services
from sharing.models import Community, KeyChoice
from sharing.package import COUNTRY_CENTRE
from sharing.tests.cast import (
    BAKERY_EAN,
    JANSENS_EAN,
    PEETERS_EAN,
    SCHOOL_EAN,
    SharingTestCase,
    month_file,
)
from wijk.testing import clock_at

RULES = (
    "preset",
    "max_hours_month",
    "max_hours_year",
    "pricing",
    "price_per_hour",
    "registration_fee",
    "cheque_validity_months",
    "allowance_per_hour",
    "km_allowance",
    "km_threshold",
    "allowed_categories",
    "served_radius_km",
    "cargo_bikes",
)


def _services(programme):
    return sorted(
        Service.objects.filter(programme=programme).values_list(
            "name",
            "description",
            "category",
            "fixed_price",
            "crew_size",
            "duration_minutes",
            "needs",
            "load",
            "active",
        )
    )


def _texts(changes, level):
    return " ".join(str(c.text) for c in changes if c.level == level)


@clock_at(date(2026, 3, 1))
class JobsPackageTest(JobsTestCase):
    client_language = "en"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A populated bureau: a resident's request, besides the cast's workers.
        ask(cls, cls.moving, email="marleen.peeters@example.be")

    def test_the_package_holds_the_rules_and_catalogue_and_nothing_personal(self):
        data = package.build_package(self.bureau)
        text = json.dumps(data, ensure_ascii=False)
        part = data["parts"]["jobs"]
        self.assertEqual(part["version"], 1)
        self.assertEqual(part["rules"]["preset"], "wijk_werken")
        self.assertEqual(part["rules"]["price_per_hour"], "7.45")
        self.assertEqual([s["name"] for s in part["services"]], ["Tuinwerk", "Verhuishulp"])
        for secret in (
            "Wout",
            "Claeys",
            "Sara",
            "Benali",
            "Marleen",
            "Peeters",
            "059 12 34 56",
            "Kerkstraat",
            "marleen.peeters@example.be",
            "51.226",  # the bureau's own place stays home
        ):
            self.assertNotIn(secret, text)
        self.assertEqual(guard.package_problems(data), [])

    def test_round_trip_into_a_dutch_organisation_flags_the_flemish_preset(self):
        data = package.build_package(self.bureau)
        otto = self.acting("otto")
        preview = package.preview(acting=otto, data=data)
        adapt = _texts(preview.changes, "adapt")
        self.assertIn("follow “Flemish wijk-werken”, a law of another country (Belgium)", adapt)
        self.assertIn("(Netherlands)", adapt)
        self.assertIn("7.45 EUR per started hour", adapt)
        self.assertIn("2 services", _texts(preview.changes, "create"))
        programme, created = package.package_import(acting=otto, data=data, name="Klussen Arnhem")
        self.assertTrue(created)
        self.assertEqual(programme.kind, "job_bureau")
        source = ProgrammeRules.objects.get(programme=self.bureau)
        copy = ProgrammeRules.objects.get(programme=programme)
        for name in RULES:
            self.assertEqual(getattr(copy, name), getattr(source, name), name)
        # The adopter's place: Arnhem, not the Oostende depot.
        self.assertGreater(copy.depot_lat, 51.5)
        self.assertEqual(_services(programme), _services(self.bureau))
        again = package.build_package(programme)
        self.assertEqual(
            {**again["parts"]["jobs"], "country": "BE"}, data["parts"]["jobs"]
        )  # the same set-up, now from the Netherlands
        # The same package again: nothing new.
        self.assertEqual(package.package_import(acting=otto, data=data), (programme, False))
        self.assertEqual(PackageImport.objects.count(), 1)

    def test_a_dutch_preset_adopted_in_belgium_is_flagged_too(self):
        data = package.build_package(self.bureau)
        data["parts"]["jobs"]["rules"]["preset"] = "nl_volunteer"
        changes = package.preview(acting=self.acting("cora"), data=data).changes
        self.assertIn(
            "“Dutch volunteer allowance”, a law of another country (Netherlands)",
            _texts(changes, "adapt"),
        )

    def test_wrong_values_in_the_jobs_part_import_nothing(self):
        base = package.build_package(self.bureau)
        breakages = (
            lambda p: p["rules"].update(price_per_hour="NaN"),
            lambda p: p["rules"].update(price_per_hour="3.00"),  # below the decree's bounds
            lambda p: p["rules"].update(pricing="per_minute"),
            lambda p: p["rules"].update(allowed_categories=["garden", "bank_robbery"]),
            lambda p: p["rules"].update(max_hours_month="60"),
            lambda p: p["services"][0].update(crew_size=True),
            lambda p: p["services"][0].update(category="moving", name="Verhuishulp"),
            lambda p: p["services"][0].update(required_skills={"flying": 1}),
            lambda p: p.update(services={"a": 1}),
            lambda p: p.update(rules="all of them"),
        )
        for n, breakage in enumerate(breakages):
            data = json.loads(json.dumps(base))
            breakage(data["parts"]["jobs"])
            with self.subTest(n=n), self.assertRaises(ValidationError):
                otto = self.acting("otto")
                package.preview(acting=otto, data=data)
                package.package_import(acting=otto, data=data, name=f"Kapot {n}")
        self.assertFalse(Programme.objects.filter(name__startswith="Kapot").exists())
        self.assertFalse(PackageImport.objects.exists())

    def test_adopt_through_the_page(self):
        self.login("otto")
        text = json.dumps(package.build_package(self.bureau))
        preview = self.client.post("/practices/packages/adopt/", {"package": text})
        self.assertContains(preview, "Flemish wijk-werken")
        done = self.client.post(
            "/practices/packages/adopt/", {"package": text, "adopt": "1", "name": "Klusbus"}
        )
        programme = Programme.objects.get(name="Klusbus")
        self.assertRedirects(done, f"/programmes/{programme.pk}/", fetch_redirect_response=False)
        self.assertEqual(Service.objects.filter(programme=programme).count(), 2)


@clock_at(date(2026, 3, 10))
class SharingPackageTest(SharingTestCase):
    client_language = "en"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cora = cls.acting(cls, "cora")  # type: ignore[arg-type]
        sharing_services.meter_import(
            acting=cora,
            community=cls.community,
            filename="januari.csv",
            data=month_file(date(2026, 1, 1), days=3),
        )
        sharing_services.allocation_month_run(
            acting=cora, community=cls.community, month=date(2026, 1, 1)
        )
        sharing_services.key_choose(
            acting=cora,
            community=cls.community,
            preset="social_priority",
            valid_from=date(2026, 3, 1),
            social_cap=Decimal("0.400"),
        )

    def test_the_package_holds_prices_and_keys_and_nothing_personal(self):
        data = package.build_package(self.energy)
        text = json.dumps(data, ensure_ascii=False)
        part = data["parts"]["sharing"]
        self.assertEqual(part["community"], {"sharing_price": "0.1500", "supplier_price": "0.3500"})
        self.assertEqual(
            [(k["valid_from"], k["preset"], k["social_cap"]) for k in part["keys"]],
            [("2026-01-01", "relative", "0.500"), ("2026-03-01", "social_priority", "0.400")],
        )
        self.assertEqual(
            [r["weighting"] for r in part["keys"][0]["rounds"]], ["fixed", "pro_rata"]
        )
        self.assertTrue(part["keys"][1]["rounds"][0]["only_vulnerable"])
        for secret in (
            SCHOOL_EAN,
            BAKERY_EAN,
            JANSENS_EAN,
            PEETERS_EAN,
            "Basisschool De Linde",
            "Bakkerij Vanhove",
            self.jansens.last_name,
            self.peeters.last_name,
            self.jansens.street,
            "51.20892",  # the community's place: it can be a producer's roof
            "3.22424",
        ):
            self.assertNotIn(secret, text)
        self.assertEqual(guard.package_problems(data), [])

    def test_round_trip_into_a_dutch_organisation(self):
        data = package.build_package(self.energy)
        otto = self.acting("otto")
        changes = package.preview(acting=otto, data=data).changes
        adapt = _texts(changes, "adapt")
        self.assertIn("under the rules of Belgium", adapt)
        self.assertIn("fixed percentage", adapt)
        self.assertIn("2 allocation keys", _texts(changes, "create"))
        programme, created = package.package_import(acting=otto, data=data, name="Zon Arnhem")
        self.assertTrue(created)
        community = Community.objects.get(programme=programme)
        self.assertEqual(
            (community.sharing_price, community.supplier_price),
            (self.community.sharing_price, self.community.supplier_price),
        )
        self.assertEqual(
            (community.latitude, community.longitude), COUNTRY_CENTRE["NL"]
        )  # the centre of the adopter's country, until it sets its place

        def keys(c):
            return list(
                KeyChoice.objects.filter(community=c)
                .order_by("valid_from")
                .values_list("valid_from", "preset", "social_cap")
            )

        self.assertEqual(keys(community), keys(self.community))
        self.assertFalse(community.participants.exists())
        again = package.build_package(programme)
        self.assertEqual({**again["parts"]["sharing"], "country": "BE"}, data["parts"]["sharing"])
        self.assertEqual(package.package_import(acting=otto, data=data), (programme, False))
        self.assertEqual(Programme.objects.filter(lead_organisation=self.arnhem).count(), 1)

    def test_wrong_values_in_the_sharing_part_import_nothing(self):
        base = package.build_package(self.energy)
        breakages = (
            lambda p: p["community"].update(sharing_price="-1"),
            lambda p: p["community"].update(sharing_price=[1]),
            lambda p: p["keys"][0].update(preset="whoever_asks_first"),
            lambda p: p["keys"][0].update(valid_from="yesterday"),
            lambda p: p["keys"][1].update(valid_from="2026-01-01"),  # two keys on one day
            lambda p: p["keys"][1].update(social_cap="1.5"),
            lambda p: p.update(keys={"preset": "fixed"}),
            lambda p: p.update(community="yes"),
        )
        for n, breakage in enumerate(breakages):
            data = json.loads(json.dumps(base))
            breakage(data["parts"]["sharing"])
            with self.subTest(n=n), self.assertRaises(ValidationError):
                package.package_import(acting=self.acting("otto"), data=data, name=f"Kapot {n}")
        self.assertFalse(Programme.objects.filter(name__startswith="Kapot").exists())
