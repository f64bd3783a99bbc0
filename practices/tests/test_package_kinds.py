"""Programme packages of the job bureau and of energy sharing: export → preview → import round
trips through practices.package on a populated programme (workers, requests, participants,
meter data), and what the preview flags for an organisation of another country.
(Appliance rental's round trip is in test_package.py.)"""

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.test import override_settings

from core.models import Programme
from jobs.models import ProgrammeRules, Service
from jobs.tests.cast import JobsTestCase, ask
from practices import feed, package
from practices.models import PackageImport, RemotePractice, Subscription
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

    def test_services_of_an_activity_the_rules_do_not_allow_are_left_out(self):
        data = package.build_package(self.bureau)
        data["parts"]["jobs"]["rules"]["allowed_categories"] = ["garden"]
        otto = self.acting("otto")
        warning = _texts(package.preview(acting=otto, data=data).changes, "warning")
        self.assertIn("left out: Verhuishulp", warning)
        programme, _created = package.package_import(acting=otto, data=data, name="Tuin")
        self.assertEqual(
            list(Service.objects.filter(programme=programme).values_list("name", flat=True)),
            ["Tuinwerk"],
        )

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
        self.assertEqual([r["weighting"] for r in part["keys"][0]["rounds"]], ["fixed", "pro_rata"])
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


class _Packages(BaseHTTPRequestHandler):
    """Another installation's package addresses; the bodies are set by the test."""

    bodies: ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = self.bodies.get(self.path, b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@clock_at(date(2026, 3, 1))
class PackagesThroughTheFeedTest(JobsTestCase):
    """Packages of the new kinds fetched through the feed (a remote practice's package_url):
    a good one previews and adopts; a hostile one is refused with a clear message."""

    client_language = "en"
    server: Any
    allowed: Any

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Packages)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.allowed = override_settings(
            WIJK_FEED_PRIVATE_ALLOWED=[f"127.0.0.1:{cls.server.server_address[1]}"]
        )
        cls.allowed.enable()

    @classmethod
    def tearDownClass(cls):
        cls.allowed.disable()
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def remote(self, path, data):
        _Packages.bodies[path] = json.dumps(data).encode()
        subscription, _created = Subscription.objects.get_or_create(
            organisation=self.arnhem, url="http://127.0.0.1:1/feed.json"
        )
        return RemotePractice.objects.create(
            subscription=subscription,
            remote_id=path,
            url=f"https://elders.example{path}",
            title="Klussen elders",
            package_url=f"http://127.0.0.1:{self.server.server_address[1]}{path}",
        )

    def test_a_jobs_and_a_sharing_package_come_through_the_feed(self):
        jobs = self.remote("/jobs.json", package.build_package(self.bureau))
        data = feed.remote_package(jobs)
        self.assertEqual(data["parts"]["jobs"]["rules"]["preset"], "wijk_werken")
        self.login("otto")
        page = self.client.get(f"/practices/packages/adopt/?remote={jobs.pk}")
        self.assertContains(page, "Will be created")
        self.assertContains(page, "Flemish wijk-werken")
        energy = Programme.objects.create(
            name="Zon", slug="zon", kind="energy_sharing", lead_organisation=self.lead
        )
        sharing_services.community_configure(
            acting=self.acting("cora"),
            programme=energy,
            sharing_price=Decimal("0.12"),
            supplier_price=Decimal("0.30"),
            latitude=Decimal("51.2"),
            longitude=Decimal("2.9"),
        )
        shared = self.remote("/sharing.json", package.build_package(energy))
        page = self.client.get(f"/practices/packages/adopt/?remote={shared.pk}")
        self.assertContains(page, "0.1200 EUR per kWh")

    def test_hostile_packages_of_the_new_kinds_are_refused(self):
        base = package.build_package(self.bureau)
        jobs = base["parts"]["jobs"]
        hostile = {
            "/workers.json": (
                {**base, "parts": {"jobs": {**jobs, "workers": [{"name": "Wout Claeys"}]}}},
                "a field for personal data",
            ),
            "/phone.json": (
                {
                    **base,
                    "parts": {
                        "jobs": {
                            **jobs,
                            "services": [
                                {**jobs["services"][0], "description": "+32 470 12 34 56"}
                            ],
                        }
                    },
                },
                "looks like personal data",
            ),
            "/code.json": (
                {
                    **base,
                    "parts": {
                        "jobs": {
                            **jobs,
                            "services": [
                                {**jobs["services"][0], "description": "<script>x()</script>"}
                            ],
                        }
                    },
                },
                "looks like code",
            ),
            "/types.json": (
                {
                    **base,
                    "parts": {
                        "jobs": {**jobs, "services": [{**jobs["services"][0], "crew_size": "two"}]}
                    },
                },
                "missing or wrong value",
            ),
            "/ean.json": (
                {
                    **base,
                    "kind": "energy_sharing",
                    "parts": {
                        "sharing": {
                            "version": 1,
                            "community": {"sharing_price": "0.1", "supplier_price": "0.3"},
                            "keys": [],
                            "note": "541448820000000017",
                        }
                    },
                },
                "looks like personal data",
            ),
            "/participants.json": (
                {
                    **base,
                    "kind": "energy_sharing",
                    "parts": {"sharing": {"version": 1, "participants": [{"role": "consumer"}]}},
                },
                "a field for personal data",
            ),
            "/sharing-types.json": (
                {
                    **base,
                    "kind": "energy_sharing",
                    "parts": {"sharing": {"version": 1, "community": {"sharing_price": True}}},
                },
                "missing or wrong value",
            ),
        }
        self.login("otto")
        for path, (data, reason) in hostile.items():
            with self.subTest(path=path):
                remote = self.remote(path, data)
                page = self.client.get(f"/practices/packages/adopt/?remote={remote.pk}")
                self.assertContains(page, reason, status_code=400)
                done = self.client.post(
                    "/practices/packages/adopt/", {"remote": remote.pk, "adopt": "1"}
                )
                self.assertEqual(done.status_code, 400)
        self.assertFalse(
            Programme.objects.filter(lead_organisation=self.arnhem)
            .exclude(pk=self.arnhem_bureau.pk)
            .exists()
        )
