"""The demo data: Arnhem's appliance rental is adopted from the West-Flemish programme's package
and then adapted; and no package of any populated demo programme — appliance rental, job
bureau, energy sharing — holds anything personal of a household, worker or participant."""

import json
import re
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

from core.demo import TARIFFS, load
from core.models import Organisation, Programme
from households.models import Household
from jobs.models import JobRequest, Worker
from practices import package
from practices.models import PackageImport
from practices.pure import guard
from rentals.models import ApplianceModel, BankLine, Contract
from sharing.models import Participant
from wijk.testing import clock_at

FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
HOUSEHOLDS = 40


def _secrets() -> set[str]:
    """Everything personal the demo holds, of households, workers, participants and users."""
    found: set[str] = set()
    for h in Household.objects.all():
        found |= {h.first_name, h.last_name, h.street, h.email, h.phone, h.reference}
    for c in Contract.objects.all():
        found |= {c.debtor_iban, c.mandate_id or "", c.payment_reference}
    for line in BankLine.objects.all():
        found |= {line.iban, line.counterparty}
    for w in Worker.objects.all():
        found |= {w.first_name, w.last_name}
    for r in JobRequest.objects.all():
        found |= {r.name, r.phone, r.email, r.street}
    for p in Participant.objects.all():
        found |= {p.name, p.ean}
    for u in get_user_model().objects.all():
        found |= {u.first_name, u.last_name, u.email}
    return {s.strip() for s in found if s and len(s.strip()) >= 3}


@FAST_HASHER
@clock_at(date(2026, 12, 1))
class DemoPackagesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load(households=HOUSEHOLDS)

    def test_arnhem_adopted_the_west_flemish_package_and_adapted_it(self) -> None:
        arnhem = Programme.objects.get(slug="huren-arnhem")
        wvl = Programme.objects.get(slug="huren-wvl")
        adopted = PackageImport.objects.get(programme=arnhem)
        self.assertEqual(adopted.organisation.slug, "spijkerkwartier")
        self.assertEqual(adopted.source, wvl.lead_organisation.name)
        self.assertEqual(adopted.digest, package.digest(package.build_package(wvl)))
        # Adapted: Dutch words and rules, Dutch tariffs, its own supplier, fees and appliances.
        self.assertIn("Overgenomen van de Vlaamse praktijk", arnhem.description)
        self.assertEqual(arnhem.eligibility_rules["income_limits"]["1"], "1600")
        self.assertEqual(
            sorted(arnhem.tariffs.values_list("valid_from", "water")),
            [(day, Decimal(water)) for day, _s, _so, water, _c in TARIFFS["NL"]],
        )
        self.assertEqual(arnhem.rental_scheme.supplier.slug, "witgoed-gelderland")
        self.assertEqual(
            sorted(arnhem.offers.values_list("category", flat=True)),
            ["freezer", "fridge", "fridge_freezer", "washing_machine"],
        )
        # The West-Flemish models came with the package; Arnhem's own were added.
        wvl_models = set(
            ApplianceModel.objects.filter(programme=wvl).values_list("brand", "model_name")
        )
        arnhem_models = set(
            ApplianceModel.objects.filter(programme=arnhem).values_list("brand", "model_name")
        )
        self.assertTrue(wvl_models <= arnhem_models)
        self.assertGreater(len(arnhem_models), len(wvl_models))
        # A second run adopts nothing again.
        load(households=HOUSEHOLDS)
        self.assertEqual(PackageImport.objects.count(), 1)
        self.assertEqual(
            Programme.objects.filter(
                lead_organisation=arnhem.lead_organisation, kind="appliance_rental"
            ).count(),
            1,
        )

    def test_no_package_of_a_populated_demo_programme_holds_personal_data(self) -> None:
        secrets = _secrets()
        self.assertGreater(len(secrets), 100)
        # Populated: every kind has its people.
        self.assertTrue(Worker.objects.exists() and JobRequest.objects.exists())
        self.assertTrue(Participant.objects.exclude(ean="").exists())
        self.assertTrue(Contract.objects.exists())
        kinds = set()
        for programme in Programme.objects.order_by("slug"):
            data = package.build_package(programme)
            kinds.add(programme.kind)
            self.assertEqual(guard.package_problems(data), [], programme.slug)
            text = json.dumps(data, ensure_ascii=False)
            leaked = [s for s in secrets if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text)]
            self.assertEqual(leaked, [], programme.slug)
            # Partners by role and kind only, never by name.
            for org in Organisation.objects.exclude(pk=programme.lead_organisation_id):
                self.assertNotIn(org.name, text, programme.slug)
        self.assertEqual(kinds, {"appliance_rental", "job_bureau", "energy_sharing"})
