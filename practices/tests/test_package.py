import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from core.models import Programme, Tariff
from core.programmes import PackageChange, PackagePart, ProgrammeApp, registry
from core.tokens import api_token_create
from practices import package
from practices.models import PackageImport
from practices.pure import guard
from rentals.tests.cast import RentalTestCase
from wijk.testing import clock_at

CATALOGUE = {"services": [{"name": "Moving help", "price": "6.50"}]}
LOADED: list = []


def _export(programme):
    return CATALOGUE


def _preview(data, organisation):
    return [PackageChange("create", f"{len(data['services'])} services")]


def _load(data, programme):
    LOADED.append((programme.pk, data["services"]))


FAKE = ProgrammeApp(
    label="fake-catalogue",
    package_parts=(PackagePart("catalogue", 1, _export, _preview, _load),),
)


@clock_at(date(2026, 4, 1))
class PackageTest(RentalTestCase):
    client_language = "en"  # the pages are read in English
    contract: Any

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        case = cls("setUp")
        case.__dict__.update({"jansens": cls.jansens, "rental": cls.rental})
        cls.contract = case.active_contract(
            installed_on=date(2026, 1, 5), payment_method="direct_debit"
        )
        cls.jansens.phone = "+32470123456"
        cls.jansens.email = "an.jansens@example.be"
        cls.jansens.save()

    def secrets(self):
        h = self.jansens
        return [
            h.last_name,
            h.first_name,
            h.street,
            h.reference,
            h.phone,
            h.email,
            "BE71096123456769",
            self.contract.payment_reference,
            self.contract.mandate_id or "—",
        ]

    def test_a_package_of_a_populated_programme_holds_no_personal_data(self):
        self.login("cora")
        response = self.client.get(f"/practices/packages/programme/{self.rental.pk}/")
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        data = json.loads(text)
        self.assertEqual(data["format"], package.FORMAT)
        for secret in self.secrets():
            if secret and secret != "—":
                self.assertNotIn(secret, text)
        self.assertEqual(guard.package_problems(data), [])
        # The partner roles are named by kind, never by organisation.
        self.assertNotIn("OCMW Brugge", text)
        self.assertIn(
            {"role": "collector", "organisation_kind": "welfare_office"}, data["partner_roles"]
        )

    def test_round_trip_preview_adopt_and_adopting_again_creates_nothing(self):
        LOADED.clear()
        with registry.registered(FAKE):
            data = package.build_package(self.rental)
            self.assertEqual(data["parts"]["catalogue"]["version"], 1)
            otto = self.acting("otto")
            preview = package.preview(acting=otto, data=data)
            texts = [str(c.text) for c in preview.changes]
            created_lines = [str(c.text) for c in preview.of("create")]
            self.assertTrue(any("Bewonersinitiatief Spijkerkwartier" in t for t in created_lines))
            self.assertIn("1 services", texts)
            # Belgian rules and prices in a Dutch organisation: to adapt.
            adapt = " ".join(str(c.text) for c in preview.of("adapt"))
            self.assertIn("Belgium", adapt)
            self.assertIn("partner", adapt)
            programme, created = package.package_import(
                acting=otto, data=data, name="Toestellen Arnhem"
            )
            self.assertTrue(created)
            self.assertEqual(programme.lead_organisation, self.arnhem)
            self.assertEqual(programme.eligibility_rules, self.rental.eligibility_rules)
            self.assertEqual(
                list(
                    Tariff.objects.filter(programme=programme).values_list(
                        "electricity_standard", flat=True
                    )
                ),
                list(
                    self.rental.tariffs.order_by("valid_from").values_list(
                        "electricity_standard", flat=True
                    )
                ),
            )
            self.assertEqual(LOADED, [(programme.pk, CATALOGUE["services"])])
            # Exported again later (another timestamp): the same package, the same programme.
            again = package.build_package(self.rental)
            again["source"]["exported_at"] = "2030-01-01T00:00:00+00:00"
            self.assertEqual(package.package_import(acting=otto, data=again), (programme, False))
            self.assertEqual(package.preview(acting=otto, data=again).existing, programme)
        self.assertEqual(PackageImport.objects.count(), 1)
        self.assertEqual(Programme.objects.filter(lead_organisation=self.arnhem).count(), 1)

    def test_adopt_through_the_page_with_the_preview(self):
        self.login("otto")
        text = json.dumps(package.build_package(self.rental))
        preview = self.client.post("/practices/packages/adopt/", {"package": text})
        self.assertContains(preview, "Will be created")
        self.assertContains(preview, "You must adapt")
        done = self.client.post(
            "/practices/packages/adopt/", {"package": text, "adopt": "1", "name": "Arnhem huurt"}
        )
        programme = Programme.objects.get(name="Arnhem huurt")
        self.assertRedirects(done, f"/programmes/{programme.pk}/", fetch_redirect_response=False)

    def test_smuggled_personal_data_or_code_is_refused_whole(self):
        base = package.build_package(self.rental)
        for smuggled in (
            {"parts": {"rentals": {"households": [{"name": "Jansens"}]}}},
            {"description": "Pay to BE71 0961 2345 6769"},
            {"description": "Mail an.jansens@example.be"},
            {"description": "<script>alert(1)</script>"},
            {"description": "{% load os %}"},
            {"parts": {"x": {"contact": {"phone": "+32470123456"}}}},
            {
                "tariffs": [
                    {
                        "valid_from": "2026-01-01",
                        "electricity_standard": "NaN",
                        "electricity_social": "1",
                        "water": "1",
                        "co2": "1",
                    }
                ]
            },
            {"version": 99},
            {"kind": "bank"},
        ):
            data = {**base, **smuggled}
            with self.subTest(smuggled=smuggled), self.assertRaises(ValidationError):
                package.package_import(acting=self.acting("otto"), data=data)
        self.assertFalse(Programme.objects.filter(lead_organisation=self.arnhem).exists())
        self.login("otto")
        response = self.client.post("/practices/packages/adopt/", {"package": "{not json"})
        self.assertContains(response, "not a valid JSON package", status_code=400)

    def test_api_preview_and_import(self):
        data = package.build_package(self.rental)
        token = api_token_create(user=self.otto)
        auth = {"Authorization": f"Bearer {token}"}
        preview = self.client.post(
            "/api/v1/packages/preview",
            {"package": data},
            content_type="application/json",
            headers=auth,
        )
        self.assertEqual(preview.status_code, 200, preview.content)
        made = self.client.post(
            "/api/v1/packages/import",
            {"package": data},
            content_type="application/json",
            headers=auth,
        )
        self.assertEqual(made.status_code, 201)
        again = self.client.post(
            "/api/v1/packages/import",
            {"package": data},
            content_type="application/json",
            headers=auth,
        )
        self.assertEqual(
            again.json(), {"programme_id": made.json()["programme_id"], "created": False}
        )
        bad = self.client.post(
            "/api/v1/packages/import",
            {"package": {**data, "iban": "x"}},
            content_type="application/json",
            headers=auth,
        )
        self.assertIn(bad.status_code, (400, 422))


@clock_at(date(2026, 4, 1))
class RentalPackageTest(RentalTestCase):
    def test_rentals_round_trip_offers_catalogue_and_scheme(self):
        from rentals.models import ApplianceModel, Offer, RentalScheme, Unit

        data = package.build_package(self.rental)
        part = data["parts"]["rentals"]
        self.assertEqual(part["version"], 1)
        self.assertEqual({o["category"] for o in part["offers"]}, {"washing_machine", "fridge"})
        text = json.dumps(data)
        for serial in Unit.objects.values_list("serial", flat=True):
            self.assertNotIn(serial, text)
        self.assertNotIn(self.supplier.name, text)
        otto = self.acting("otto")
        changes = " ".join(str(c.text) for c in package.preview(acting=otto, data=data).changes)
        self.assertIn("2 rental offers", changes)
        self.assertIn("2 appliance models", changes)
        programme, created = package.package_import(acting=otto, data=data, name="Arnhem huurt")
        self.assertTrue(created)

        def offers(p):
            return sorted(
                Offer.objects.filter(programme=p).values_list(
                    "category", "tenant_fee", "subsidy", "term_months"
                )
            )

        def models(p):
            return sorted(
                ApplianceModel.objects.filter(programme=p).values_list(
                    "brand", "model_name", "kwh_per_year", "kwh_per_100_cycles", "cycles_per_year"
                )
            )

        self.assertEqual(offers(programme), offers(self.rental))
        self.assertEqual(models(programme), models(self.rental))
        scheme = RentalScheme.objects.get(programme=programme)
        self.assertEqual((scheme.collector, scheme.supplier), (self.arnhem, self.arnhem))
        self.assertEqual(scheme.max_appliances, self.rental.rental_scheme.max_appliances)
        # Exported again from the copy: the same set-up, apart from the name and the source.
        copy = package.build_package(programme)
        self.assertEqual(copy["parts"], data["parts"])
        self.assertEqual(copy["tariffs"], data["tariffs"])

    def test_a_broken_rental_part_imports_nothing(self):
        data = package.build_package(self.rental)
        data["parts"]["rentals"]["offers"][0]["tenant_fee"] = "-5"
        with self.assertRaises(ValidationError):
            package.package_import(acting=self.acting("otto"), data=data)
        self.assertFalse(Programme.objects.filter(lead_organisation=self.arnhem).exists())
        self.assertFalse(PackageImport.objects.exists())
